"""The fits' cache (`analysis.modeling.fit_cache`): a rerun on the same vectors reads the
graph, the fits and the map back, bit for bit, without an engine; the code and libraries key
the folder, so a change to them never reads what older code computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.modeling import ThemeModel
from analysis.modeling.fit_cache import code_key, fit_memory


def blobs(n: int = 90, dim: int = 16, seed: int = 0) -> np.ndarray:
    """Three well-separated groups of unit vectors."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 4
    X = np.concatenate([c + rng.normal(0, 0.3, (n // 3, dim)) for c in centres])
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)


class CountingEngine:
    """An engine that runs in this process and counts the fits it was asked to run."""

    name = "counting"

    def __init__(self) -> None:
        self.items = 0
        self.warmed = 0

    def map(self, func, items, *shared):
        self.items += len(items)
        out = [func(item, *shared) for item in items]

        class Done:
            def result(self, progress=False, desc="", unit=""):
                return out

        return Done()

    def warm(self, func) -> None:
        self.warmed += 1

    def close(self) -> None:
        pass


def test_a_rerun_reads_every_fit_back_bit_for_bit(tmp_path: Path):
    X = blobs()
    model = ThemeModel(min_cluster_size=10, consensus_seeds=3)
    first, second = CountingEngine(), CountingEngine()
    a = model.fit(X, engine=first, memory=fit_memory(tmp_path))
    labels, runs, xy = a.labels_.copy(), a.run_labels_.copy(), a.map_.copy()
    assert first.items == 3 and first.warmed == 1  # computed, workers warmed meanwhile
    b = ThemeModel(min_cluster_size=10, consensus_seeds=3).fit(
        X, engine=second, memory=fit_memory(tmp_path)
    )
    assert second.items == 0 and second.warmed == 0  # read back: the engine never started
    assert np.array_equal(b.labels_, labels) and np.array_equal(b.run_labels_, runs)
    assert np.array_equal(b.map_, xy)
    assert labels.max() == 2  # the three groups
    # another seed set is another call: computed, the rest read back
    third = CountingEngine()
    ThemeModel(min_cluster_size=10, consensus_seeds=3, random_state=7).fit(
        X, engine=third, memory=fit_memory(tmp_path)
    )
    assert third.items == 3
    # and without a cache, the same themes computed again
    fresh = CountingEngine()
    c = ThemeModel(min_cluster_size=10, consensus_seeds=3).fit(X, engine=fresh)
    assert fresh.items == 3 and np.array_equal(c.labels_, labels)


def test_the_code_and_libraries_key_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    key = code_key()
    assert key == code_key() and len(key) == 16
    fit_memory(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [key]
    (tmp_path / key / "marker").write_text("x")
    monkeypatch.setenv("NUMBA_CPU_NAME", "host")  # other machine code: other results
    other = code_key()
    assert other != key
    fit_memory(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [other]  # the stale folder is gone
    assert fit_memory(None).location is None  # no caching at all
