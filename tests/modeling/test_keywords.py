"""Keyphrases (`analysis.modeling.keywords`): ranks are weight first, then alphabetical, whatever
the vocabulary."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from analysis.modeling.keywords import STOP_WORDS, TOKEN_PATTERN, c_tf_idf_keywords


def _reference(docs: list[str], n: int) -> list[list[str]]:
    """The ranking written out with Python's sort, as the definition to match: by weight, then
    alphabetically, leaving out each unigram that a bigram ranked above it contains."""
    _, weights = c_tf_idf_keywords(docs, n)
    cv = CountVectorizer(
        stop_words=sorted(STOP_WORDS), ngram_range=(1, 2), token_pattern=TOKEN_PATTERN
    ).fit(docs)
    vocab = cv.get_feature_names_out().tolist()
    out = []
    for row in weights:
        weight = dict(zip(vocab, row, strict=True))
        ranked = sorted(vocab, key=lambda w: (-weight[w], w))
        bigrams_above = [[b for b in ranked[:i] if " " in b] for i in range(len(ranked))]
        kept = [
            w
            for w, above in zip(ranked, bigrams_above, strict=True)
            if " " in w or not any(w in b.split() for b in above)
        ]
        out.append(kept[:n])
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
