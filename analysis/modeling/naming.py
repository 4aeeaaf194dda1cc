"""Describe and name themes: c-TF-IDF keyphrases, representative papers, human-readable names.

Keywords follow BERTopic's class-based TF-IDF (all abstracts of a theme form one document;
weight = term frequency in the theme x log(1 + mean words per theme / term frequency overall))
over unigrams and bigrams, with English and corpus boilerplate stop words removed.

Names come from an editable vocabulary (`theme_vocabulary.json`: name -> one-line description).
Each description is embedded with the same model as the papers; themes and names are matched
one-to-one by maximising total cosine similarity between description and theme centroid
(Hungarian assignment), so names are unique at each level. A theme whose best available name is
below `ThemeConfig.name_min_similarity` is named from its two top keyphrases instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ThemeConfig
from ..text import paper_texts

__all__ = [
    "STOP_WORDS",
    "VOCABULARY_PATH",
    "c_tf_idf_keywords",
    "load_vocabulary",
    "match_names",
    "representatives",
]

VOCABULARY_PATH = Path(__file__).with_name("theme_vocabulary.json")

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
_TOKEN = r"(?u)\b[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*\b"


def c_tf_idf_keywords(
    docs_per_theme: Sequence[str], n: int = 10
) -> tuple[list[list[str]], np.ndarray]:
    """Top `n` keyphrases per theme document, and the full c-TF-IDF matrix."""
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(
        stop_words=sorted(STOP_WORDS),
        ngram_range=(1, 2),
        token_pattern=_TOKEN,
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
        sims = vectors[idx] @ c
        order = np.lexsort((idx, -sims))  # ties: earlier row first
        out.append(idx[order[:n]].tolist())
    return out


def load_vocabulary(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The editable name vocabulary: {"fine": {name: description}, "broad": {...}}."""
    p = Path(path) if path else VOCABULARY_PATH
    data = json.loads(p.read_text(encoding="utf-8"))
    for level in ("fine", "broad"):
        if not isinstance(data.get(level), dict) or not data[level]:
            raise ValueError(f"{p.name}: expected a non-empty object under {level!r}")
    return {k: dict(v) for k, v in data.items() if k in ("fine", "broad")}


def keyphrase_name(keywords: Sequence[str]) -> str:
    """Fallback name from the top keyphrases ("speculative decoding / draft")."""
    picked = list(keywords[:2]) or ["misc"]
    return " / ".join(picked)


def match_names(
    centroids: np.ndarray,
    names: Sequence[str],
    name_vectors: np.ndarray,
    keywords: Sequence[Sequence[str]],
    min_similarity: float,
) -> tuple[list[str], list[float], list[str]]:
    """One unique name per theme: Hungarian matching of centroids to name descriptions.

    Returns names, the cosine of each chosen description, and the source of each name
    ("vocabulary" or "keywords").
    """
    from scipy.optimize import linear_sum_assignment

    sims = centroids @ name_vectors.T  # themes x names
    rows, cols = linear_sum_assignment(-sims)
    chosen: dict[int, int] = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    out_names, out_sims, sources = [], [], []
    for t in range(len(centroids)):
        j = chosen.get(t)
        if j is not None and sims[t, j] >= min_similarity:
            out_names.append(names[j])
            out_sims.append(float(sims[t, j]))
            sources.append("vocabulary")
        else:
            out_names.append(keyphrase_name(keywords[t]))
            out_sims.append(float(sims[t, j]) if j is not None else float("nan"))
            sources.append("keywords")
    # keyphrase names could collide with each other or with a vocabulary name: make them unique
    seen: dict[str, int] = {}
    for i, nm in enumerate(out_names):
        if nm in seen:
            seen[nm] += 1
            out_names[i] = f"{nm} ({seen[nm]})"
        else:
            seen[nm] = 1
    return out_names, out_sims, sources


def theme_table(
    papers: pd.DataFrame,
    vectors: np.ndarray,
    labels: np.ndarray,
    broad_of_fine: np.ndarray,
    centroids: np.ndarray,
    name_vectors: dict[str, tuple[list[str], np.ndarray]],
    config: ThemeConfig | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fine and broad theme tables (ids, names, sizes, keywords, representatives).

    `name_vectors` maps "fine"/"broad" to (names, embedded descriptions).
    """
    cfg = config or ThemeConfig()
    k = len(centroids)
    texts = paper_texts(papers)
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == i) for i in range(k)]
    keywords, _ = c_tf_idf_keywords(docs, cfg.n_keywords)
    reps = representatives(vectors, labels, centroids, cfg.n_representatives)
    names, sims, sources = match_names(
        centroids, *name_vectors["fine"], keywords, cfg.name_min_similarity
    )

    # broad level: centroids of all member papers of each group of fine themes
    nb = int(broad_of_fine.max()) + 1
    broad_labels = np.where(labels >= 0, broad_of_fine[np.maximum(labels, 0)], -1)
    bcent = np.stack([vectors[broad_labels == b].mean(0) for b in range(nb)])
    bcent /= np.linalg.norm(bcent, axis=1, keepdims=True)
    bdocs = [
        " ".join(t for t, lab in zip(texts, broad_labels, strict=True) if lab == b)
        for b in range(nb)
    ]
    bkeywords, _ = c_tf_idf_keywords(bdocs, cfg.n_keywords)
    bnames, bsims, bsources = match_names(
        bcent, *name_vectors["broad"], bkeywords, cfg.name_min_similarity
    )
    broad = pd.DataFrame(
        {
            "broad_theme_id": range(nb),
            "broad_theme_name": bnames,
            "size": [int((broad_labels == b).sum()) for b in range(nb)],
            "n_fine": [int((broad_of_fine == b).sum()) for b in range(nb)],
            "keywords": bkeywords,
            "name_similarity": bsims,
            "name_source": bsources,
        }
    )
    fine = pd.DataFrame(
        {
            "theme_id": range(k),
            "theme_name": names,
            "broad_theme_id": broad_of_fine.astype(int),
            "broad_theme_name": [bnames[b] for b in broad_of_fine],
            "size": [int((labels == t).sum()) for t in range(k)],
            "keywords": keywords,
            "representative_ids": [papers["paper_id"].iloc[r].tolist() for r in reps],
            "representative_titles": [papers["title"].iloc[r].tolist() for r in reps],
            "name_similarity": sims,
            "name_source": sources,
        }
    )
    return fine, broad
