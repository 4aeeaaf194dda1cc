"""Clustering pieces on real embeddings and on crafted labelings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.cluster import (
    ThemeModel,
    _renumber_by_size,
    matched_themes,
    stability_ari,
    sweep,
)
from analysis.config import ClusterConfig


@pytest.fixture(scope="module")
def X(run_a: Path) -> np.ndarray:
    with np.load(run_a / "embeddings.npz") as z:
        return z["vectors"]


def test_renumber_by_size_largest_first():
    labels = np.array([5, 5, -1, 2, 2, 2, 7, 5, 2])
    assert _renumber_by_size(labels).tolist() == [1, 1, -1, 0, 0, 0, 2, 1, 0]


def test_stability_ari_ignores_label_names():
    a = np.array([0, 0, 1, 1, -1])
    assert stability_ari([a, np.array([3, 3, 0, 0, -1]), a]) == pytest.approx(1.0)
    assert stability_ari([a, np.array([0, 1, 0, 1, -1])]) < 0.5


def test_theme_model_places_every_paper(X: np.ndarray):
    m = ThemeModel(ClusterConfig()).fit(X, with_map=False)
    assert m.labels_.shape == (len(X),)
    assert set(np.unique(m.labels_)) == set(range(-1, m.n_themes_))
    assert np.allclose(np.linalg.norm(m.centroids_, axis=1), 1.0, atol=1e-5)
    out = m.labels_ < 0
    # outliers get the theme whose centroid they are most similar to
    assert (m.nearest_theme_[out] == (X[out] @ m.centroids_.T).argmax(1)).all()
    assert (m.nearest_theme_[~out] == m.labels_[~out]).all()
    assert 4 <= m.broad_labels_.max() + 1 <= 8
    pred, score = m.predict(X[:5], min_similarity=0.0)
    assert pred.shape == (5,) and (score <= 1.0 + 1e-6).all()
    assert (m.predict(X[:5], min_similarity=1.01)[0] == -1).all()


def test_too_few_papers_is_a_clear_error(X: np.ndarray):
    with pytest.raises(ValueError, match="too few to cluster"):
        ThemeModel(ClusterConfig()).fit(X[:12])


def test_matched_themes_follows_renames_and_grown_themes():
    ref = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, -1, -1])
    renamed = np.array([2, 2, 2, 0, 0, 0, 1, 1, 1, -1, -1])
    assert matched_themes(ref, renamed) == {0: 2, 1: 0, 2: 1}
    # theme 1 takes in both reference outliers and loses no member: still the same theme
    grown = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 1])
    assert matched_themes(ref, grown) == {0: 0, 1: 1, 2: 2}


def test_matched_themes_loses_merged_split_and_dissolved_themes():
    ref = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    merged = np.array([0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2])  # 0 and 1 become one theme
    assert matched_themes(ref, merged) == {0: None, 1: None, 2: 2}
    split = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])  # 2 becomes two halves
    assert matched_themes(ref, split)[2] is None
    dissolved = np.array([0, 0, 0, -1, -1, -1, 2, 2, 2, 2, 2, 2])  # 1 becomes outliers
    assert matched_themes(ref, dissolved) == {0: 0, 1: None, 2: 2}
    # a two-thirds majority is enough: one member of 0 strays, to a theme or to the outliers
    assert matched_themes(ref, np.array([0, 0, 5, 1, 1, 1, 2, 2, 2, 2, 2, 2]))[0] == 0
    assert matched_themes(ref, np.array([0, 0, -1, 1, 1, 1, 2, 2, 2, 2, 2, 2]))[0] == 0
    # but not less: four of 2's six members go to theme 7, which is then mostly theme 1
    mixed = np.array([0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 2, 2])
    assert matched_themes(ref, mixed) == {0: 0, 1: None, 2: None}
    with pytest.raises(ValueError, match="length"):
        matched_themes(ref, ref[:-1])


def test_sweep_reports_every_metric(X: np.ndarray):
    c = ClusterConfig()  # the default setting alone
    grid = {
        "n_neighbors": [c.n_neighbors],
        "n_components": [c.n_components],
        "min_cluster_size": [c.min_cluster_size],
        "min_samples": [c.min_samples],
        "cluster_selection_method": [c.cluster_selection_method],
    }
    df = sweep(X, grid=grid, seeds=(0, 1), progress=False)
    assert len(df) == 1
    row = df.iloc[0]
    assert bool(row["is_default"])
    for c in ["themes", "outliers", "validity", "silhouette", "stability_ari"]:
        assert np.isfinite(row[c]), c
    assert 0 <= row["outliers"] <= 1 and -1 <= row["stability_ari"] <= 1


def test_neighbour_search_switches_to_nn_descent_at_the_threshold(
    X: np.ndarray, monkeypatch: pytest.MonkeyPatch
):
    """Exact neighbours for the real corpus; NN-descent once a corpus reaches the threshold."""
    import umap

    seen: list[bool] = []
    init = umap.UMAP.__init__

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("force_approximation_algorithm", False))
        init(self, *args, **kwargs)

    monkeypatch.setattr(umap.UMAP, "__init__", spy)
    ThemeModel(ClusterConfig()).fit(X, with_map=False)
    approx = ThemeModel(ClusterConfig(exact_neighbors_below=len(X))).fit(X, with_map=False)
    assert seen == [False, True]
    assert approx.n_themes_ >= 5  # the approximate graph still finds themes here
