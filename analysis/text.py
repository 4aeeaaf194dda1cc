"""A paper's text as the analysis reads it, and its sentences: the only copies of both.

The embedding, the keyphrases, the layout and compression tables and the speed-up extraction
all read "title. abstract" and split it at the same sentence boundaries, so that a change here
changes every stage alike.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["TITLE_SEPARATOR", "paper_text", "paper_texts", "sentences", "split_sentences"]

#: Between a paper's title and its abstract in the text that is embedded and searched.
TITLE_SEPARATOR = ". "

# A sentence ends at . ! or ? followed by space and an upper-case letter, digit or bracket;
# "e.g. the" and "Fig. 3a" style abbreviations rarely meet that and cost only a window edge.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")


def paper_text(title: str, abstract: str) -> str:
    """The text embedded and searched for one paper: its title, a full stop, its abstract."""
    return f"{title}{TITLE_SEPARATOR}{abstract}"


def paper_texts(papers: pd.DataFrame) -> list[str]:
    """`paper_text` of every row of a table with `title` and `abstract` columns."""
    return [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"], strict=True)]


def title_of(text: str) -> str:
    """The title part of a `paper_text` (all of it when there is no separator)."""
    return text.split(TITLE_SEPARATOR, 1)[0]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (together they cover it, whitespace aside)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (`split_sentences` spans)."""
    return [text[a:b] for a, b in split_sentences(text)]
