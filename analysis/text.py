"""A paper's text as the analysis reads it, and its sentences: the only copies of both.

The embedding, the keyphrases, the layout and compression tables and the speed-up extraction
all read "title. abstract" and split it at the same sentence boundaries, so that a change here
changes every stage alike.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "TITLE_SEPARATOR",
    "paper_text",
    "paper_texts",
    "sentences",
    "split_sentences",
    "word_count",
]

#: Between a paper's title and its abstract in the text that is embedded and searched.
TITLE_SEPARATOR = ". "

# A sentence ends at . ! or ? followed by space and an upper-case letter, digit or bracket;
# "e.g. the" and "Fig. 3a" style abbreviations rarely meet that and cost only a window edge.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")


# Characters of the scripts written without spaces between words whose text is measured in
# characters: Han ideographs (CJK Unified Ideographs, extensions A-H, compatibility ideographs,
# the iteration mark U+3005 and ideographic zero U+3007), Hiragana and Katakana (full and
# halfwidth; not the middle dot U+30FB).
_CHARACTER_WORDS = re.compile(
    "[\u3005\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U000323af]"
)


def word_count(text: str) -> int:
    """Words in `text`, for scripts with and without spaces between words.

    A run of non-space characters is one word, as `str.split` counts, unless it holds Chinese
    or Japanese characters (Han, Hiragana, Katakana): each of those is one word, as such texts
    are measured in characters, and each stretch between them that holds a letter or digit
    ("GPT-4" in "基于GPT-4的") is one more; punctuation alone (a fullwidth comma) is none.
    Counting by spaces alone would make a Chinese abstract a handful of "words". Korean is
    written with spaces and counts by them. Thai, Lao, Khmer and Myanmar, also written without
    spaces, still count by spaces: telling their words apart needs a dictionary.
    """
    if not _CHARACTER_WORDS.search(text):
        return len(text.split())
    n = 0
    for run in text.split():
        chars = len(_CHARACTER_WORDS.findall(run))
        if not chars:
            n += 1
            continue
        rest = _CHARACTER_WORDS.split(run)
        n += chars + sum(1 for piece in rest if any(c.isalnum() for c in piece))
    return n


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
