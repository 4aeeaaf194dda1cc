"""Naming themes (`analysis.modeling.naming`): keyword ranks are weight first, then alphabetical,
whatever the vocabulary; names are unique and fall back to keyphrases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from analysis.modeling.keywords import STOP_WORDS, TOKEN_PATTERN, c_tf_idf_keywords
from analysis.modeling.naming import broad_names, earned_names, name_description, name_matches


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


def test_names_are_earned_by_coverage_and_precision():
    """Three themes of two papers each; names A and B, a phrase only theme 2's papers hold."""
    labels = np.array([0, 0, 1, 1, 2, 2])
    vectors = np.array([[1.0, 0.0]] * 2 + [[0.0, 1.0]] * 2 + [[0.7, 0.7]] * 2)
    name_vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    texts = ["a", "a", "b", "b", "graph neural nets", "graph neural tricks"]
    keywords = [["a"], ["b"], ["graph neural", "graph"]]
    got = earned_names(labels, texts, vectors, ["A", "B"], name_vectors, keywords)
    assert got["theme_name"].tolist() == ["A", "B", "Graph neural"]
    assert got["name_source"].tolist() == ["vocabulary", "vocabulary", "keyphrase"]
    # the [0.7, 0.7] papers are nearest A (ties: first name): A covers theme 0 but is imprecise
    assert got.loc[0, ["name_coverage", "name_precision"]].tolist() == [1.0, 0.5]
    assert got.loc[2, ["name_coverage", "name_precision"]].tolist() == [1.0, 1.0]
    assert got["name_fits"].all()
    assert got["theme_name"].is_unique


def test_a_description_near_every_paper_does_not_claim_them_all():
    """ "Hub" is the nearest description of every paper by plain cosine; once each
    description's mean similarity over the papers is taken off, each paper goes to the name
    that sets it apart, and each theme earns its own name."""
    p0, p1 = np.array([1.0, 0.2, 1.5]), np.array([0.2, 1.0, 1.5])
    vectors = np.array([p0 / np.linalg.norm(p0)] * 3 + [p1 / np.linalg.norm(p1)] * 3)
    name_vectors = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # Hub, A, B
    assert ((vectors @ name_vectors.T).argmax(1) == 0).all()  # plain cosine: all "Hub"
    assert name_matches(vectors, name_vectors).argmax(1).tolist() == [1, 1, 1, 2, 2, 2]
    labels = np.repeat([0, 1], 3)
    got = earned_names(labels, ["x"] * 6, vectors, ["Hub", "A", "B"], name_vectors, [[], []])
    assert got["theme_name"].tolist() == ["A", "B"]
    assert got["name_coverage"].tolist() == [1.0, 1.0]


def test_a_theme_of_two_vocabulary_themes_gets_both_names():
    labels = np.array([0, 0, 0, 0, 1, 1])
    vectors = np.array([[1.0, 0, 0]] * 2 + [[0, 1.0, 0]] * 2 + [[0, 0, 1.0]] * 2)
    name_vectors = np.eye(3)
    got = earned_names(
        labels, ["x"] * 6, vectors, ["Alpha", "Beta", "Gamma"], name_vectors, [[], []]
    )
    assert got["theme_name"].tolist() == ["Alpha & beta", "Gamma"]
    assert got.loc[0, "name_coverage"] == 1.0


def test_a_name_that_covers_few_members_is_flagged():
    """Theme 0 mixes papers nearest A, B and C, each of which a bigger theme earns; only
    two of its six papers say "mixed bag"."""
    labels = np.repeat([0, 1, 2, 3], [6, 10, 10, 10])
    nearest = np.concatenate([[0, 0, 1, 1, 2, 2], np.repeat([0, 1, 2], 10)])
    vectors = np.eye(3)[nearest]
    texts = ["a mixed bag", "mixed bag"] + ["other"] * 34
    keywords = [["mixed bag"], [], [], []]
    got = earned_names(labels, texts, vectors, ["A", "B", "C"], np.eye(3), keywords)
    assert got["theme_name"].tolist() == ["Mixed bag", "A", "B", "C"]
    assert got.loc[0, "name_coverage"] == pytest.approx(1 / 3)
    assert got["name_fits"].tolist() == [False, True, True, True]
    # more themes than candidates: the rest are placeholders, flagged
    got = earned_names(labels, texts, vectors, ["A", "B", "C"], np.eye(3), [[]] * 4)
    assert got.loc[0, "theme_name"] == "Unnamed theme 0" and not got.loc[0, "name_fits"]


def test_broad_names_are_true_of_their_fine_themes():
    broad_of_fine = np.array([0, 0, 1])
    labels = np.array([0, 0, 1, 1, 2, 2])
    broad_labels = broad_of_fine[labels]
    # broad theme 0's four papers are nearest four different names, none covering half of
    # them: it is named from its fine themes; "Wide" describes exactly broad theme 1
    vectors = np.eye(5)[[0, 1, 2, 3, 4, 4]]
    got = broad_names(
        broad_of_fine,
        ["Alpha & x", "Beta", "Gamma"],
        [2, 2, 2],
        broad_labels,
        labels,
        vectors,
        ["N1", "N2", "N3", "N4", "Wide"],
        np.eye(5),
    )
    assert got["broad_theme_name"].tolist() == ["Alpha and Beta", "Wide"]
    assert got["name_source"].tolist() == ["fine names", "vocabulary"]
    # a name that covers half of a broad theme but none of one of its fine themes is not used
    vectors = np.eye(2)[[0, 0, 1, 1, 1, 1]]  # "A": fine theme 0 only; "B": fine theme 1 only
    got = broad_names(
        broad_of_fine,
        ["P", "Q", "R"],
        [2, 2, 2],
        broad_labels,
        labels,
        vectors,
        ["A", "B"],
        np.eye(2),
    )
    assert got["broad_theme_name"].tolist()[0] == "P and Q"


def test_a_joined_name_is_described_by_both_parts():
    d = {"Alpha": "First.", "Beta things": "Second."}
    assert name_description("Alpha", d) == "First."
    assert name_description("Alpha & beta things", d) == "First. Second."
    assert name_description("Alpha & gamma", d) is None
    assert name_description("Speculative decoding", d) is None
