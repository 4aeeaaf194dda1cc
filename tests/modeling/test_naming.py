"""Names earned from members (`analysis.modeling.vocabulary`, `analysis.modeling.naming`): areas,
umbrellas and joined names describe the papers of their areas; a theme's name is chosen on one
half of its members and judged on the other; names are unique."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.modeling.naming import halves, name_themes, phrase_matches
from analysis.modeling.vocabulary import (
    Vocabulary,
    area_similarity,
    load_vocabulary,
    paper_areas,
)

VOCAB = Vocabulary(
    areas={"Alpha": "First.", "Beta": "Second.", "Gamma": "Third.", "Delta": "Fourth."},
    umbrellas={"Greek letters": ("The first three.", ("Alpha", "Beta", "Gamma"))},
)


def ids_by_half(n: int) -> tuple[list[str], list[str]]:
    """`n` paper ids of each half."""
    first, second = [], []
    i = 0
    while len(first) < n or len(second) < n:
        pid = f"p{i:05d}"
        (first if halves([pid])[0] == 0 else second).append(pid)
        i += 1
    return first[:n], second[:n]


def test_vocabulary_parts_and_descriptions():
    assert VOCAB.parts("Alpha") == ("Alpha",)
    assert VOCAB.parts(VOCAB.joined("Alpha", "Beta")) == ("Alpha", "Beta")
    assert VOCAB.joined("Alpha", "Beta") == "Alpha & beta"
    assert VOCAB.parts("Greek letters") == ("Alpha", "Beta", "Gamma")
    assert VOCAB.parts("Alpha & omega") == ()  # not two areas: a name from outside
    assert VOCAB.describe("Alpha & beta") == "First. Second."
    assert VOCAB.describe("Greek letters") == "The first three."
    assert VOCAB.describe("graph neural nets") is None
    assert VOCAB.texts()[0] == "Alpha: First."


def test_the_shipped_vocabulary_loads(tmp_path: Path):
    v = load_vocabulary()
    assert len(v.areas) >= 20 and all(v.areas.values())
    for name, (desc, parts) in v.umbrellas.items():
        assert desc and len(parts) >= 2 and set(parts) <= set(v.areas), name
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"areas": {"A": "a"}, "umbrellas": {"U": {"description": "u", "areas": ["A", "Nope"]}}}
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"umbrella 'U'.*unknown: Nope"):
        load_vocabulary(bad)
    bad.write_text(json.dumps({"areas": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="non-empty object of areas"):
        load_vocabulary(bad)


def test_areas_are_nearest_after_the_hub_correction():
    """Description 0 is near every paper (a hub); without the correction it would claim all."""
    vectors = np.array([[0.8, 0.6, 0.0]] * 3 + [[0.8, 0.0, 0.6]] * 3)
    area_vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert (vectors @ area_vectors.T).argmax(1).tolist() == [0] * 6
    assert paper_areas(vectors, area_vectors).tolist() == [1, 1, 1, 2, 2, 2]
    np.testing.assert_allclose(area_similarity(vectors, area_vectors).mean(0), 0, atol=1e-12)


def test_halves_do_not_depend_on_order():
    ids = [f"id{i}" for i in range(50)]
    h = halves(ids)
    assert 10 < h.sum() < 40
    perm = np.random.default_rng(0).permutation(50)
    assert np.array_equal(halves([ids[i] for i in perm]), h[perm])


def test_names_fit_their_members_and_are_unique():
    """Theme 0: all Alpha; theme 1: Beta and Gamma half and half; theme 2: Alpha too, but a
    name is given once, so it takes its next best."""
    a, b = ids_by_half(12)
    ids = a + b
    labels = np.array(([0] * 4 + [1] * 4 + [2] * 4) * 2)
    areas = np.array(([0] * 4 + [1, 1, 2, 2] + [0, 0, 0, 3]) * 2)
    got = name_themes(labels, ids, ["x"] * len(ids), areas, VOCAB)
    assert got["theme_name"].is_unique
    assert got["theme_name"].tolist()[1] == "Beta & gamma"
    assert set(got["theme_name"][[0, 2]]) == {"Alpha", "Alpha & delta"}
    t1 = got.iloc[1]
    assert t1["heldout_coverage"] == 1.0 and t1["name_coverage"] == 1.0
    assert t1["name_source"] == "areas joined" and bool(t1["name_fits"])


def test_an_umbrella_names_a_theme_of_its_areas():
    a, b = ids_by_half(9)
    ids = a + b
    labels = np.array(([0] * 6 + [1] * 3) * 2)
    areas = np.array([0, 0, 1, 1, 2, 2, 3, 3, 3] * 2)
    got = name_themes(labels, ids, ["x"] * len(ids), areas, VOCAB)
    assert got["theme_name"].tolist() == ["Greek letters", "Delta"]
    assert got["name_source"].tolist() == ["umbrella", "area"]


def test_a_keyphrase_counts_only_on_the_half_it_did_not_come_from():
    """Theme 0's papers share no area, nor does any name of the vocabulary describe them
    well; "graph neural" is in every member's text of one half only. Chosen on that half it
    describes nobody on the other, so it earns nothing there."""
    a, b = ids_by_half(6)
    ids = a + b
    labels = np.array([0] * 3 + [1] * 3 + [0] * 3 + [1] * 3)
    areas = np.array([0, 1, 3, 2, 2, 2, 0, 1, 3, 2, 2, 2])
    texts = ["graph neural nets"] * 3 + ["x"] * 3 + ["y"] * 3 + ["x"] * 3
    got = name_themes(labels, ids, texts, areas, VOCAB)
    assert got["theme_name"][0] != "Graph neural"
    texts = ["graph neural nets"] * 3 + ["x"] * 3 + ["graph neural tricks"] * 3 + ["x"] * 3
    got = name_themes(labels, ids, texts, areas, VOCAB)
    assert got["theme_name"][0] == "Graph neural"
    assert got["heldout_coverage"][0] == 1.0 and got["name_source"][0] == "keyphrase"


def test_phrases_match_whole_words_across_hyphens():
    texts = ["Encoder-decoder models", "an encoder decoder", "encoders decode"]
    assert phrase_matches(texts, "encoder decoder").tolist() == [True, True, False]
