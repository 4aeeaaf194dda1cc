"""The neighbour graph every fit of a consensus shares, and the hubs kept out of it.

Which papers are each paper's `n_neighbors` nearest (cosine) does not depend on a UMAP seed, so
it is computed once per run and handed to every fit (umap-learn's `precomputed_knn`): exactly
below `exact_below` papers, as umap-learn's own small-data path computes it (so a fit given
this graph is bit for bit the fit that computed it itself), and by NN-descent from there on,
seeded once for the run.

A **hub** is a paper among the nearest neighbours of far more papers than any paper should be
(`HUB_FACTOR` times the average, which is always `n_neighbors`). Long texts become hubs: a
vector pooled over many windows drifts towards what every abstract shares, and one such paper
was among the 15 nearest of 302 of the corpus' 333 papers, gluing themes together in every
fit. The real corpus' most popular paper is a neighbour of 4.3 times the average, so no paper
of it is a hub. Hubs are left out of the graph and of the fits: they shape no theme, and are
placed afterwards by their nearest theme like any outlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HUB_FACTOR", "NeighborGraph", "hub_mask", "neighbor_graph"]

#: A paper among the nearest neighbours of more than this many times `n_neighbors` papers is a
#: hub (the average is exactly `n_neighbors`).
HUB_FACTOR = 6


@dataclass(frozen=True)
class NeighborGraph:
    """Each paper's nearest neighbours, itself first: `indices` (n x k int32) and cosine
    `distances` (n x k float32), as umap-learn's `precomputed_knn` takes them."""

    indices: np.ndarray
    distances: np.ndarray
    exact: bool

    @property
    def knn(self) -> tuple[np.ndarray, np.ndarray]:
        return self.indices, self.distances

    @property
    def in_degree(self) -> np.ndarray:
        """How many papers list each paper among their neighbours (itself not counted)."""
        return np.bincount(self.indices[:, 1:].ravel(), minlength=len(self.indices))


def neighbor_graph(X: np.ndarray, n_neighbors: int, exact_below: int, seed: int) -> NeighborGraph:
    """The `n_neighbors` nearest papers of every paper (itself included, first), by cosine."""
    import warnings

    from umap import distances
    from umap.umap_ import nearest_neighbors

    X = np.asarray(X, dtype=np.float32)
    k = min(n_neighbors, len(X))
    if len(X) < exact_below:
        # the very computation umap-learn makes for fewer than 4096 points
        dmat = distances.pairwise_special_metric(X, metric=distances.named_distances["cosine"])
        idx, dist, _ = nearest_neighbors(dmat, k, "precomputed", {}, False, None)
        exact = True
    else:
        with warnings.catch_warnings():
            # pynndescent's NN-descent kernels use dynamic globals: uncached, harmless
            warnings.filterwarnings("ignore", message="Cannot cache compiled function")
            idx, dist, _ = nearest_neighbors(
                X, k, "cosine", {}, False, np.random.RandomState(seed), n_jobs=1
            )
        exact = False
    return NeighborGraph(idx.astype(np.int32), dist.astype(np.float32), exact)


def hub_mask(graph: NeighborGraph, factor: float = HUB_FACTOR) -> np.ndarray:
    """Papers that are among the nearest neighbours of more than `factor` times as many papers
    as the average paper (see the module's docstring)."""
    k = graph.indices.shape[1] - 1
    return graph.in_degree > factor * k
