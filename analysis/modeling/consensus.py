"""Themes that do not hang on one UMAP seed: a consensus over many seeded fits.

One UMAP + HDBSCAN fit is repeatable for its seed, but another seed regroups about a quarter of
the papers (mean pairwise ARI 0.75 over seeds 0-9 here). The consensus fits every seed of a
seed set, counts for each pair of papers the share of fits that put both in the same theme
(their co-association), and groups papers by average linkage on 1 - co-association, cut at
`cut`: with the default 0.6, two groups join when their papers share a theme in at least 40% of
the fits on average. Groups smaller than the fits' `min_cluster_size` are outliers. How many
fits and which cut were measured is told at `ClusterConfig.consensus_seeds`.

Everything here is deterministic for given labelings: the co-association counts integers and
scipy's linkage breaks ties by input order. The matrix is dense (n x n float32: 0.4 MB at 333
papers, 36 MB at 3k, 3.6 GB at 30k), which bounds the method to some tens of thousands of papers
on one machine; past that, fit on a sample and place the rest with `ThemeModel.predict`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["coassociation", "consensus_labels", "member_confidence", "seed_set", "stability"]


def seed_set(seed: int, n: int) -> list[int]:
    """The UMAP seeds of a consensus: `seed`, `seed + 1`, ... (`--seed 1` and `--seed 1000`
    use disjoint sets for n <= 999)."""
    return list(range(seed, seed + n))


def coassociation(labelings: Sequence[np.ndarray]) -> np.ndarray:
    """Share of `labelings` in which each pair of papers shares a theme (outliers share none).

    Counted in integers and divided once, so the matrix does not depend on the fits' order.
    """
    L = np.asarray(labelings)
    if len(L) >= 2**16:
        raise ValueError(f"{len(L)} labelings: at most {2**16 - 1} are counted")
    n = L.shape[1]
    counts = np.zeros((n, n), dtype=np.uint16)  # half the memory of the float32 result
    for lab in L:
        for t in np.unique(lab[lab >= 0]):
            idx = np.flatnonzero(lab == t)
            counts[np.ix_(idx, idx)] += 1
    C = counts.astype(np.float32)
    del counts
    C /= np.float32(len(L))
    return C


def consensus_labels(C: np.ndarray, cut: float, min_size: int) -> np.ndarray:
    """Groups of average linkage on 1 - `C` cut at distance `cut`; groups under `min_size`
    papers are outliers (-1). Ids are arbitrary here (`ThemeModel` numbers them by size)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    # the condensed upper triangle only (the diagonal is left out): n^2 / 2 float64, not n^2
    d = squareform(C, checks=False).astype(np.float64)
    np.subtract(1.0, d, out=d)
    groups = fcluster(linkage(d, "average"), cut, "distance")
    ids, counts = np.unique(groups, return_counts=True)
    kept = {int(g): i for i, g in enumerate(ids[counts >= min_size])}
    return np.array([kept.get(int(g), -1) for g in groups], dtype=np.int64)


def _best_matches(labels: np.ndarray, run: np.ndarray) -> dict[int, tuple[int, float]]:
    """For each consensus theme, the run's theme with the highest Jaccard index, and it."""
    out = {}
    for t in np.unique(labels[labels >= 0]):
        mine = labels == t
        best = (-1, 0.0)
        for r in np.unique(run[mine & (run >= 0)]):
            theirs = run == r
            jac = float((mine & theirs).sum() / (mine | theirs).sum())
            if jac > best[1]:
                best = (int(r), jac)
        out[int(t)] = best
    return out


def stability(labels: np.ndarray, labelings: Sequence[np.ndarray]) -> np.ndarray:
    """Per consensus theme: mean over the fits of its best-match Jaccard index (1 = every fit
    found exactly this theme)."""
    k = int(labels.max()) + 1
    jac = np.zeros((len(labelings), k))
    for i, run in enumerate(labelings):
        for t, (_, j) in _best_matches(labels, run).items():
            jac[i, t] = j
    return jac.mean(0)


def member_confidence(labels: np.ndarray, labelings: Sequence[np.ndarray]) -> np.ndarray:
    """Per paper: share of the fits that put it in its theme's best match (for outliers: share
    of the fits that left it an outlier)."""
    hits = np.zeros(len(labels))
    for run in labelings:
        best = _best_matches(labels, run)
        own = np.array([best[int(t)][0] if t >= 0 else -1 for t in labels])
        hits += run == own
    return hits / len(labelings)
