"""`Embedder` (`analysis.embedding.encoder`): full-text vectors, and batches that any engine can
compute one model call at a time with sentence-transformers' own results."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import EmbedConfig
from analysis.dataset import load_papers
from analysis.embedding import Embedder
from analysis.text import paper_texts

from .texts import LONG, SMALL


def test_full_text_differs_from_truncated():
    embedder = Embedder(EmbedConfig(), progress=False)
    v_full = embedder.encode([LONG])[0]
    v_trunc = embedder.model.encode([LONG], convert_to_numpy=True, normalize_embeddings=True)[0]
    assert np.isclose(np.linalg.norm(v_full), 1.0, atol=1e-5)
    assert float(v_full @ v_trunc) < 0.999  # the tail of the text changes the vector
    assert embedder.last_n_windows.tolist() == [len(embedder.windows(LONG))]


@pytest.mark.slow
def test_token_sorted_batching_keeps_rows_in_order():
    """Same tokens, other batch shapes: vectors agree to float noise, row for row."""
    texts = [*SMALL, LONG, *paper_texts(load_papers())[:9]]
    model = Embedder(EmbedConfig(batching="model"), progress=False)
    ref = model.encode(texts)
    fast = Embedder(EmbedConfig(batching="token-sorted", batch_size=4), progress=False)
    got, n_windows = fast.encode(texts), fast.last_n_windows
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() < 1e-5
    # a row swap would show up here: every row is closest to its own reference row
    assert (np.argmax(got @ ref.T, axis=1) == np.arange(len(texts))).all()
    assert n_windows.tolist() == model.last_n_windows.tolist()
    assert n_windows[3] > 2  # LONG needs several windows, batched apart


@pytest.mark.slow
def test_model_batching_is_sentence_transformers_encode_bit_for_bit():
    """One call per batch, in our own batch order, gives exactly what one `encode` call gives:
    what lets engines split the batches between workers."""
    texts = paper_texts(load_papers())[:20]
    emb = Embedder(EmbedConfig(batching="model", batch_size=8), progress=False)
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
