"""`ThemeModel`: UMAP (cosine, seeded) -> HDBSCAN themes as a consensus over seeds, centroids,
broad themes and a 2-D map, as a scikit-learn estimator.

`fit(X)` on L2-normalised embeddings fits UMAP + HDBSCAN once per seed of
`seed_set(random_state, consensus_seeds)` and takes the consensus of the fits
(`analysis.modeling.consensus`); with `consensus_seeds=1`, the one fit's themes. It sets

- `labels_`: fine theme per paper (0..k-1, numbered by size, largest first; -1 = outlier);
- `probabilities_`: confidence of each member, the share of the fits that put it in its
  theme (HDBSCAN's membership strength when `consensus_seeds=1`; 0 for outliers);
- `stability_`: per theme, the mean best-match Jaccard index over the fits;
- `run_labels_`: every fit's own labels (consensus_seeds x n);
- `centroids_`: L2-normalised mean embedding of each theme (k x dim);
- `similarity_`: cosine of every paper to every centroid; `nearest_theme_`: the theme each paper
  is closest to, outliers included (members keep their own theme);
- `broad_labels_`: broad theme of each fine theme (Ward clustering of the centroids);
- `assign_threshold_`: the 5th percentile of the members' similarity to their own centroid;
- `embedding_`: the n_components-d UMAP space clustered; `map_`: 2-D UMAP coordinates.

`transform(X)` gives new papers' cosine to each centroid and `predict(X)` their theme: the
nearest centroid, or -1 when it is less similar than `assign_threshold_` (UMAP's own
`transform` is stochastic and would need the reducer pickled). `save`/`load` keep what
`predict` needs in one .npz (see `save`), so `analysis.assign` places papers without refitting.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from ..config import ClusterConfig
from ..io import write_atomic
from ..progress import progress_bar
from .consensus import coassociation, consensus_labels, member_confidence, seed_set, stability
from .reduce import hdbscan_labels, umap_reduce

__all__ = ["MODEL_FORMAT", "ThemeModel", "warm_up"]

#: Version of the file `ThemeModel.save` writes.
MODEL_FORMAT = 1
#: The defaults, defined once in `ClusterConfig`.
_DEFAULT = ClusterConfig()
#: Share of corpus members less similar to their own centroid than the assign threshold.
ASSIGN_PERCENTILE = 5.0


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Theme ids 0..k-1 by decreasing size (ties: earliest paper first); -1 stays -1."""
    ids = [c for c in np.unique(labels) if c >= 0]
    order = sorted(ids, key=lambda c: (-(labels == c).sum(), int(np.argmax(labels == c))))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(c), -1) for c in labels], dtype=np.int64)


def _normalise(M: np.ndarray) -> np.ndarray:
    return M / np.linalg.norm(M, axis=1, keepdims=True)


class ThemeModel(ClusterMixin, BaseEstimator):
    """UMAP + HDBSCAN themes over sentence embeddings, with centroids and broad themes.

    Parameters are `ClusterConfig`'s (`ThemeModel.from_config`); `random_state` is its `seed`.
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
        n_broad: int = _DEFAULT.n_broad,
        exact_neighbors_below: int = _DEFAULT.exact_neighbors_below,
        random_state: int = _DEFAULT.seed,
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
        self.n_broad = n_broad
        self.exact_neighbors_below = exact_neighbors_below
        self.random_state = random_state
        self.consensus_seeds = consensus_seeds
        self.consensus_cut = consensus_cut
        self.target_outlier_share = target_outlier_share
        self.with_map = with_map
        self.progress = progress

    @classmethod
    def from_config(cls, config: ClusterConfig, **kw: Any) -> ThemeModel:
        """The estimator for a `ClusterConfig` (`kw`: with_map, progress)."""
        return cls(
            n_neighbors=config.n_neighbors,
            n_components=config.n_components,
            min_dist=config.min_dist,
            min_cluster_size=config.min_cluster_size,
            min_samples=config.min_samples,
            cluster_selection_method=config.cluster_selection_method,
            map_min_dist=config.map_min_dist,
            n_broad=config.n_broad,
            exact_neighbors_below=config.exact_neighbors_below,
            random_state=config.seed,
            consensus_seeds=config.consensus_seeds,
            consensus_cut=config.consensus_cut,
            target_outlier_share=config.target_outlier_share,
            **kw,
        )

    def _umap(
        self, X: np.ndarray, n_components: int, min_dist: float, seed: int | None = None
    ) -> np.ndarray:
        return umap_reduce(
            X,
            n_components,
            self.n_neighbors,
            min_dist,
            self.random_state if seed is None else seed,
            self.progress and self.consensus_seeds <= 1,  # epoch bars for one fit only
            self.exact_neighbors_below,
        )

    def _fit_themes(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Raw theme ids (any numbering) per paper, and for a single fit HDBSCAN's membership
        strengths (None for a consensus); sets the per-fit attributes."""
        if self.consensus_seeds < 1:
            raise ValueError(f"consensus_seeds={self.consensus_seeds}: expected 1 or more")
        seeds = seed_set(self.random_state, self.consensus_seeds)
        runs, probs, validity = [], [], []
        bar = progress_bar(
            iterable=seeds, desc="UMAP + HDBSCAN fits", unit="seed", disable=not self.progress
        )
        for seed in bar:
            Z = self._umap(X, self.n_components, self.min_dist, seed)
            lab, prob, val = hdbscan_labels(
                Z, self.min_cluster_size, self.min_samples, self.cluster_selection_method
            )
            if seed == self.random_state:
                self.embedding_ = Z
            runs.append(lab)
            probs.append(prob)
            validity.append(val)
        self.run_labels_ = np.stack(runs)
        self.relative_validity_ = float(np.nanmean(validity)) if validity else float("nan")
        if self.consensus_seeds == 1:
            return runs[0], probs[0]
        C = coassociation(runs)
        return consensus_labels(C, self.consensus_cut, self.min_cluster_size), None

    def fit(self, X: np.ndarray, y: None = None) -> ThemeModel:
        """Fit themes on L2-normalised embeddings (rows = papers)."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) < max(self.n_neighbors + 1, 2 * self.min_cluster_size):
            raise ValueError(
                f"{len(X)} papers are too few to cluster with n_neighbors={self.n_neighbors} "
                f"and min_cluster_size={self.min_cluster_size}"
            )
        labels, probs = self._fit_themes(X)
        self.labels_ = _renumber_by_size(labels)
        k = int(self.labels_.max()) + 1
        if k == 0:
            raise ValueError("HDBSCAN found no theme at all: lower min_cluster_size")
        if self.target_outlier_share is not None:
            self.labels_ = self._reduce_outliers(X, self.labels_, self.target_outlier_share)
        if probs is None:
            probs = member_confidence(self.labels_, self.run_labels_)
        self.probabilities_ = np.where(self.labels_ >= 0, probs, 0.0).astype(np.float32)
        self.stability_ = stability(self.labels_, self.run_labels_)
        self.n_themes_ = k
        self.centroids_ = _normalise(np.stack([X[self.labels_ == t].mean(0) for t in range(k)]))
        sims = X @ self.centroids_.T
        self.similarity_ = sims  # paper x theme cosine similarity
        self.nearest_theme_ = np.where(self.labels_ >= 0, self.labels_, sims.argmax(1))
        members = self.labels_ >= 0
        self.assign_threshold_ = np.float32(
            np.percentile(sims[members, self.labels_[members]], ASSIGN_PERCENTILE)
        )
        self.broad_labels_ = self._broad(self.centroids_, min(self.n_broad, k))
        if self.with_map:
            self.map_ = self._umap(X, 2, self.map_min_dist)
        return self

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
        sims = X[out] @ cents.T
        order = np.lexsort((out, -sims.max(1)))[:excess]
        labels = labels.copy()
        labels[out[order]] = sims[order].argmax(1)
        return labels

    @staticmethod
    def _broad(centroids: np.ndarray, n: int) -> np.ndarray:
        """Broad theme of each fine theme: Ward clustering of the unit-length centroids.

        On unit vectors Euclidean distance is a monotone function of cosine; Ward keeps the
        groups balanced where average linkage lumps every language theme into one. Broad ids
        are numbered by first appearance over fine ids, so the largest fine theme's broad
        theme is 0.
        """
        if n <= 1:
            return np.zeros(len(centroids), dtype=np.int64)
        from sklearn.cluster import AgglomerativeClustering

        raw = AgglomerativeClustering(n_clusters=n, linkage="ward").fit_predict(centroids)
        mapping: dict[int, int] = {}
        for r in raw:
            mapping.setdefault(int(r), len(mapping))
        return np.array([mapping[int(r)] for r in raw], dtype=np.int64)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Cosine similarity of each (L2-normalised) row of `X` to each theme centroid."""
        return np.asarray(X, dtype=np.float32) @ self.centroids_.T

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Theme of new papers: the nearest centroid, -1 below `assign_threshold_`."""
        sims = self.transform(X)
        return np.where(sims.max(1) >= self.assign_threshold_, sims.argmax(1), -1)

    def fit_predict(self, X: np.ndarray, y: None = None) -> np.ndarray:
        return self.fit(X).labels_

    # --- the saved file ------------------------------------------------------------------------

    def save(self, path: str | Path, **metadata: Any) -> Path:
        """Write what `predict` needs to `path` (.npz, atomically).

        Arrays: `centroids` (k x dim float32), `broad_of_fine` (k int64), `assign_threshold`
        (float32 scalar) and `meta`: JSON with `format` (`MODEL_FORMAT`), `params`
        (`get_params()`) and the caller's `metadata` (a run stores theme names and the
        embedding cache key there).
        """
        meta = json.dumps(
            {"format": MODEL_FORMAT, "params": self.get_params(), **metadata}, sort_keys=True
        )

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would append ".npz"
                np.savez(
                    f,
                    centroids=self.centroids_.astype(np.float32),
                    broad_of_fine=self.broad_labels_.astype(np.int64),
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
            model.broad_labels_ = z["broad_of_fine"]
            model.assign_threshold_ = np.float32(z["assign_threshold"])
        model.n_themes_ = len(model.centroids_)
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
