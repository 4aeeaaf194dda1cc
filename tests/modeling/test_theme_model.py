"""`ThemeModel` (`analysis.modeling.theme_model`): a scikit-learn estimator whose parameters are
`ClusterConfig`'s, fitted on the real embeddings, saved and loaded for `predict`; the same themes
in any row order and on any engine; hubs left out of the fits."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from analysis.config import DEFAULT, ClusterConfig
from analysis.modeling import ThemeModel
from analysis.modeling.theme_model import MODEL_FORMAT, _renumber_by_size

#: Every ClusterConfig field away from its default.
OTHER = ClusterConfig(
    random_state=7,
    n_neighbors=5,
    n_components=3,
    min_dist=0.2,
    min_cluster_size=4,
    min_samples=None,
    cluster_selection_method="leaf",
    map_min_dist=0.3,
    exact_neighbors_below=100,
    n_epochs=50,
    consensus_seeds=3,
    consensus_cut=0.3,
    target_outlier_share=0.1,
)


def hand_fitted() -> ThemeModel:
    """What `predict` needs, set by hand: three orthogonal centroids, threshold 0.5."""
    m = ThemeModel()
    m.centroids_ = np.eye(3, 4, dtype=np.float32)
    m.assign_threshold_ = np.float32(0.5)
    m.n_themes_ = 3
    m.n_features_in_ = 4
    return m


def test_an_unfitted_model_says_so_as_scikit_learn_does():
    from sklearn.exceptions import NotFittedError

    for call in (ThemeModel().predict, ThemeModel().transform):
        with pytest.raises(NotFittedError, match="ThemeModel instance is not fitted yet"):
            call(np.eye(3, 4, dtype=np.float32))
    with pytest.raises(ValueError, match=r"X has shape \(2, 5\): expected rows of 4 features"):
        hand_fitted().predict(np.ones((2, 5), np.float32))


@pytest.fixture(scope="module")
def fitted(seed_1_model: ThemeModel) -> ThemeModel:
    """The default estimator fitted on the real corpus (seed 1; shared with the consensus
    tests)."""
    return seed_1_model


def test_renumber_by_size_largest_first():
    labels = np.array([5, 5, -1, 2, 2, 2, 7, 5, 2])
    assert _renumber_by_size(labels).tolist() == [1, 1, -1, 0, 0, 0, 2, 1, 0]


def test_is_a_scikit_learn_estimator():
    m = ThemeModel(n_neighbors=30, min_samples=None, with_map=False)
    c = clone(m)  # clone checks that __init__ stores every parameter as given
    assert c is not m and c.get_params() == m.get_params()
    params = m.get_params()
    assert ThemeModel(**params).get_params() == params
    assert m.set_params(n_components=5, random_state=1) is m
    assert m.get_params() == {**params, "n_components": 5, "random_state": 1}


@pytest.mark.parametrize("config", [DEFAULT.cluster, OTHER], ids=["default", "other"])
def test_from_config_takes_every_field(config: ClusterConfig):
    expected = dataclasses.asdict(config)  # the names are the parameters' own
    assert ThemeModel.from_config(config).get_params() == {
        **expected,
        "with_map": True,
        "progress": False,
    }
    m = ThemeModel.from_config(config, with_map=False, progress=True)
    assert (m.with_map, m.progress) == (False, True)


def test_defaults_are_the_config_defaults():
    assert all(
        getattr(OTHER, f.name) != getattr(DEFAULT.cluster, f.name)
        for f in dataclasses.fields(ClusterConfig)
    )  # so that the test above tells a field taken from the config from a default
    assert ThemeModel().get_params() == ThemeModel.from_config(ClusterConfig()).get_params()


def test_predict_is_the_nearest_centroid_or_minus_one():
    m = hand_fitted()
    X = np.array([[1, 0, 0, 0], [0, 0.6, 0.8, 0], [0, 0, 0, 1], [0.5, 0, 0, 0.866]], np.float32)
    np.testing.assert_allclose(m.transform(X), X[:, :3])
    # the last row's best cosine is just at the threshold: it is placed
    assert m.predict(X).tolist() == [0, 2, -1, 0]


def test_loading_another_format_is_a_clear_error(tmp_path: Path):
    path = hand_fitted().save(tmp_path / "theme_model.npz", theme_names=["a", "b", "c"])
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    old = tmp_path / "old_model.npz"
    with open(old, "wb") as f:
        np.savez(
            f, **{**arrays, "meta": np.array(json.dumps({**meta, "format": MODEL_FORMAT + 1}))}
        )
    with pytest.raises(
        ValueError, match=rf"^old_model\.npz: theme model format {MODEL_FORMAT + 1}"
    ):
        ThemeModel.load(old)
    assert ThemeModel.load(path).metadata_ == {"theme_names": ["a", "b", "c"]}


def test_too_few_papers_is_a_clear_error():
    X = np.random.default_rng(0).standard_normal((12, 8)).astype(np.float32)
    with pytest.raises(ValueError, match="too few to cluster"):
        ThemeModel().fit(X)


@pytest.mark.slow
def test_theme_model_places_every_paper(fitted: ThemeModel, corpus_vectors: np.ndarray):
    m, X = fitted, corpus_vectors
    assert m.labels_.shape == (len(X),)
    assert set(np.unique(m.labels_)) == set(range(-1, m.n_themes_))
    assert np.allclose(np.linalg.norm(m.centroids_, axis=1), 1.0, atol=1e-5)
    out = m.labels_ < 0
    # outliers get the theme whose centroid they are most similar to
    assert (m.nearest_theme_[out] == m.transform(X[out]).argmax(1)).all()
    assert (m.nearest_theme_[~out] == m.labels_[~out]).all()
    assert not hasattr(m, "map_")  # with_map=False
    # the threshold is the least similar member's: no member's own vector is refused
    own = m.transform(X[~out])[np.arange(int((~out).sum())), m.labels_[~out]]
    assert m.assign_threshold_ == np.float32(own.min())
    assert (m.predict(X[~out]) >= 0).all()
    assert (m.transform(X[:5]) <= 1.0 + 1e-6).all()


@pytest.mark.slow
def test_predicting_members_gives_their_fitted_theme(fitted: ThemeModel, corpus_vectors):
    """`predict` (what `analysis.assign` calls) on the members' own vectors returns the theme
    the consensus gave them for at least 95% of them."""
    members = fitted.labels_ >= 0
    agree = fitted.predict(corpus_vectors[members]) == fitted.labels_[members]
    assert agree.mean() >= 0.95


@pytest.mark.slow
def test_any_row_order_gives_the_same_themes_bit_for_bit(corpus_vectors: np.ndarray):
    X = corpus_vectors
    m = ThemeModel(consensus_seeds=4).fit(X)
    for seed in (0, 1):
        perm = np.random.default_rng(seed).permutation(len(X))
        p = ThemeModel(consensus_seeds=4).fit(X[perm])
        assert np.array_equal(p.labels_, m.labels_[perm])
        assert np.array_equal(p.probabilities_, m.probabilities_[perm])
        assert np.array_equal(p.centroids_, m.centroids_)
        assert np.array_equal(p.stability_, m.stability_)
        assert np.array_equal(p.map_, m.map_[perm])
        assert p.assign_threshold_ == m.assign_threshold_


@pytest.mark.slow
def test_every_engine_gives_the_same_labels(corpus_vectors: np.ndarray):
    """The seeded fits in this process one after another, on two local worker processes, and
    on a Dask cluster: the same labels bit for bit."""
    from analysis.engines import DaskEngine, InProcessEngine

    X, est = corpus_vectors, ThemeModel(consensus_seeds=4, with_map=False)
    serial = clone(est).fit(X)
    for engine in (InProcessEngine(workers=2), DaskEngine(workers=2)):
        try:
            other = clone(est).fit(X, engine=engine)
        finally:
            engine.close()
        assert np.array_equal(other.run_labels_, serial.run_labels_), engine.name
        assert np.array_equal(other.labels_, serial.labels_), engine.name


@pytest.mark.slow
def test_a_hub_is_left_out_and_the_others_keep_their_themes(corpus_vectors: np.ndarray):
    """A paper near everyone (here the corpus' mean direction, as a long survey's pooled vector
    becomes) is a hub: an outlier that shapes no fit, so the others' themes are bit for bit
    those fitted without it."""
    X = corpus_vectors
    hub = X.mean(0)
    hub /= np.linalg.norm(hub)
    base = ThemeModel(consensus_seeds=4, with_map=False).fit(X)
    more = ThemeModel(consensus_seeds=4).fit(np.vstack([X, hub[None]]))
    assert more.hubs_.tolist() == [False] * len(X) + [True]
    assert more.labels_[-1] == -1
    assert np.array_equal(more.labels_[:-1], base.labels_)
    assert not base.hubs_.any()  # no paper of the corpus is one
    assert np.isfinite(more.map_).all()
    # drawn where its nearest fitted paper is (the map's rows in the input's order)
    nearest = int(np.argmax(X @ hub))
    assert np.array_equal(more.map_[-1], more.map_[nearest])


@pytest.mark.slow
def test_saved_model_predicts_as_the_original(
    fitted: ThemeModel, corpus_vectors: np.ndarray, tmp_path: Path
):
    path = fitted.save(tmp_path / "theme_model.npz", embedding_key="k", theme_names=["x"])
    loaded = ThemeModel.load(path)
    assert loaded.get_params() == fitted.get_params()
    assert loaded.metadata_ == {"embedding_key": "k", "theme_names": ["x"]}
    assert loaded.n_themes_ == fitted.n_themes_
    assert loaded.n_features_in_ == fitted.n_features_in_ == corpus_vectors.shape[1]
    assert np.array_equal(loaded.predict(corpus_vectors), fitted.predict(corpus_vectors))
    assert np.array_equal(loaded.transform(corpus_vectors), fitted.transform(corpus_vectors))


@pytest.mark.slow
def test_a_vector_far_from_every_centroid_is_an_outlier(fitted: ThemeModel):
    k = fitted.n_themes_
    assert fitted.predict(fitted.centroids_).tolist() == list(range(k))
    far = -fitted.centroids_.mean(0)
    far /= np.linalg.norm(far)
    assert fitted.transform(far[None]).max() < fitted.assign_threshold_
    assert fitted.predict(far[None]).tolist() == [-1]


@pytest.mark.slow
def test_a_clone_refits_the_same_themes(fitted: ThemeModel, corpus_vectors: np.ndarray):
    again = clone(fitted)
    assert not hasattr(again, "labels_")  # parameters only, no fitted state
    assert again.get_params() == fitted.get_params()
    few = again.set_params(consensus_seeds=4)  # a short consensus: what is tested is the clone
    first = few.fit_predict(corpus_vectors)
    twin = clone(few)
    assert np.array_equal(twin.fit_predict(corpus_vectors), first)
    assert np.array_equal(twin.centroids_, few.centroids_)


@pytest.mark.slow
def test_neighbour_search_switches_to_nn_descent_at_the_threshold(
    corpus_vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
):
    """Exact neighbours for the real corpus; NN-descent once a corpus reaches the threshold;
    either way one graph per fit, shared by every seed."""
    from analysis.modeling import theme_model

    X = corpus_vectors
    seen: list[bool] = []
    real = theme_model.neighbor_graph

    def spy(*args, **kwargs):
        graph = real(*args, **kwargs)
        seen.append(graph.exact)
        return graph

    monkeypatch.setattr(theme_model, "neighbor_graph", spy)
    ThemeModel(consensus_seeds=3, with_map=False).fit(X)
    approx = ThemeModel(consensus_seeds=1, exact_neighbors_below=len(X), with_map=False).fit(X)
    assert seen == [True, False]
    assert approx.n_themes_ >= 5  # the approximate graph still finds themes here


def test_target_outlier_share_moves_the_nearest_outliers():
    X = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1], [0.9, 0.5], [0.6, 0.8]], np.float64)
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    labels = np.array([0, 0, 1, 1, -1, -1])
    # 2 of 6 outliers, target 1/6: the one nearer its centroid (row 4, to theme 0) joins
    got = ThemeModel._reduce_outliers(X, labels, 1 / 6)
    assert got.tolist() == [0, 0, 1, 1, 0, -1]
    assert ThemeModel._reduce_outliers(X, labels, 0.0).tolist() == [0, 0, 1, 1, 0, 1]
    assert ThemeModel._reduce_outliers(X, labels, 0.5).tolist() == labels.tolist()
    with pytest.raises(ValueError, match="target_outlier_share"):
        ThemeModel._reduce_outliers(X, labels, 1.5)
