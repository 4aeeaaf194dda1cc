"""Why a theme's name is right, in its members' own words: verbatim sentences that say what the
name says.

For each of the name's areas in turn (an umbrella or a joined name has several), the member
described by that area whose sentence is closest to the area's description (TF-IDF cosine over
words and word pairs, stop words left out) gives one sentence, taken from where the abstract
turns to its own work (its background sentences describe the field, not the paper), until `n`
sentences from different members are found; a keyphrase name quotes sentences that hold the
phrase. Members are taken most typical first (`fit`), so the quotes come from papers that
belong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..text import own_method, sentences
from .keywords import STOP_WORDS, TOKEN_PATTERN
from .naming import phrase_matches
from .vocabulary import Vocabulary

__all__ = ["EVIDENCE_SEPARATOR", "N_EVIDENCE", "evidence"]

#: Sentences quoted per theme.
N_EVIDENCE = 3
#: How the quotes are joined in one CSV cell; a sentence holding it is never quoted.
EVIDENCE_SEPARATOR = " | "
#: Quoted sentences are at least and at most this long (characters).
SENTENCE_CHARS = (40, 400)


#: A list of keywords at an abstract's end ("Keywords: ...", "Index Terms - ...") is no sentence
#: about the paper, and would quote the name back to itself.
_KEYWORD_LIST = re.compile(r"^\s*(?:key\s*words?|index\s+terms)\b\s*[:\-\u2014\u2013]", re.I)


def _quotable(abstract: str) -> list[str]:
    """The sentences a quote may be: from where the paper turns to its own work (what it
    does, not the field's background), else any; of a readable length; never a keyword list."""
    lo, hi = SENTENCE_CHARS

    def ok(text: str) -> list[str]:
        return [
            s.strip()
            for s in sentences(text)
            if lo <= len(s.strip()) <= hi
            and EVIDENCE_SEPARATOR.strip() not in s
            and not _KEYWORD_LIST.match(s)
        ]

    return ok(own_method(abstract)) or ok(abstract)


def evidence(
    name: str,
    vocab: Vocabulary,
    members: Sequence[int],
    areas: np.ndarray,
    abstracts: Sequence[str],
    paper_ids: Sequence[str],
    n: int = N_EVIDENCE,
) -> list[str]:
    """Up to `n` quotes for a theme name, each "sentence [paper_id]", from different members.

    `members`: row indices of the theme's members, most typical first; `areas`: each paper's
    area index (`analysis.modeling.vocabulary.paper_areas`).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    parts = vocab.parts(name)
    quotes: list[str] = []
    used: set[int] = set()
    if not parts:  # a keyphrase: sentences that hold it
        for i in members:
            if len(quotes) == n:
                break
            said = [s for s in _quotable(abstracts[i]) if phrase_matches([s], name)[0]]
            if said:
                quotes.append(f"{said[0]} [{paper_ids[i]}]")
        return quotes
    pools = {}
    for part in parts:
        j = vocab.names.index(part)
        rows = [i for i in members if areas[i] == j]
        cands = [(i, s) for i in rows for s in _quotable(abstracts[i])]
        if cands:
            pools[part] = cands
    if not pools:
        return quotes
    texts = [vocab.areas[p] for p in pools] + [s for c in pools.values() for _, s in c]
    tfidf = TfidfVectorizer(
        stop_words=sorted(STOP_WORDS), ngram_range=(1, 2), token_pattern=TOKEN_PATTERN
    ).fit(texts)
    ranked = {}
    for part, cands in pools.items():
        q = tfidf.transform([vocab.areas[part]])
        sims = (tfidf.transform([s for _, s in cands]) @ q.T).toarray().ravel()
        order = np.lexsort((np.arange(len(cands)), -sims))  # ties: the more typical member
        ranked[part] = [cands[o] for o in order if sims[o] > 0]
    while len(quotes) < n and any(ranked.values()):
        for part in list(ranked):
            while ranked[part] and ranked[part][0][0] in used:
                ranked[part].pop(0)
            if ranked[part] and len(quotes) < n:
                i, s = ranked[part].pop(0)
                used.add(i)
                quotes.append(f"{s} [{paper_ids[i]}]")
    return quotes
