"""The two fitted steps of one seed: seeded cosine UMAP on the shared neighbour graph, then
HDBSCAN on its output."""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["hdbscan_labels", "umap_reduce"]


def umap_reduce(
    X: np.ndarray,
    n_components: int,
    n_neighbors: int,
    min_dist: float,
    seed: int,
    knn: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = False,
    exact_below: int = 4096,
    n_epochs: int | None = None,
) -> np.ndarray:
    """Seeded cosine UMAP (single-threaded by construction of a fixed random_state).

    `knn`: the neighbour graph (`analysis.modeling.neighbors.NeighborGraph.knn`), shared by
    every fit of a run; without it, UMAP finds the neighbours itself (exactly below
    `exact_below` papers). `n_epochs`: None lets umap-learn choose (500 up to 10,000 points).
    `progress` shows umap-learn's own epoch bar (minutes at 10k+ papers) without its log
    lines.
    """
    import umap

    with warnings.catch_warnings():
        # "n_jobs value 1 overridden to 1 by setting random_state": expected with a seed.
        warnings.filterwarnings("ignore", message=".*n_jobs.*", category=UserWarning)
        # pynndescent's NN-descent kernels use dynamic globals, so they stay uncached: harmless.
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        # the shared graph comes without a search index: `transform` is never used here
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        reducer = umap.UMAP(
            n_neighbors=n_neighbors,
            n_components=n_components,
            min_dist=min_dist,
            metric="cosine",
            random_state=seed,
            n_epochs=n_epochs,
            n_jobs=1,
            force_approximation_algorithm=len(X) >= exact_below,
            precomputed_knn=knn if knn is not None else (None, None, None),
            tqdm_kwds={"disable": not progress, "desc": f"UMAP {n_components}-d epochs"},
        )
        return reducer.fit_transform(X).astype(np.float32)


def hdbscan_labels(
    Z: np.ndarray, min_cluster_size: int, min_samples: int | None, method: str
) -> tuple[np.ndarray, np.ndarray, float]:
    """HDBSCAN labels, membership probabilities and relative validity (a fast DBCV).

    In this process only (`core_dist_n_jobs=1`): HDBSCAN's default starts 4 joblib processes
    for the core distances of large inputs, and every seeded fit already has a core of its own
    (measured at 30,000 papers: 8 more processes of 0.2 GB each on 2 cores). The labels are the
    same either way."""
    import hdbscan

    h = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_method=method,
        gen_min_span_tree=True,
        core_dist_n_jobs=1,
    ).fit(Z)
    validity = float(h.relative_validity_) if h.labels_.max() >= 0 else float("nan")
    return h.labels_.copy(), h.probabilities_.astype(np.float32), validity
