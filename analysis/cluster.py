"""Themes from embeddings: UMAP (cosine, seeded) -> HDBSCAN, plus a 2-D map and broad themes.

`ThemeModel` is a scikit-learn-style estimator: `fit(X)` on L2-normalised embeddings sets

- `labels_`: fine theme per paper (0..k-1, numbered by size, largest first; -1 = outlier);
- `probabilities_`: HDBSCAN membership strength (0 for outliers);
- `nearest_theme_`: the theme each paper is closest to, outliers included, by cosine similarity
  between the paper's embedding and the themes' centroids (members keep their own theme);
- `centroids_`: L2-normalised mean embedding of each theme (k x dim);
- `broad_labels_`: broad theme of each fine theme (agglomerative clustering of centroids);
- `embedding_`: the n_components-d UMAP space clustered; `map_`: 2-D UMAP coordinates.

`predict(X)` places new papers by centroid similarity (see `analysis.assign`).
`sweep()` reruns the parameter search that chose the defaults.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from .config import PROJ_ROOT, ClusterConfig

__all__ = ["ThemeModel", "matched_themes", "stability_ari", "sweep", "warm_up"]


_NUMBA_CACHING = False


def _enable_numba_cache() -> None:
    """Let umap-learn's and pynndescent's jitted functions cache their machine code on disk.

    Their functions are not declared `cache=True`, so every new process recompiled them: about
    20 s per process here. Turning caching on for each dispatcher before its first call brings
    a later process's first UMAP fit under a second, with identical coordinates.
    """
    global _NUMBA_CACHING
    if _NUMBA_CACHING:
        return
    # Only effective if numba is not imported yet; otherwise numba's default (__pycache__).
    os.environ.setdefault("NUMBA_CACHE_DIR", str(PROJ_ROOT / ".cache" / "numba"))
    import sys

    import pynndescent  # noqa: F401 - its modules must be loaded to be patched
    import umap  # noqa: F401
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    for name in [m for m in list(sys.modules) if m.split(".")[0] in ("umap", "pynndescent")]:
        for obj in list(vars(sys.modules[name]).values()):
            if isinstance(obj, CPUDispatcher) and isinstance(obj._cache, NullCache):
                with contextlib.suppress(Exception):  # caching is an optimisation only
                    obj.enable_caching()
    _NUMBA_CACHING = True


def umap_reduce(
    X: np.ndarray,
    n_components: int,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    progress: bool = False,
    exact_below: int = 4096,
) -> np.ndarray:
    """Seeded cosine UMAP (single-threaded by construction of a fixed random_state).

    `progress` shows umap-learn's own epoch bar (minutes at 10k+ papers) without its log lines.
    """
    _enable_numba_cache()
    import umap

    with warnings.catch_warnings():
        # "n_jobs value 1 overridden to 1 by setting random_state": expected with a seed.
        warnings.filterwarnings("ignore", message=".*n_jobs.*", category=UserWarning)
        # pynndescent's NN-descent kernels use dynamic globals, so they stay uncached: harmless.
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        reducer = umap.UMAP(
            n_neighbors=n_neighbors,
            n_components=n_components,
            min_dist=min_dist,
            metric="cosine",
            random_state=seed,
            n_jobs=1,
            force_approximation_algorithm=len(X) >= exact_below,
            tqdm_kwds={"disable": not progress, "desc": f"UMAP {n_components}-d epochs"},
        )
        return reducer.fit_transform(X).astype(np.float32)


def hdbscan_labels(
    Z: np.ndarray, min_cluster_size: int, min_samples: int | None, method: str
) -> tuple[np.ndarray, np.ndarray, float]:
    """HDBSCAN labels, membership probabilities and relative validity (a fast DBCV)."""
    import hdbscan

    h = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_method=method,
        gen_min_span_tree=True,
    ).fit(Z)
    validity = float(h.relative_validity_) if h.labels_.max() >= 0 else float("nan")
    return h.labels_.copy(), h.probabilities_.astype(np.float32), validity


def warm_up(config: ClusterConfig | None = None, n_points: int = 0) -> None:
    """Load the clustering code: imports, and numba's machine code via a tiny fit.

    A process's first UMAP fit spends ~2 s loading umap-learn's kernels from the disk cache
    (and, from `exact_neighbors_below` papers on, ~20 s compiling NN-descent's uncacheable
    ones). A cold run calls this while its embedding worker imports torch, so that the real
    fit of `n_points` papers finds the same code path loaded. Random points with their own
    generator: the real fit is not affected.
    """
    c = config or ClusterConfig()
    if n_points >= c.exact_neighbors_below:
        c = replace(c, exact_neighbors_below=0)  # the NN-descent path, as the real fit will
    n = max(c.n_neighbors + 1, 2 * c.min_cluster_size, 32) + 8
    X = np.random.default_rng(0).standard_normal((n, 16)).astype(np.float32)
    with contextlib.suppress(ValueError):  # HDBSCAN may find no theme in noise: fine here
        ThemeModel(c, progress=False).fit(X)


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Theme ids 0..k-1 by decreasing size (ties: earliest paper first); -1 stays -1."""
    ids = [c for c in np.unique(labels) if c >= 0]
    order = sorted(ids, key=lambda c: (-(labels == c).sum(), int(np.argmax(labels == c))))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(int(c), -1) for c in labels], dtype=np.int64)


def _normalise(M: np.ndarray) -> np.ndarray:
    return M / np.linalg.norm(M, axis=1, keepdims=True)


class ThemeModel:
    """UMAP + HDBSCAN themes over sentence embeddings, with centroids and broad themes."""

    def __init__(self, config: ClusterConfig | None = None, progress: bool = False) -> None:
        self.config = config or ClusterConfig()
        self.progress = progress  # UMAP epoch bars; off by default (notebooks, tests)

    def fit(self, X: np.ndarray, with_map: bool = True) -> ThemeModel:
        c = self.config
        X = np.asarray(X, dtype=np.float32)
        if len(X) < max(c.n_neighbors + 1, 2 * c.min_cluster_size):
            raise ValueError(
                f"{len(X)} papers are too few to cluster with n_neighbors={c.n_neighbors} and "
                f"min_cluster_size={c.min_cluster_size}"
            )
        self.embedding_ = umap_reduce(
            X,
            c.n_components,
            c.n_neighbors,
            c.min_dist,
            c.seed,
            self.progress,
            c.exact_neighbors_below,
        )
        labels, probs, self.relative_validity_ = hdbscan_labels(
            self.embedding_, c.min_cluster_size, c.min_samples, c.cluster_selection_method
        )
        self.labels_ = _renumber_by_size(labels)
        self.probabilities_ = np.where(self.labels_ >= 0, probs, 0.0).astype(np.float32)
        k = int(self.labels_.max()) + 1
        if k == 0:
            raise ValueError("HDBSCAN found no theme at all: lower min_cluster_size")
        self.n_themes_ = k
        self.centroids_ = _normalise(np.stack([X[self.labels_ == t].mean(0) for t in range(k)]))
        sims = X @ self.centroids_.T
        self.similarity_ = sims  # paper x theme cosine similarity
        self.nearest_theme_ = np.where(self.labels_ >= 0, self.labels_, sims.argmax(1))
        self.broad_labels_ = self._broad(self.centroids_, min(c.n_broad, k))
        if with_map:
            self.map_ = umap_reduce(
                X,
                2,
                c.n_neighbors,
                c.map_min_dist,
                c.seed,
                self.progress,
                c.exact_neighbors_below,
            )
        return self

    @staticmethod
    def _broad(centroids: np.ndarray, n: int) -> np.ndarray:
        """Broad theme of each fine theme: Ward clustering of the unit-length centroids.

        On unit vectors Euclidean distance is a monotone function of cosine; Ward keeps the
        groups balanced where average linkage lumps every language theme into one.

        Broad ids are numbered by first appearance over fine ids, so the largest fine theme's
        broad theme is 0.
        """
        if n <= 1:
            return np.zeros(len(centroids), dtype=np.int64)
        from sklearn.cluster import AgglomerativeClustering

        raw = AgglomerativeClustering(n_clusters=n, linkage="ward").fit_predict(centroids)
        mapping: dict[int, int] = {}
        for r in raw:
            mapping.setdefault(int(r), len(mapping))
        return np.array([mapping[int(r)] for r in raw], dtype=np.int64)

    def predict(self, X: np.ndarray, min_similarity: float) -> tuple[np.ndarray, np.ndarray]:
        """Theme of new papers by nearest centroid, and its cosine; -1 below `min_similarity`."""
        sims = np.asarray(X, dtype=np.float32) @ self.centroids_.T
        best = sims.argmax(1)
        score = sims.max(1)
        return np.where(score >= min_similarity, best, -1), score

    def fit_predict(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).labels_


# --- choosing the parameters ---------------------------------------------------------------------


def stability_ari(labelings: Sequence[np.ndarray]) -> float:
    """Mean pairwise adjusted Rand index between labelings (outliers count as a label)."""
    from sklearn.metrics import adjusted_rand_score

    pairs = list(itertools.combinations(range(len(labelings)), 2))
    return float(np.mean([adjusted_rand_score(labelings[i], labelings[j]) for i, j in pairs]))


def matched_themes(
    reference: np.ndarray, other: np.ndarray, share: float = 2 / 3
) -> dict[int, int | None]:
    """For each theme of `reference`, the theme of `other` that is the same theme, or None.

    Same = mutual majority: the other theme holds at least `share` of the reference theme's
    papers, and those papers make at least `share` of the other theme's papers that have a
    reference theme (a theme that only takes in reference outliers is the same theme, grown).
    A reference theme merged into a bigger one, or split in two, has no match.
    """
    reference, other = np.asarray(reference), np.asarray(other)
    if reference.shape != other.shape:
        raise ValueError(f"labelings differ in length: {len(reference)} vs {len(other)}")
    out: dict[int, int | None] = {}
    for t in sorted(int(x) for x in np.unique(reference) if x >= 0):
        members = other[reference == t]
        ids, counts = np.unique(members[members >= 0], return_counts=True)
        out[t] = None
        if len(ids):
            best = int(ids[np.argmax(counts)])
            both = int(counts.max())
            themed = int(((other == best) & (reference >= 0)).sum())
            if both >= share * len(members) and both >= share * themed:
                out[t] = best
    return out


DEFAULT_GRID: dict[str, list] = {
    "n_neighbors": [10, 15, 30],
    "n_components": [5, 10],
    "min_cluster_size": [5, 8, 10],
    "min_samples": [None, 2, 4],
    "cluster_selection_method": ["eom", "leaf"],
}


def sweep(
    X: np.ndarray,
    grid: dict[str, Iterable] | None = None,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    base: ClusterConfig | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Score every parameter setting over several UMAP seeds.

    One row per setting: mean number of themes, mean outlier share, mean HDBSCAN relative
    validity (DBCV approximation), mean silhouette (cosine-free: Euclidean in the UMAP space,
    outliers left out), and stability = mean pairwise ARI of the assignments across `seeds`.
    UMAP runs are shared between HDBSCAN settings, so the grid costs one UMAP per
    (n_neighbors, n_components, seed).
    """
    from sklearn.metrics import silhouette_score
    from tqdm.auto import tqdm

    base = base or ClusterConfig()
    g = {k: list(v) for k, v in (grid or DEFAULT_GRID).items()}
    umap_keys = list(itertools.product(g["n_neighbors"], g["n_components"], seeds))
    spaces = {}
    for nn, nc, s in tqdm(umap_keys, desc="UMAP fits", disable=not progress):
        spaces[nn, nc, s] = umap_reduce(
            X, nc, nn, base.min_dist, s, exact_below=base.exact_neighbors_below
        )
    rows = []
    for nn, nc, mcs, ms, meth in itertools.product(
        g["n_neighbors"],
        g["n_components"],
        g["min_cluster_size"],
        g["min_samples"],
        g["cluster_selection_method"],
    ):
        labs, vals, sils = [], [], []
        for s in seeds:
            Z = spaces[nn, nc, s]
            lab, _, val = hdbscan_labels(Z, mcs, ms, meth)
            labs.append(lab)
            vals.append(val)
            m = lab >= 0
            ok = len(set(lab[m])) > 1
            sils.append(float(silhouette_score(Z[m], lab[m])) if ok else float("nan"))
        rows.append(
            {
                "n_neighbors": nn,
                "n_components": nc,
                "min_cluster_size": mcs,
                "min_samples": ms if ms is not None else mcs,
                "selection": meth,
                "themes": float(np.mean([lab.max() + 1 for lab in labs])),
                "outliers": float(np.mean([(lab < 0).mean() for lab in labs])),
                "validity": float(np.nanmean(vals)),
                "silhouette": float(np.nanmean(sils)),
                "stability_ari": stability_ari(labs),
            }
        )
    df = pd.DataFrame(rows)
    d = asdict(base)
    df["is_default"] = (
        (df["n_neighbors"] == d["n_neighbors"])
        & (df["n_components"] == d["n_components"])
        & (df["min_cluster_size"] == d["min_cluster_size"])
        & (df["min_samples"] == (d["min_samples"] or d["min_cluster_size"]))
        & (df["selection"] == d["cluster_selection_method"])
    )
    df["meets_targets"] = (
        df["themes"].between(10, 20) & (df["outliers"] <= 0.15) & (df["stability_ari"] >= 0.8)
    )
    return df.sort_values("stability_ari", ascending=False, kind="stable").reset_index(drop=True)
