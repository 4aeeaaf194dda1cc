"""The embedding cache (`analysis.embedding.cache`): keyed by everything that decides a vector,
never silently stale, healed when corrupt, written atomically."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis.config import BATCHINGS, EmbedConfig
from analysis.embedding import (
    Embedder,
    EmbeddingCache,
    EmbeddingCacheWarning,
    cache_key,
    embed_texts,
    resolve_model,
)

from .texts import SMALL


def test_cache_reuse_and_invalidation(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    first = embed_texts(SMALL, cache, progress=False)
    assert first.n_embedded == 3
    assert first.vectors.shape == (3, 384)

    again = embed_texts(SMALL, cache, progress=False)
    assert again.n_embedded == 0
    assert np.array_equal(again.vectors, first.vectors)

    edited = [SMALL[0], SMALL[1].replace("JPEG", "every classic codec"), SMALL[2]]
    with pytest.warns(EmbeddingCacheWarning, match="1 of 3 texts are new or changed"):
        changed = embed_texts(edited, cache, progress=False)
    assert changed.n_embedded == 1
    assert np.array_equal(changed.vectors[[0, 2]], first.vectors[[0, 2]])
    assert not np.allclose(changed.vectors[1], first.vectors[1])
    # the rebuilt vector is what a cold embedding of the edited text gives
    cold = embed_texts(edited, None, progress=False)
    assert np.allclose(changed.vectors[1], cold.vectors[1], atol=1e-6)


def test_cache_other_chunking_rebuilds_everything(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    embed_texts(SMALL, cache, progress=False)
    other = replace(EmbedConfig(), window_tokens=128)
    with pytest.warns(EmbeddingCacheWarning, match="another model or chunking"):
        res = embed_texts(SMALL, cache, other, progress=False)
    assert res.n_embedded == 3


@pytest.mark.parametrize(
    "damage",
    [b"", b"not an npz file at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "garbage", "truncated-zip"],
)
def test_corrupt_cache_is_rebuilt_with_warning(tmp_path: Path, damage: bytes):
    cache = tmp_path / "emb.npz"
    good = embed_texts(SMALL, cache, progress=False)
    cache.write_bytes(damage)
    with pytest.warns(EmbeddingCacheWarning, match="corrupt"):
        res = embed_texts(SMALL, cache, progress=False)
    assert res.n_embedded == 3
    assert np.allclose(res.vectors, good.vectors, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert embed_texts(SMALL, cache, progress=False).n_embedded == 0  # healed


def test_cache_rejects_non_finite_vectors(tmp_path: Path):
    cache = EmbeddingCache(tmp_path / "emb.npz")
    vecs = np.array([[np.nan, 0.0]], np.float32)
    cache.write("key", "m", ["h"], vecs, np.array([1]), np.array([2]))
    with pytest.warns(EmbeddingCacheWarning, match="non-finite values"):
        assert cache.read("key") == {}
    assert cache.read("key", quiet=True) == {}


def test_cache_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = tmp_path / "emb.npz"
    embed_texts(SMALL, cache, progress=False)
    before = cache.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        embed_texts(SMALL, cache, progress=False, force=True)
    assert cache.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["emb.npz"]  # no temp file left behind


def test_batching_is_validated_and_keyed():
    with pytest.raises(ValueError, match=r"batching='by-length'.*'model', 'token-sorted'"):
        Embedder(EmbedConfig(batching="by-length"), progress=False)
    ident = resolve_model(None)
    keys = {
        cache_key(ident, EmbedConfig(batching=b, batch_size=n)) for b in BATCHINGS for n in (8, 16)
    }
    assert len(keys) == 4
