"""What last-bit noise in the vectors does to the themes, and what would make themes robust to it.

Measured on the float32 vectors of the two batchings (`throughput`): they embed the same tokens
in other batch shapes, so they differ in their last bits only. The yardstick is how far another
UMAP seed moves the themes of one set of vectors.
"""

from __future__ import annotations

import numpy as np

#: UMAP seeds the default seed's themes are compared with (the yardstick).
OTHER_SEEDS = range(43, 47)


def fit_labels(X: np.ndarray, seed: int | None = None) -> np.ndarray:
    """Theme labels of one fit of the default setting (no 2-D map), at another UMAP seed if
    given: what the themes were before the consensus."""
    from dataclasses import replace

    from analysis.config import ClusterConfig
    from analysis.modeling import ThemeModel

    base = ClusterConfig()
    config = replace(
        base, consensus_seeds=1, random_state=base.random_state if seed is None else seed
    )
    return ThemeModel.from_config(config, with_map=False).fit(X).labels_


def consensus_labels(X: np.ndarray) -> np.ndarray:
    """Theme labels as a run makes them: the default consensus (no 2-D map)."""
    from analysis.config import ClusterConfig
    from analysis.modeling import ThemeModel

    return ThemeModel.from_config(ClusterConfig(), with_map=False).fit(X).labels_


def batching_noise(model: np.ndarray, token_sorted: np.ndarray, default: np.ndarray) -> dict:
    """How far the two batchings' vectors (and themes) differ, against another seed's effect.

    `default` is the vectors of the default batching, on which the seeds are compared.
    """
    from sklearn.metrics import adjusted_rand_score

    from analysis.config import ClusterConfig

    la, lb, ld = fit_labels(model), fit_labels(token_sorted), fit_labels(default)
    seed_ari = [adjusted_rand_score(ld, fit_labels(default, seed=s)) for s in OTHER_SEEDS]
    ca, cb = consensus_labels(model), consensus_labels(token_sorted)
    return {
        "seed_ari_mean": float(np.mean(seed_ari)),
        "max_abs_diff": float(np.abs(model - token_sorted).max()),
        "min_cosine": float((model * token_sorted).sum(1).min()),
        "themes_model": int(la.max() + 1),
        "themes_token_sorted": int(lb.max() + 1),
        "theme_ari": float(adjusted_rand_score(la, lb)),
        "consensus_seeds": ClusterConfig().consensus_seeds,
        "consensus_themes": [int(ca.max() + 1), int(cb.max() + 1)],
        "consensus_ari": float(adjusted_rand_score(ca, cb)),
    }
