"""The consensus fit alone, at any size, in a fresh process:

    python -m benchmarks.fit_scale N [--n-epochs E] [--labels FILE] [--vectors FILE]

fits `ThemeModel` with the default settings (min_cluster_size scaled with N,
`min_cluster_size` here) on N synthetic vectors, on this machine's cores (the in-process engine, one
worker per core), and prints one JSON line: seconds for the neighbour graph and for the whole
fit (graph, seeded fits, consensus, map), themes and outliers. `fit_run` makes the vectors
first, in its own process, and hands them over as a .npy file (`--vectors`): the process it
measures then holds the fit and its inputs only, not the run the vectors were drawn from (its
tables, pandas' parquet reader). It samples the memory of that process's whole tree.

Synthetic vectors keep the corpus' topical structure without embedding anything: each is a
random mixture of two papers of one theme of the current run (themes drawn in proportion to
their size, outliers as one pool) plus a little noise, normalised. Embedding is measured on
its own (`benchmarks.throughput`, `benchmarks.scale`); this is what the clustering costs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time

import numpy as np

import analysis  # noqa: F401 - the numerics settings, before anything imports numba

#: Standard deviation of the noise added to each coordinate of a mixture (the vectors have 384
#: coordinates of about 0.05 each).
NOISE = 0.02
#: Vectors made at a time.
CHUNK = 10_000


def min_cluster_size(n: int) -> int:
    """HDBSCAN min_cluster_size for `n` abstracts: themes at a similar share of the corpus."""
    return max(8, n // 40)


def synthetic_vectors(labels: np.ndarray, vectors: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """`n` unit vectors, each a mixture of two papers of one theme (see the module's doc)."""
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(labels == t) for t in np.unique(labels)]
    weights = np.array([len(g) for g in groups], dtype=float)
    pick = rng.choice(len(groups), size=n, p=weights / weights.sum())
    a = np.array([rng.choice(groups[g]) for g in pick])
    b = np.array([rng.choice(groups[g]) for g in pick])
    u = rng.random((n, 1), dtype=np.float32)
    V = np.asarray(vectors, dtype=np.float32)
    out = np.empty((n, V.shape[1]), dtype=np.float32)
    for i in range(0, n, CHUNK):  # in pieces: the benchmark's own memory stays small
        s = slice(i, i + CHUNK)
        x = u[s] * V[a[s]] + (1 - u[s]) * V[b[s]]
        x += rng.normal(0, NOISE, x.shape).astype(np.float32)
        out[s] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def run_vectors(n: int) -> np.ndarray:
    """`n` synthetic vectors drawn from the current run's themes (`synthetic_vectors`)."""
    from analysis.artifacts import load_run, theme_vectors

    run = load_run()
    themes = run.papers["theme_id"].to_numpy()
    return synthetic_vectors(themes, theme_vectors(run.papers, record=run.record), n)


def main(argv: list[str] | None = None) -> int:
    from joblib import Memory

    from analysis.config import DEFAULT
    from analysis.engines import InProcessEngine
    from analysis.modeling import ThemeModel
    from analysis.modeling.neighbors import neighbor_graph
    from analysis.modeling.theme_model import canonical_order
    from analysis.process import apply

    apply(embeds_corpus=False)  # an entry point, as the command line
    ap = argparse.ArgumentParser(prog="python -m benchmarks.fit_scale")
    ap.add_argument("n", type=int)
    ap.add_argument("--n-epochs", type=int, default=None)
    ap.add_argument("--labels", help="save the themes (one per vector, .npy) here")
    ap.add_argument("--vectors", help="fit these vectors (.npy, N rows) instead of making them")
    args = ap.parse_args(argv)

    X = np.load(args.vectors) if args.vectors else run_vectors(args.n)
    if len(X) != args.n:
        raise SystemExit(f"{args.vectors}: {len(X)} vectors, expected {args.n}")
    settings = dataclasses.replace(
        DEFAULT.cluster, min_cluster_size=min_cluster_size(args.n), n_epochs=args.n_epochs
    )
    model = ThemeModel.from_config(settings)
    engine = InProcessEngine()
    with tempfile.TemporaryDirectory(prefix="bench-fits-") as tmp:
        memory = Memory(tmp, verbose=0)  # the graph timed alone, then read back by the fit
        t0 = time.perf_counter()
        Xc = X[canonical_order(X)]
        how = (model.n_neighbors, model.exact_neighbors_below, model.random_state)
        memory.cache(neighbor_graph)(Xc, *how)
        graph = time.perf_counter() - t0
        model.fit(X, engine=engine, memory=memory)
        fit = time.perf_counter() - t0
    engine.close()
    if args.labels:
        np.save(args.labels, model.labels_)
    labels = model.labels_
    print(
        json.dumps(
            {
                "n": args.n,
                "graph_seconds": round(graph, 2),
                "fit_seconds": round(fit, 2),
                "fits": model.consensus_seeds,
                "workers": engine.workers,
                "epochs": model.n_epochs_,
                "min_cluster_size": model.min_cluster_size,
                "themes": int(labels.max()) + 1,
                "outliers": round(float((labels < 0).mean()), 4),
            }
        )
    )
    return 0


def fit_run(n: int, n_epochs: int | None = None, labels: str | None = None) -> dict:
    """`python -m benchmarks.fit_scale n` in a fresh process on vectors made here: what it
    prints, its wall time and the peak memory of its whole process tree (the fit's worker
    processes included), as summed RSS (`peak_mb`) and summed PSS (`pss_mb`)."""
    from .runs import timed

    extra = (["--n-epochs", str(n_epochs)] if n_epochs else []) + (
        ["--labels", labels] if labels else []
    )
    with tempfile.TemporaryDirectory(prefix="bench-vectors-") as tmp:
        vectors = f"{tmp}/vectors.npy"
        np.save(vectors, run_vectors(n))
        wall, res = timed("-m", "benchmarks.fit_scale", str(n), "--vectors", vectors, *extra)
    if res.returncode != 0:
        raise RuntimeError(f"fit_scale {n} failed: {res.stderr.strip()[-500:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return {**out, "wall": wall, "peak_mb": res.peak_mb, "pss_mb": res.pss_mb}


if __name__ == "__main__":
    sys.exit(main())
