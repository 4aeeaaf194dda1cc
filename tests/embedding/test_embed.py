"""The front door (`analysis.embedding.embed`): only what the cache lacks goes to the engine, the
result comes back in input order, and finding out what is cached needs no model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.config import EmbedConfig
from analysis.embedding import (
    EmbeddingCache,
    EmbeddingCacheWarning,
    cache_key,
    embed_texts,
    resolve_model,
    uncached_texts,
)
from analysis.io import sha256_text
from tests.conftest import run_python

from .fakes import RecordingEngine, fake_vector
from .texts import SMALL


def test_only_uncached_texts_go_to_the_engine(tmp_path: Path):
    cache = tmp_path / "e.npz"
    engine = RecordingEngine()
    first = embed_texts(SMALL[:2], cache, progress=False, engine=engine)
    assert sorted(engine.windows) == sorted(SMALL[:2])  # short texts: one window each
    engine.windows.clear()
    with pytest.warns(EmbeddingCacheWarning, match="1 of 3 texts are new"):
        res = embed_texts(SMALL, cache, progress=False, engine=engine)
    assert engine.windows == [SMALL[2]]
    assert res.n_embedded == 1
    assert np.array_equal(res.vectors[:2], first.vectors)
    v = fake_vector(SMALL[2])
    np.testing.assert_allclose(res.vectors[2], v / np.linalg.norm(v), rtol=1e-6)
    engine.windows.clear()
    again = embed_texts(SMALL, cache, progress=False, engine=engine)
    assert engine.windows == [] and again.n_embedded == 0
    assert np.array_equal(again.vectors, res.vectors)


def test_uncached_texts_needs_no_model(tmp_path: Path):
    cache = tmp_path / "e.npz"
    texts = ["first text", "second text"]
    assert uncached_texts(texts, cache) == texts
    key = cache_key(resolve_model(None), EmbedConfig())
    vec = np.ones((1, 4), np.float32) / 2
    EmbeddingCache(cache).write(
        key, "m", [sha256_text(texts[0])], vec, np.array([1]), np.array([2])
    )
    assert uncached_texts(texts, cache) == ["second text"]
    assert uncached_texts(texts, cache, force=True) == texts
    assert uncached_texts(texts, cache, EmbedConfig(window_tokens=100)) == texts  # other key
    # and it never loads torch: a warm run (everything cached) does not pay for it
    code = (
        "import sys; from analysis.embedding import uncached_texts; "
        "uncached_texts(['a text'], None); print('torch' in sys.modules)"
    )
    res = run_python("-c", code, timeout=120)
    assert res.stdout.strip() == "False", res.stderr
