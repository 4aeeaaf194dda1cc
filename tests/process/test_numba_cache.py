"""umap-learn's numba kernels cached on disk (`analysis.process.numba_cache`): the first process
writes the machine code, the next loads it instead of compiling again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_python

#: A small ThemeModel fit in a fresh process; prints its labels and umap's cache statistics.
FIT = """
import json, sys
import analysis  # first: the portable numerics environment
from analysis.process import apply
apply(embeds_corpus=False)  # an entry point's settings: the kernels cached
import numba
import numpy as np
from numba.core.registry import CPUDispatcher
from analysis.modeling import ThemeModel

rng = np.random.default_rng(0)
X = np.concatenate([c + 0.05 * rng.standard_normal((20, 16)) for c in rng.standard_normal((3, 16))])
X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
m = ThemeModel(n_neighbors=5, n_components=2, min_cluster_size=5, with_map=False).fit(X)
hits = misses = 0
for name in [n for n in list(sys.modules) if n.split(".")[0] == "umap"]:
    for obj in vars(sys.modules[name]).values():
        if isinstance(obj, CPUDispatcher):
            hits += sum(obj.stats.cache_hits.values())
            misses += sum(obj.stats.cache_misses.values())
out = {"dir": numba.config.CACHE_DIR, "labels": m.labels_.tolist(), "hits": hits, "misses": misses}
print(json.dumps(out))
"""


def _fit_in_child(cache: Path) -> dict:
    res = run_python("-c", FIT, env={"NUMBA_CACHE_DIR": str(cache)})
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def _files(cache: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(cache)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in cache.rglob("*")
        if p.is_file()
    }


@pytest.mark.slow
def test_umap_kernels_are_cached_and_reused(tmp_path: Path):
    cache = tmp_path / "numba"
    cache.mkdir()
    first = _fit_in_child(cache)
    assert first["dir"] == str(cache)
    assert first["hits"] == 0 and first["misses"] > 0  # an empty cache: everything compiled
    written = _files(cache)
    umap_files = [Path(f) for f in written if Path(f).parts[0].startswith("umap")]
    assert any(f.suffix == ".nbi" for f in umap_files), sorted(written)
    assert any(f.suffix == ".nbc" for f in umap_files), sorted(written)

    second = _fit_in_child(cache)
    assert second["labels"] == first["labels"]
    # loaded from the cache; what it still compiled (a few helpers numba inlines into their
    # callers and never saves) left no file behind
    assert second["hits"] > 0 and second["misses"] < first["misses"], (first, second)
    assert _files(cache) == written  # nothing new written, nothing rewritten
