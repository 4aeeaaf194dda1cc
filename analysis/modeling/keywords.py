"""What a theme is about, in words: class-based TF-IDF keyphrases and the papers nearest its
centroid.

Keywords follow BERTopic's class-based TF-IDF (all abstracts of a theme form one document;
weight = term frequency in the theme x log(1 + mean words per theme / term frequency overall))
over unigrams and bigrams, with English and corpus boilerplate stop words removed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..numerics import cosines

__all__ = ["STOP_WORDS", "TOKEN_PATTERN", "c_tf_idf_keywords", "representatives"]

#: Words that say nothing about a theme in this corpus of abstracts.
BOILERPLATE = {
    "propose",
    "proposed",
    "proposes",
    "paper",
    "model",
    "models",
    "result",
    "results",
    "method",
    "methods",
    "approach",
    "approaches",
    "based",
    "performance",
    "using",
    "use",
    "used",
    "show",
    "shows",
    "demonstrate",
    "demonstrates",
    "achieve",
    "achieves",
    "achieving",
    "novel",
    "new",
    "task",
    "tasks",
    "data",
    "training",
    "framework",
    "state",
    "art",
    "existing",
    "significantly",
    "significant",
    "experiments",
    "experimental",
    "extensive",
    "available",
    "https",
    "http",
    "github",
    "com",
    "io",
    "introduce",
    "introduces",
    "present",
    "presents",
    "work",
    "works",
    "study",
    "studies",
    "effective",
    "effectively",
    "improve",
    "improves",
    "improved",
    "improvement",
    "improvements",
    "benchmark",
    "benchmarks",
    "datasets",
    "dataset",
    "outperforms",
    "compared",
    "previous",
    "recent",
    "recently",
    "various",
    "different",
    "including",
    "specifically",
    "furthermore",
    "moreover",
    "address",
    "however",
    "publicly",
    "released",
    "module",
    "modules",
    "level",
    "high",
    "better",
    "strong",
    "key",
    "challenge",
    "challenges",
    "problem",
    "problems",
    "way",
    "abstract",
    "large",
    "end",
    "able",
    "leverage",
    "leveraging",
    "leverages",
    "evaluate",
    "evaluation",
    "terms",
    "wide",
    "range",
    "sota",
    "simple",
    "general",
    "information",
    "order",
    "number",
    "source",
    "open",
}


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | BOILERPLATE)


STOP_WORDS: frozenset[str] = _stop_words()

# Words of two or more letters, keeping inner hyphens ("encoder-decoder", "kv-cache").
#: A word: a letter, then letters, digits or hyphenated parts (shared by keywords and listings).
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*\b"


def c_tf_idf_keywords(
    docs_per_theme: Sequence[str], n: int = 10
) -> tuple[list[list[str]], np.ndarray]:
    """Top `n` keyphrases per theme document, and the full c-TF-IDF matrix."""
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(
        stop_words=sorted(STOP_WORDS),
        ngram_range=(1, 2),
        token_pattern=TOKEN_PATTERN,
        lowercase=True,
    )
    counts = cv.fit_transform(docs_per_theme).toarray().astype(np.float64)
    vocab = cv.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    avg_words = counts.sum() / len(docs_per_theme)
    idf = np.log1p(avg_words / np.maximum(counts.sum(0), 1))
    weights = tf * idf
    out = []
    alphabetical = np.argsort(np.argsort(vocab, kind="stable"), kind="stable")
    for row in weights:
        # stable order: weight, then alphabetical, so ties never depend on hashing
        order = np.lexsort((alphabetical, -row))
        words: list[str] = []
        for j in order:
            w = vocab[j]
            # a unigram already inside a chosen bigram adds nothing
            if " " not in w and any(w in b.split() for b in words if " " in b):
                continue
            words.append(w)
            if len(words) == n:
                break
        out.append(words)
    return out, weights


def representatives(
    vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray, n: int = 5
) -> list[list[int]]:
    """Row indices of the `n` members nearest each theme's centroid (cosine), best first."""
    out = []
    for t, c in enumerate(centroids):
        idx = np.flatnonzero(labels == t)
        sims = cosines(vectors[idx], c[None, :])[:, 0]
        order = np.lexsort((idx, -sims))  # ties: earlier row first
        out.append(idx[order[:n]].tolist())
    return out
