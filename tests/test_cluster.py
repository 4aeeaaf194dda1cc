"""Clustering pieces on real embeddings and on crafted labelings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.cluster import ThemeModel, _renumber_by_size, stability_ari, sweep
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


def test_sweep_reports_every_metric(X: np.ndarray):
    grid = {
        "n_neighbors": [10],
        "n_components": [5],
        "min_cluster_size": [8],
        "min_samples": [4],
        "cluster_selection_method": ["eom"],
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
