"""Texts cut into windows that fit the model (`analysis.embedding.windows`): every token in
exactly one window, cuts at sentence ends, and pooling back in window order."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import EmbedConfig
from analysis.dataset import load_papers
from analysis.embedding import Embedder, WindowPlan
from analysis.embedding.encoder import UnknownTokensWarning, warn_unknown_tokens
from analysis.embedding.windows import Tokens, plan_windows, text_windows
from analysis.text import paper_text, paper_texts

from ..test_text import CHINESE
from .texts import LONG, RUN_ON, SMALL

CHINESE_TITLE = "一种高效压缩大型语言模型的新方法"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(EmbedConfig(), progress=False)


def token_ids(emb: Embedder, text: str) -> list[int]:
    """The model's own tokenizer (transformers'), not the one the windows are planned with."""
    return emb.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]


@pytest.mark.parametrize("text", [LONG, RUN_ON, SMALL[0]], ids=["long", "run-on", "short"])
def test_windows_cover_every_token(embedder: Embedder, text: str):
    wins = embedder.windows(text)
    budget = embedder.config.window_tokens
    assert all(n <= budget for _, n in wins)
    assert sum(n for _, n in wins) == len(token_ids(embedder, text))
    rejoined = [t for w, _ in wins for t in token_ids(embedder, w)]
    assert rejoined == token_ids(embedder, text)
    if len(token_ids(embedder, text)) > budget:
        assert len(wins) > 1


def test_windows_cover_every_token_of_every_real_text(embedder: Embedder):
    for text in paper_texts(load_papers()):
        wins = embedder.windows(text)
        assert [t for w, _ in wins for t in token_ids(embedder, w)] == token_ids(embedder, text)


def test_long_window_is_split_at_sentence_boundaries(embedder: Embedder):
    wins = embedder.windows(LONG)
    # every window but possibly the last ends where a sentence ends
    assert all(w.endswith(".") for w, _ in wins)


def _word_offsets(text: str) -> list[tuple[int, int]]:
    """A stand-in tokenizer: one token per run of non-space characters."""
    return [m.span() for m in re.finditer(r"\S+", text)]


_words = st.lists(
    st.one_of(st.sampled_from(["end.", "Next", "(a)", "x", "2.5x"]), st.from_regex(r"\w{1,8}")),
    max_size=120,
)


@settings(max_examples=200, deadline=None)
@given(words=_words, budget=st.integers(1, 12))
def test_text_windows_keep_every_token_once_within_the_budget(words: list[str], budget: int):
    text = " ".join(words)
    offsets = _word_offsets(text)
    wins = text_windows(text, offsets, budget)
    assert all(1 <= n <= budget for _, n in wins) or not offsets
    assert sum(n for _, n in wins) == len(offsets)
    assert [w for win, _ in wins for w in win.split()] == text.split()


def test_plan_windows_truncating_sees_each_text_whole():
    texts = ["One two three. Four five six.", "Seven."]
    full = plan_windows(texts, _word_offsets, budget=3)
    assert full.windows == ["One two three.", "Four five six.", "Seven."]
    assert full.owner.tolist() == [0, 0, 1] and full.n_tokens.tolist() == [6, 1]
    cut = plan_windows(texts, _word_offsets, budget=3, truncate_at=4)
    assert cut.windows == texts
    assert cut.lengths.tolist() == [4, 1]  # what the model reads of each, at most 4 tokens
    assert cut.n_tokens.tolist() == [6, 1]  # what the text has


# --- tokens the model does not know ----------------------------------------------------------


def test_chinese_text_warns_that_the_model_cannot_read_it(embedder: Embedder):
    texts = [SMALL[0], paper_text(CHINESE_TITLE, CHINESE), SMALL[1]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = embedder.plan(texts)
    assert [w.category for w in caught] == [UnknownTokensWarning]
    n_unknown, n_tokens = plan.n_unknown[1], plan.n_tokens[1]
    assert str(caught[0].message) == (
        "1 text has more than 20% of its tokens unknown to the model ([UNK]): its vector means "
        "little (a script outside the model's vocabulary?): "
        f"{CHINESE_TITLE!r} ({n_unknown} of {n_tokens}, {n_unknown / n_tokens:.0%})"
    )
    # counted in the tokenisation that plans the windows: the model's own tokenizer agrees
    tok = embedder.model.tokenizer
    ids = token_ids(embedder, texts[1])
    assert plan.n_unknown.tolist() == [0, ids.count(tok.unk_token_id), 0]
    assert plan.n_tokens[1] == len(ids)
    assert plan.unknown_share[1] > 0.5


def test_english_texts_do_not_warn(embedder: Embedder):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownTokensWarning)
        plan = embedder.plan([*SMALL, LONG])
    assert plan.n_unknown.tolist() == [0, 0, 0, 0]


def test_no_real_text_is_unknown_to_the_model(embedder: Embedder):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownTokensWarning)
        plan = embedder.plan(paper_texts(load_papers()))
    assert plan.n_unknown.sum() == 0


def _unknown_marks(text: str) -> Tokens:
    """A stand-in tokenizer: one token per word, a word with a "?" unknown."""
    return Tokens(_word_offsets(text), sum("?" in w for w in text.split()))


def test_several_unreadable_texts_are_named_in_one_warning():
    texts = ["One. ?? ?? ??", "Two. known words here", "Three. ?? ??"]
    plan = plan_windows(texts, _unknown_marks, budget=3)
    assert plan.n_unknown.tolist() == [3, 0, 2]
    np.testing.assert_allclose(plan.unknown_share, [3 / 4, 0, 2 / 3])
    with pytest.warns(UnknownTokensWarning) as caught:
        assert warn_unknown_tokens(texts, plan) == [0, 2]
    assert len(caught) == 1
    assert str(caught[0].message) == (
        "2 texts have more than 20% of their tokens unknown to the model ([UNK]): their vectors "
        "mean little (a script outside the model's vocabulary?): 'One' (3 of 4, 75%); "
        "'Three' (2 of 3, 67%)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownTokensWarning)
        assert warn_unknown_tokens(texts, plan, max_share=0.75) == []  # more than, not as much


# A plan of 3 texts in 4 windows (text 0 has two).
PLAN = WindowPlan(
    windows=[],
    owner=np.array([0, 0, 1, 2]),
    weight=np.array([3, 1, 5, 2]),
    lengths=np.array([3, 1, 5, 2]),
    n_tokens=np.array([4, 5, 2]),
    n_texts=3,
)


def _window_vecs(rows) -> np.ndarray:
    """A distinct vector per window."""
    return np.stack([np.arange(4, dtype=np.float32) + 10 * r for r in rows])


def test_window_plan_pools_in_any_row_order():
    rows = np.arange(4)
    ref = PLAN.pool(rows, _window_vecs(rows))
    perm = np.array([3, 1, 0, 2])
    np.testing.assert_array_equal(PLAN.pool(perm, _window_vecs(perm)), ref)
    assert np.allclose(np.linalg.norm(ref, axis=1), 1)
    # text 0: the token-weighted mean of its two windows (weights 3 and 1)
    mean = 3 * _window_vecs([0])[0] + _window_vecs([1])[0]
    np.testing.assert_allclose(ref[0], mean / np.linalg.norm(mean), rtol=1e-6)
    for bad in (np.array([0, 1, 2]), np.array([0, 1, 1, 3])):  # a window lost or doubled
        with pytest.raises(ValueError, match="exactly one vector"):
            PLAN.pool(bad, _window_vecs(bad))
