"""`ThemeModel`: UMAP (cosine, seeded) -> HDBSCAN themes as a consensus over seeds, centroids,
and a 2-D map, as a scikit-learn estimator.

`fit(X)` on L2-normalised embeddings fits UMAP + HDBSCAN once per seed of
`seed_set(random_state, consensus_seeds)`, all on one shared neighbour graph
(`analysis.modeling.neighbors`), and takes the consensus of the fits
(`analysis.modeling.consensus`); with `consensus_seeds=1`, the one fit's themes. The rows are
fitted in a canonical order (sorted by their values) and the results mapped back, so any
permutation of the papers gives the same themes, numbers and bits. It sets

- `labels_`: fine theme per paper (0..k-1, numbered by size, largest first; -1 = outlier);
- `probabilities_`: confidence of each member, the share of the fits that put it in its
  theme (HDBSCAN's membership strength when `consensus_seeds=1`; 0 for outliers);
- `stability_`: per theme, the mean best-match Jaccard index over the fits;
- `run_labels_`: every fit's own labels (consensus_seeds x n);
- `hubs_`: papers left out of the fits as hubs (`analysis.modeling.neighbors`), outliers here;
- `centroids_`: L2-normalised mean embedding of each theme (k x dim); `n_features_in_`: dim;
- `similarity_`: cosine of every paper to every centroid; `nearest_theme_`: the theme each paper
  is closest to, outliers included (members keep their own theme);
- `assign_threshold_`: the least similarity of any member to its own centroid;
- `map_`: 2-D UMAP coordinates;
- `n_epochs_`: the UMAP epochs each fit ran (`n_epochs`, or the default for the corpus' size).

`transform(X)` gives new papers' cosine to each centroid and `predict(X)` their theme (before
`fit` or `load`, scikit-learn's `NotFittedError`): the
nearest centroid, or -1 when it is less similar than `assign_threshold_`, that is, less than
any member is to its own theme (UMAP's own `transform` is stochastic and would need the reducer
pickled). On the corpus, `predict` of the members' own vectors gives their fitted theme for
96% of them; the rest are misfits (`analysis.modeling.typicality`).

`save`/`load` keep what `predict` needs in one .npz (see `save`), so `analysis.assign` places
papers without refitting.

There is no level above the themes: across the 40 fits of the consensus no two themes share
their papers in more than 9% of the fits, so the consensus holds no coarser grouping.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Memory
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted, check_memory

from ..config import ClusterConfig
from ..io import write_atomic
from ..numerics import cosines
from .consensus import consensus_labels, member_confidence, seed_set, stability
from .neighbors import NeighborGraph, hub_mask, neighbor_graph
from .reduce import umap_reduce
from .seeded_fits import FitSettings, fit_seeds, load_fit_code

__all__ = ["MODEL_FORMAT", "ThemeModel", "canonical_order", "warm_up"]

#: Version of the file `ThemeModel.save` writes.
MODEL_FORMAT = 2
#: The defaults, defined once in `ClusterConfig`.
_DEFAULT = ClusterConfig()


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Theme ids 0..k-1 by decreasing size (ties: earliest paper first); -1 stays -1."""
    ids = [c for c in np.unique(labels) if c >= 0]
    order = sorted(ids, key=lambda c: (-(labels == c).sum(), int(np.argmax(labels == c))))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(c), -1) for c in labels], dtype=np.int64)


def canonical_order(X: np.ndarray) -> np.ndarray:
    """The rows of `X` sorted by their values (first column first): the order every fit runs
    in, so that the themes do not depend on the order the papers come in."""
    return np.lexsort(X.T[::-1])


def _normalise(M: np.ndarray) -> np.ndarray:
    return M / np.linalg.norm(M, axis=1, keepdims=True)


class ThemeModel(ClusterMixin, BaseEstimator):
    """UMAP + HDBSCAN themes over sentence embeddings, with centroids and a map.

    Parameters are `ClusterConfig`'s fields, name for name (so `ThemeModel(**asdict(config))`
    works), and `with_map` and `progress`.
    """

    def __init__(
        self,
        n_neighbors: int = _DEFAULT.n_neighbors,
        n_components: int = _DEFAULT.n_components,
        min_dist: float = _DEFAULT.min_dist,
        min_cluster_size: int = _DEFAULT.min_cluster_size,
        min_samples: int | None = _DEFAULT.min_samples,
        cluster_selection_method: str = _DEFAULT.cluster_selection_method,
        map_min_dist: float = _DEFAULT.map_min_dist,
        exact_neighbors_below: int = _DEFAULT.exact_neighbors_below,
        n_epochs: int | None = _DEFAULT.n_epochs,
        random_state: int = _DEFAULT.random_state,
        consensus_seeds: int = _DEFAULT.consensus_seeds,
        consensus_cut: float = _DEFAULT.consensus_cut,
        target_outlier_share: float | None = _DEFAULT.target_outlier_share,
        with_map: bool = True,
        progress: bool = False,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method
        self.map_min_dist = map_min_dist
        self.exact_neighbors_below = exact_neighbors_below
        self.n_epochs = n_epochs
        self.random_state = random_state
        self.consensus_seeds = consensus_seeds
        self.consensus_cut = consensus_cut
        self.target_outlier_share = target_outlier_share
        self.with_map = with_map
        self.progress = progress

    @classmethod
    def from_config(cls, config: ClusterConfig, **kw: Any) -> ThemeModel:
        """The estimator for a `ClusterConfig`: its fields are the parameters, name for name
        (`kw`: with_map, progress)."""
        return cls(**dataclasses.asdict(config), **kw)

    def _epochs(self, n_papers: int) -> int:
        """UMAP's epochs per fit: `n_epochs`, or 500 below `exact_neighbors_below` papers and
        200 from there on (see `ClusterConfig.n_epochs`)."""
        if self.n_epochs is not None:
            return self.n_epochs
        return 500 if n_papers < self.exact_neighbors_below else 200

    def _settings(self, n_papers: int) -> FitSettings:
        return FitSettings(
            self.n_components,
            self.n_neighbors,
            self.min_dist,
            self.min_cluster_size,
            self.min_samples,
            self.cluster_selection_method,
            self._epochs(n_papers),
        )

    def _graph(self, X: np.ndarray, memory: Memory) -> NeighborGraph:
        return memory.cache(neighbor_graph)(X, *self._graph_args())

    def _graph_args(self) -> tuple[int, int, int]:
        return self.n_neighbors, self.exact_neighbors_below, self.random_state

    def _fit_themes(
        self, X: np.ndarray, engine: Any, memory: Memory
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Theme ids (any numbering) per paper of the canonically ordered `X`, and for a single
        fit HDBSCAN's membership strengths (None for a consensus); sets `run_labels_`,
        `hubs_` and the graph the map is drawn from."""
        if self.consensus_seeds < 1:
            raise ValueError(f"consensus_seeds={self.consensus_seeds}: expected 1 or more")
        seeds = seed_set(self.random_state, self.consensus_seeds)
        fits = memory.cache(fit_seeds, ignore=["engine", "progress"])
        warm = engine is not None
        if warm and not memory.cache(neighbor_graph).check_call_in_cache(X, *self._graph_args()):
            engine.warm(load_fit_code)  # its workers load the fitting code meanwhile
            warm = False
        graph = self._graph(X, memory)
        hubs = hub_mask(graph)
        fitted = np.flatnonzero(~hubs)
        if hubs.any():
            graph = self._graph(X[fitted], memory)
        self.hubs_ = hubs
        self._map_graph = (fitted, graph, memory)
        self.n_epochs_ = self._epochs(len(fitted))
        args = (X[fitted], graph.knn, seeds, self._settings(len(fitted)))
        if warm and not fits.check_call_in_cache(*args):
            engine.warm(load_fit_code)
        runs, probs = fits(*args, engine, progress=self.progress)
        self.run_labels_ = np.full((len(seeds), len(X)), -1, dtype=np.int64)
        self.run_labels_[:, fitted] = runs
        labels = np.full(len(X), -1, dtype=np.int64)
        if self.consensus_seeds == 1:
            labels[fitted] = runs[0]
            one = np.zeros(len(X), dtype=np.float32)
            one[fitted] = probs[0]
            return labels, one
        neighbors = graph.indices
        labels[fitted] = consensus_labels(
            runs, neighbors, self.consensus_cut, self.min_cluster_size
        )
        return labels, None

    def fit(
        self, X: np.ndarray, y: None = None, *, engine: Any = None, memory: Any = None
    ) -> ThemeModel:
        """Fit themes on L2-normalised embeddings (rows = papers).

        `engine` (an `analysis.engines` engine) runs the seeded fits side by side; without one
        they run one after another in this process. `memory` (a folder or a joblib `Memory`,
        `analysis.modeling.fit_cache.fit_memory`) keeps the neighbour graph, the fits and the
        map, keyed by their inputs, and reads them back on a rerun. Neither changes the themes:
        they say how the fit is computed, not what it is, and are no parameters of the model.
        """
        X = np.asarray(X, dtype=np.float32)
        if len(X) < max(self.n_neighbors + 1, 2 * self.min_cluster_size):
            raise ValueError(
                f"{len(X)} papers are too few to cluster with n_neighbors={self.n_neighbors} "
                f"and min_cluster_size={self.min_cluster_size}"
            )
        order = canonical_order(X)
        Xc = X[order]
        labels, probs = self._fit_themes(Xc, engine, check_memory(memory))
        labels = _renumber_by_size(labels)
        k = int(labels.max()) + 1
        if k == 0:
            raise ValueError("HDBSCAN found no theme at all: lower min_cluster_size")
        if self.target_outlier_share is not None:
            labels = self._reduce_outliers(Xc, labels, self.target_outlier_share)
        if probs is None:
            probs = member_confidence(labels, self.run_labels_)
        probs = np.where(labels >= 0, probs, 0.0).astype(np.float32)
        self.stability_ = stability(labels, self.run_labels_)
        self.n_themes_ = k
        self.centroids_ = _normalise(np.stack([Xc[labels == t].mean(0) for t in range(k)]))
        self.n_features_in_ = X.shape[1]
        sims = cosines(Xc, self.centroids_)
        nearest = np.where(labels >= 0, labels, sims.argmax(1))
        members = labels >= 0
        self.assign_threshold_ = np.float32(sims[members, labels[members]].min())
        back = np.argsort(order, kind="stable")  # canonical position of each input row
        self.labels_ = labels[back]
        self.probabilities_ = probs[back]
        self.run_labels_ = self.run_labels_[:, back]
        self.hubs_ = self.hubs_[back]
        self.similarity_ = sims[back]  # paper x theme cosine similarity
        self.nearest_theme_ = nearest[back]
        if self.with_map:
            self.map_ = self._map(Xc)[back]
        del self._map_graph
        return self

    def _map(self, Xc: np.ndarray) -> np.ndarray:
        """2-D UMAP of the canonically ordered papers on the fits' graph; a hub is drawn where
        its nearest fitted paper is."""
        fitted, graph, memory = self._map_graph
        xy = np.full((len(Xc), 2), np.nan, dtype=np.float32)
        xy[fitted] = memory.cache(umap_reduce)(
            Xc[fitted],
            2,
            self.n_neighbors,
            self.map_min_dist,
            self.random_state,
            knn=graph.knn,
            n_epochs=self._epochs(len(fitted)),
        )
        for h in np.setdiff1d(np.arange(len(Xc)), fitted):  # the hubs, in Xc's order
            xy[h] = xy[fitted[int(np.argmax(cosines(Xc[fitted], Xc[h : h + 1])[:, 0]))]]
        return xy

    @staticmethod
    def _reduce_outliers(X: np.ndarray, labels: np.ndarray, target: float) -> np.ndarray:
        """Outliers most similar to a theme's centroid join it, until at most `target` of the
        papers are outliers (most similar first; ties: earlier paper first). Their
        `probabilities_` stay at the share of fits that agreed, which is low for them."""
        if not 0.0 <= target <= 1.0:
            raise ValueError(f"target_outlier_share={target}: expected a share in [0, 1]")
        out = np.flatnonzero(labels < 0)
        excess = len(out) - int(np.floor(target * len(labels)))
        if excess <= 0:
            return labels
        k = int(labels.max()) + 1
        cents = _normalise(np.stack([X[labels == t].mean(0) for t in range(k)]))
        sims = cosines(X[out], cents)
        order = np.lexsort((out, -sims.max(1)))[:excess]
        labels = labels.copy()
        labels[out[order]] = sims[order].argmax(1)
        return labels

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Cosine similarity of each (L2-normalised) row of `X` to each theme centroid."""
        check_is_fitted(self, "centroids_")
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has shape {X.shape}: expected rows of {self.n_features_in_} features, as "
                "the model was fitted on"
            )
        return cosines(X, self.centroids_)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Theme of new papers: the nearest centroid, -1 below `assign_threshold_`."""
        sims = self.transform(X)
        return np.where(sims.max(1) >= self.assign_threshold_, sims.argmax(1), -1)

    def fit_predict(self, X: np.ndarray, y: None = None) -> np.ndarray:
        return self.fit(X).labels_

    # --- the saved file ------------------------------------------------------------------------

    def save(self, path: str | Path, **metadata: Any) -> Path:
        """Write what `predict` needs to `path` (.npz, atomically).

        Arrays: `centroids` (k x dim float32), `assign_threshold` (float32 scalar) and `meta`:
        JSON with `format` (`MODEL_FORMAT`), `params` (`get_params()`) and the caller's
        `metadata` (a run stores theme names and the embedding cache key there).
        """
        meta = json.dumps(
            {"format": MODEL_FORMAT, "params": self.get_params(), **metadata}, sort_keys=True
        )

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would append ".npz"
                np.savez(
                    f,
                    centroids=self.centroids_.astype(np.float32),
                    assign_threshold=np.float32(self.assign_threshold_),
                    meta=np.array(meta),
                )

        return write_atomic(path, write)

    @classmethod
    def load(cls, path: str | Path) -> ThemeModel:
        """A model that `predict`s as the saved one did; `.metadata_` holds the saved metadata."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != MODEL_FORMAT:
                raise ValueError(
                    f"{Path(path).name}: theme model format {meta.get('format')!r}, expected "
                    f"{MODEL_FORMAT} (rerun `python -m analysis run`)"
                )
            model = cls(**meta.pop("params"))
            model.centroids_ = z["centroids"]
            model.assign_threshold_ = np.float32(z["assign_threshold"])
        model.n_themes_ = len(model.centroids_)
        model.n_features_in_ = model.centroids_.shape[1]
        meta.pop("format")
        model.metadata_ = meta
        return model


def warm_up(config: ClusterConfig | None = None, n_points: int = 0) -> None:
    """Load the clustering code: imports, and numba's machine code via a tiny fit.

    A process's first UMAP fit spends ~2 s loading umap-learn's kernels from the disk cache
    (and, from `exact_neighbors_below` papers on, ~20 s compiling NN-descent's uncacheable
    ones). A run calls this while Dask workers embed, so that the real fit of `n_points`
    papers finds the code loaded. Random points with their own generator: the real fit is
    not affected.
    """
    c = config or ClusterConfig()
    if n_points >= c.exact_neighbors_below:
        c = replace(c, exact_neighbors_below=0)  # the NN-descent path, as the real fit will
    c = replace(c, consensus_seeds=1)  # one fit loads the same code
    n = max(c.n_neighbors + 1, 2 * c.min_cluster_size, 32) + 8
    X = np.random.default_rng(0).standard_normal((n, 16)).astype(np.float32)
    with contextlib.suppress(ValueError):  # HDBSCAN may find no theme in noise: fine here
        ThemeModel.from_config(c, with_map=False).fit(X)
