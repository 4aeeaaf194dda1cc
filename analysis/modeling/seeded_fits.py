"""The seeded fits of a consensus: per seed, one UMAP layout on the shared neighbour graph and
one HDBSCAN on it, run side by side on an engine (`analysis.engines`).

Only the layout optimisation and HDBSCAN depend on the seed; the neighbour graph is computed
once (`analysis.modeling.neighbors`). A fit's labels depend only on the vectors, the graph, the
seed and the settings, so every engine gives the same labels bit for bit (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .reduce import hdbscan_labels, umap_reduce

__all__ = ["FitSettings", "fit_seed", "fit_seeds", "load_fit_code"]


@dataclass(frozen=True)
class FitSettings:
    """What one seeded fit needs besides the vectors and the graph."""

    n_components: int
    n_neighbors: int
    min_dist: float
    min_cluster_size: int
    min_samples: int | None
    cluster_selection_method: str
    n_epochs: int


def fit_seed(
    seed: int, X: np.ndarray, knn: tuple[np.ndarray, np.ndarray], settings: FitSettings
) -> tuple[np.ndarray, np.ndarray]:
    """One fit: HDBSCAN labels and membership strengths on the seed's UMAP layout."""
    s = settings
    Z = umap_reduce(
        X, s.n_components, s.n_neighbors, s.min_dist, seed, knn=knn, n_epochs=s.n_epochs
    )
    labels, probs, _ = hdbscan_labels(
        Z, s.min_cluster_size, s.min_samples, s.cluster_selection_method
    )
    return labels.astype(np.int64), probs


def load_fit_code() -> None:
    """Import umap-learn and HDBSCAN (a worker's warm-up, while the run does other work)."""
    import hdbscan  # noqa: F401
    import umap  # noqa: F401


def fit_seeds(
    X: np.ndarray,
    knn: tuple[np.ndarray, np.ndarray],
    seeds: Sequence[int],
    settings: FitSettings,
    engine=None,  # an analysis.engines.Engine; None: one after another, in this process
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Every seed's labels and membership strengths (fits x papers), in the seeds' order."""
    from ..engines import InProcessEngine

    engine = engine or InProcessEngine(workers=1)
    out = engine.map(fit_seed, list(seeds), X, knn, settings).result(
        progress=progress, desc="UMAP + HDBSCAN fits", unit="fit"
    )
    return np.stack([lab for lab, _ in out]), np.stack([p for _, p in out])
