"""Texts cut into windows that fit the model, and pooled back together.

all-MiniLM-L6-v2 reads at most 256 tokens and every text here is longer (mean ~340), so a plain
`encode` would silently drop the end of every abstract. Each text is split on sentence
boundaries into windows of at most `window_tokens` tokens; after embedding, a text's windows are
averaged (weighted by their token counts) and L2-normalised. The tokenisation that plans the
windows also counts each text's tokens unknown to the model, so that text the model cannot read
is noticed without a second pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..text import split_sentences

__all__ = ["Tokens", "WindowPlan", "plan_windows", "text_windows"]


class Tokens(NamedTuple):
    """A text's tokens as windows need them: their character spans, and how many of them the
    model's vocabulary lacks (``[UNK]``)."""

    offsets: Sequence[tuple[int, int]]
    n_unknown: int = 0


def text_windows(
    text: str, offsets: Sequence[tuple[int, int]], budget: int
) -> list[tuple[str, int]]:
    """Split `text` into (window text, token count) pairs, each within `budget` tokens.

    `offsets` are the character spans of its tokens. Sentences are packed greedily; a sentence
    longer than the budget is cut at token boundaries. Every token lands in exactly one window.
    """
    if not offsets:
        return [(text, 0)]
    # token index ranges of each sentence
    sentences: list[tuple[int, int]] = []
    t = 0
    for _, end in split_sentences(text):
        start_t = t
        while t < len(offsets) and offsets[t][0] < end:
            t += 1
        if t > start_t:
            sentences.append((start_t, t))
    if t < len(offsets):
        sentences.append((t, len(offsets)))
    # pieces no longer than the budget
    pieces: list[tuple[int, int]] = []
    for a, b in sentences:
        while b - a > budget:
            pieces.append((a, a + budget))
            a += budget
        pieces.append((a, b))
    # greedy packing of consecutive pieces
    spans: list[tuple[int, int]] = []
    for a, b in pieces:
        if spans and b - spans[-1][0] <= budget:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return [(text[offsets[a][0] : offsets[b - 1][1]], b - a) for a, b in spans]


@dataclass
class WindowPlan:
    """How texts were cut into windows: window i belongs to text `owner[i]`."""

    windows: list[str]
    owner: np.ndarray  # text index of each window
    weight: np.ndarray  # token count of each window (>= 1): its weight in the mean
    lengths: np.ndarray  # tokens the model sees per window (what batches are sorted by)
    n_tokens: np.ndarray  # tokens per text, special tokens excluded
    n_texts: int
    n_unknown: np.ndarray | None = None  # tokens per text unknown to the model ([UNK])

    @property
    def n_windows(self) -> np.ndarray:
        return np.bincount(self.owner, minlength=self.n_texts)

    @property
    def unknown_share(self) -> np.ndarray:
        """Share of each text's tokens unknown to the model (0 for a text without tokens, and
        for all when the plan was made without counting them)."""
        if self.n_unknown is None:
            return np.zeros(self.n_texts)
        return self.n_unknown / np.maximum(self.n_tokens, 1)

    def pool(self, rows: np.ndarray, vecs: np.ndarray) -> np.ndarray:
        """Token-weighted mean of each text's window vectors (`vecs[j]` is window `rows[j]`),
        L2-normalised, float32. Sums run in window order whatever order `rows` come in."""
        n = len(self.owner)
        if sorted(rows.tolist()) != list(range(n)):
            raise ValueError("every window must have exactly one vector")
        by_window = np.empty((n, vecs.shape[1]), dtype=np.float64)
        by_window[rows] = vecs
        out = np.zeros((self.n_texts, vecs.shape[1]), dtype=np.float64)
        np.add.at(out, self.owner, by_window * self.weight.astype(np.float64)[:, None])
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out.astype(np.float32)


def plan_windows(
    texts: Sequence[str],
    offsets_of: Callable[[str], Sequence[tuple[int, int]] | Tokens],
    budget: int,
    truncate_at: int | None = None,
) -> WindowPlan:
    """The windows of every text (`offsets_of(text)`: its token spans, or its `Tokens` when
    the tokenizer also counts the unknown ones, which the plan's ``n_unknown`` then holds).

    `truncate_at`: embed each text whole, cut by the model at that many tokens, as a plain
    `encode` does (only for measuring what truncation changes).
    """
    windows: list[str] = []
    owner: list[int] = []
    weight: list[int] = []
    lengths: list[int] = []
    n_tokens = []
    n_unknown = []
    for i, text in enumerate(texts):
        tokens = offsets_of(text)
        if isinstance(tokens, Tokens):
            offsets, unknown = tokens
        else:
            offsets, unknown = tokens, 0
        n_unknown.append(unknown)
        wins = text_windows(text, offsets, budget)
        n_tokens.append(sum(n for _, n in wins))
        if truncate_at is not None:
            wins = [(text, 1)]
            lengths.append(min(n_tokens[-1], truncate_at))
        else:
            lengths.extend(n for _, n in wins)
        for w, n in wins:
            windows.append(w)
            owner.append(i)
            weight.append(max(n, 1))
    return WindowPlan(
        windows,
        np.asarray(owner, dtype=np.int64),
        np.asarray(weight, dtype=np.int64),
        np.asarray(lengths, dtype=np.int64),
        np.asarray(n_tokens, dtype=np.int64),
        len(texts),
        np.asarray(n_unknown, dtype=np.int64),
    )
