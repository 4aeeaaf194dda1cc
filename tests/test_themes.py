"""Keyword ranking: the order is weight first, then alphabetical, whatever the vocabulary."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from analysis.themes import _TOKEN, STOP_WORDS, c_tf_idf_keywords


def _reference(docs: list[str], n: int) -> list[list[str]]:
    """The ranking written out with Python's sort, as the definition to match."""
    _, weights = c_tf_idf_keywords(docs, n)
    cv = CountVectorizer(
        stop_words=sorted(STOP_WORDS), ngram_range=(1, 2), token_pattern=_TOKEN
    ).fit(docs)
    vocab = cv.get_feature_names_out()
    out = []
    for row in weights:
        words: list[str] = []
        for j in sorted(range(len(vocab)), key=lambda j: (-row[j], vocab[j])):
            w = vocab[j]
            if " " not in w and any(w in b.split() for b in words if " " in b):
                continue
            words.append(w)
            if len(words) == n:
                break
        out.append(words)
    return out


def test_ties_break_alphabetically():
    # every word of each theme document has the same weight: ranks are alphabetical
    docs = ["zeta alpha mango", "kiwi banana quince"]
    kws, _ = c_tf_idf_keywords(docs, n=3)
    # "mango" is skipped: the chosen bigram "alpha mango" already holds it
    assert kws == [["alpha", "alpha mango", "zeta"], ["banana", "banana quince", "kiwi"]]
    assert kws == _reference(docs, 3)


def test_ranking_matches_the_written_out_definition():
    rng = np.random.default_rng(0)
    words = [f"w{chr(97 + i)}{chr(97 + j)}" for i in range(6) for j in range(6)]
    docs = [" ".join(rng.choice(words, size=60)) for _ in range(5)]
    kws, _ = c_tf_idf_keywords(docs, n=10)
    assert kws == _reference(docs, 10)
    assert all(len(k) == 10 for k in kws)
