"""A paper's text as the analysis reads it, and its sentences: the only copies of both.

The embedding, the keyphrases, the layout and compression tables and the speed-up extraction
all read "title. abstract" and split it at the same sentence boundaries, so that a change here
changes every stage alike.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = [
    "OWN_WORK",
    "TITLE_SEPARATOR",
    "contribution",
    "own_method",
    "paper_text",
    "paper_texts",
    "plain_tex",
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


#: Where an abstract turns from the field to its own work ("we propose", "this paper
#: introduces"); "proposed" and "introduced" are left out, as they mostly tell of earlier work.
OWN_WORK = re.compile(
    r"\b(?:propos(?:e|es|ing)|introduc(?:e|es|ing)|present(?:s|ing)?|develop(?:s|ing)?)\b",
    re.IGNORECASE,
)
# The subject that opens the clause of the paper's own work: "we", "this paper", "our method".
_OWN_SUBJECT = re.compile(
    r"\b(?:we|this (?:paper|work|study|article)|in this (?:paper|work)|our (?:paper|work))\b",
    re.IGNORECASE,
)
#: Where the sentence splitter stops too early for a summary (it cuts windows, so it stays).
_ABBREVIATIONS = ("a.k.a.", "e.g.", "i.e.", "et al.", "vs.", "cf.", "Fig.", "Eq.")
#: A summary is cut at a word boundary past this many characters.
SUMMARY_CHARS = 240


def own_method(abstract: str) -> str:
    """The part of an abstract that describes the paper's own method: from the first sentence
    that proposes or introduces something on (the sentences before tell of the field and name
    other methods, often the very ones the paper improves on); the whole abstract if none does."""
    sents = sentences(abstract)
    first = next((i for i, s in enumerate(sents) if OWN_WORK.search(s)), 0)
    return " ".join(sents[first:])


def contribution(abstract: str, limit: int = SUMMARY_CHARS) -> str:
    """A paper in one line: its first sentence in which it proposes or introduces something
    itself, from its subject on ("We propose ...", "This paper introduces ..."), else its
    first sentence that proposes anything, else its first sentence; cut at a word boundary
    after `limit` characters ("...")."""
    sents = [x.strip() for x in sentences(abstract)] or [abstract.strip()]

    def own(x: str) -> int | None:
        verb = OWN_WORK.search(x)
        subj = [m.start() for m in _OWN_SUBJECT.finditer(x) if verb and m.start() < verb.start()]
        return subj[-1] if subj else None

    # a sentence cut after "a.k.a." or "e.g." reads on into the next one
    merged: list[str] = []
    for x in sents:
        if merged and merged[-1].endswith(_ABBREVIATIONS):
            merged[-1] = f"{merged[-1]} {x}"
        else:
            merged.append(x)
    sents = merged
    hit = next(((x, own(x)) for x in sents if own(x) is not None), None)
    s, start = hit or (next((x for x in sents if OWN_WORK.search(x)), sents[0]), 0)
    s = re.sub(r"^in this (paper|work),?\s*", "", s[start:], flags=re.IGNORECASE)
    s = s[:1].upper() + s[1:]
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "..."
    return s


# LaTeX escapes the listing pages left in abstracts ("88.7\\%"), as a reader should see them.
_TEX = {
    "\\%": "%",
    "\\&": "&",
    "\\_": "_",
    "\\#": "#",
    "\\$": "$",
    "\\times": "\u00d7",  # the multiplication sign
    "~": " ",
}


def plain_tex(text: str) -> str:
    """`text` with the LaTeX escapes of the dumps shown as the characters they stand for
    ("88.7\\%" -> "88.7%", "2\\times" -> 2 and a multiplication sign); for display only, never
    for what is embedded or quoted."""
    for tex, char in _TEX.items():
        text = text.replace(tex, char)
    return text
