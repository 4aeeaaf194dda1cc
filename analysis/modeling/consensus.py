"""Themes that do not hang on one UMAP seed: a consensus over many seeded fits, in memory that
grows with the papers, not with their pairs.

One UMAP + HDBSCAN fit is repeatable for its seed, but another seed regroups about a quarter of
the papers (mean pairwise ARI 0.75 over seeds 0-9 here). The consensus fits every seed of a
seed set and groups papers by **average linkage on the co-association** (the share of fits
that put two papers in one theme; outliers share none), cut at `cut`: with the default 0.6,
two groups join when their papers share a theme in at least 40% of the fits on average. Groups
smaller than the fits' `min_cluster_size` are outliers. How many fits and which cut were
measured is told at `ClusterConfig.consensus_seeds`.

No n x n matrix is made. The average co-association of two groups is exact from their
*profiles* (for every fit, how many of the group's papers each of its themes holds): the dot
product of the two profiles over the fits and both sizes. Merges are sought only between groups
joined by an edge of the shared neighbour graph, and only edges within the cut are kept as
candidates; papers with the same theme in every fit start as one group (they are at distance 0).
Memory is O(n x k) for the graph plus a profile per live group. On this corpus the result is
the dense average linkage's, cut for cut (tested).

Everything is deterministic for given labelings: counts are integers, distances are computed
in float64 from them, and ties go to the lower group id.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

__all__ = [
    "MAX_FITS",
    "consensus_labels",
    "edge_coassociation",
    "member_confidence",
    "seed_set",
    "stability",
    "theme_coassociation",
]

#: The most fits a consensus counts (their labels are kept as int16 columns per paper).
MAX_FITS = 10_000


def seed_set(seed: int, n: int) -> list[int]:
    """The UMAP seeds of a consensus: `seed`, `seed + 1`, ... (`--seed 1` and `--seed 1000`
    use disjoint sets for n <= 999)."""
    return list(range(seed, seed + n))


def _columns(labelings: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    """Each paper's theme in every fit as an index into the fits' concatenated themes (fits x
    papers, -1 where the fit left it an outlier), and how many themes the fits have in all."""
    L = np.asarray(labelings, dtype=np.int64)
    if L.ndim != 2 or len(L) == 0:
        raise ValueError("expected one labeling per fit, each a label per paper")
    if len(L) > MAX_FITS:
        raise ValueError(f"{len(L)} labelings: at most {MAX_FITS} are counted")
    k = np.maximum(L.max(axis=1) + 1, 0)
    offset = np.concatenate([[0], np.cumsum(k)[:-1]])
    return np.where(L >= 0, L + offset[:, None], -1), int(k.sum())


def edge_coassociation(labelings: Sequence[np.ndarray], pairs: np.ndarray) -> np.ndarray:
    """Share of `labelings` in which each pair of papers (rows of `pairs`) shares a theme."""
    cols, _ = _columns(labelings)
    a, b = cols[:, pairs[:, 0]], cols[:, pairs[:, 1]]
    return ((a == b) & (a >= 0)).sum(axis=0) / len(cols)


class _Groups:
    """Groups of papers with their profiles, and the exact average co-association of two."""

    def __init__(self, cols: np.ndarray, n_themes: int) -> None:
        self.cols, self.n_fits, self.width = cols, len(cols), n_themes
        self.size: list[int] = []
        self.column: list[int] = []  # a paper whose column is the group's (no dense profile)
        self.profile: dict[int, np.ndarray] = {}  # merged groups: counts over the fits' themes

    def add_atom(self, paper: int, size: int) -> int:
        self.size.append(size)
        self.column.append(paper)
        return len(self.size) - 1

    def dense(self, g: int) -> np.ndarray:
        p = self.profile.get(g)
        if p is None:
            p = np.zeros(self.width, dtype=np.int64)
            c = self.cols[:, self.column[g]]
            p[c[c >= 0]] = self.size[g]
        return p

    def merge(self, a: int, b: int) -> int:
        self.profile[len(self.size)] = self.dense(a) + self.dense(b)
        self.size.append(self.size[a] + self.size[b])
        self.column.append(-1)
        self.profile.pop(a, None)
        self.profile.pop(b, None)
        return len(self.size) - 1

    def distances(self, g: int, others: Sequence[int]) -> np.ndarray:
        """1 - average co-association between group `g` and each of `others`, in float64 from
        integer counts (so the same on every machine)."""
        shared = np.empty(len(others), dtype=np.int64)
        p = self.profile.get(g)
        for i, o in enumerate(others):
            q = self.profile.get(o)
            if p is None and q is None:
                ca, cb = self.cols[:, self.column[g]], self.cols[:, self.column[o]]
                hits = int(((ca == cb) & (ca >= 0)).sum())
                shared[i] = hits * self.size[g] * self.size[o]
            elif p is None or q is None:
                dense, atom = (q, g) if p is None else (p, o)
                c = self.cols[:, self.column[atom]]
                shared[i] = int(dense[c[c >= 0]].sum()) * self.size[atom]
            else:
                shared[i] = int(p @ q)
        sizes = np.array([self.size[o] for o in others], dtype=np.float64)
        return 1.0 - shared / (self.n_fits * float(self.size[g]) * sizes)


def consensus_labels(
    labelings: Sequence[np.ndarray], neighbors: np.ndarray, cut: float, min_size: int
) -> np.ndarray:
    """Groups of average linkage on 1 - co-association, cut at distance `cut`, merging only
    groups joined by an edge of `neighbors` (papers x k indices; -1 for none, a paper's own
    index ignored); groups under `min_size` papers are outliers (-1). Ids are arbitrary here
    (`ThemeModel` numbers them by size)."""
    cols, width = _columns(labelings)
    n = cols.shape[1]
    groups = _Groups(cols, width)
    # papers with the same theme in every fit are at distance 0: one group from the start
    clean = np.flatnonzero((cols >= 0).all(axis=0))
    group_of = np.empty(n, dtype=np.int64)
    if len(clean):
        _, first, inverse, counts = np.unique(
            cols[:, clean].T, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
        atoms = [groups.add_atom(int(clean[f]), int(c)) for f, c in zip(first, counts, strict=True)]
        group_of[clean] = np.asarray(atoms)[inverse.ravel()]
    for i in np.flatnonzero(~(cols >= 0).all(axis=0)):
        group_of[i] = groups.add_atom(int(i), 1)
    parent = list(range(len(groups.size)))

    # candidate pairs: neighbour-graph edges between different groups, within the cut
    nb = np.asarray(neighbors, dtype=np.int64)
    rows = np.repeat(np.arange(n), nb.shape[1])
    ends = nb.ravel()
    ok = (ends >= 0) & (ends != rows)
    a, b = group_of[rows[ok]], group_of[ends[ok]]
    pairs = np.unique(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    live: dict[int, set[int]] = {}
    heap: list[tuple[float, int, int]] = []
    for g in np.unique(pairs[:, 0]):
        others = pairs[pairs[:, 0] == g, 1]
        d = groups.distances(int(g), others.tolist())
        for o, dist in zip(others.tolist(), d.tolist(), strict=True):
            if dist <= cut:
                heap.append((dist, int(g), o))
                live.setdefault(int(g), set()).add(o)
                live.setdefault(o, set()).add(int(g))
    heapq.heapify(heap)
    alive = set(range(len(groups.size)))
    while heap:
        _, x, y = heapq.heappop(heap)
        if x not in alive or y not in alive:
            continue
        m = groups.merge(x, y)
        parent += [m]
        parent[x] = parent[y] = m
        alive -= {x, y}
        alive.add(m)
        near = sorted((live.pop(x, set()) | live.pop(y, set())) - {x, y})
        for o in near:
            live[o] -= {x, y}
        if near:
            for o, dist in zip(near, groups.distances(m, near).tolist(), strict=True):
                if dist <= cut:
                    heapq.heappush(heap, (dist, o, m))
                    live.setdefault(m, set()).add(o)
                    live[o].add(m)

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    final = np.array([root(int(g)) for g in group_of])
    _ids, first, counts = np.unique(final, return_index=True, return_counts=True)
    kept = sorted(first[counts >= min_size].tolist())  # numbered by their first paper
    number = {int(final[f]): t for t, f in enumerate(kept)}
    return np.array([number.get(int(g), -1) for g in final], dtype=np.int64)


def theme_coassociation(labels: np.ndarray, labelings: Sequence[np.ndarray]) -> np.ndarray:
    """Average co-association between every two themes of `labels` (themes x themes; the
    diagonal: within a theme, each paper's pairs with itself included)."""
    cols, width = _columns(labelings)
    k = int(labels.max()) + 1
    P = np.zeros((k, width), dtype=np.int64)
    for t in range(k):
        c = cols[:, labels == t]
        np.add.at(P[t], c[c >= 0], 1)
    sizes = np.array([(labels == t).sum() for t in range(k)], dtype=np.float64)
    shared = (P @ P.T).astype(np.float64)
    return shared / (len(cols) * np.outer(sizes, sizes))


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
