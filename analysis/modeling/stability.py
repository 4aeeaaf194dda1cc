"""Choosing the clustering parameters: agreement between labelings, and the sweep that scored
every setting over several UMAP seeds (`python -m analysis sweep`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import numpy as np
import pandas as pd

from ..config import ClusterConfig
from ..progress import progress_bar
from .reduce import hdbscan_labels, umap_reduce

__all__ = ["DEFAULT_GRID", "matched_themes", "stability_ari", "sweep"]


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

    base = base or ClusterConfig()
    g = {k: list(v) for k, v in (grid or DEFAULT_GRID).items()}
    umap_keys = list(itertools.product(g["n_neighbors"], g["n_components"], seeds))
    spaces = {}
    for nn, nc, s in progress_bar(iterable=umap_keys, desc="UMAP fits", disable=not progress):
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
