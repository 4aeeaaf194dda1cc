"""Embedding throughput: docs/s, tokens/s and GFLOP/s, in this process and on Dask workers.

Each row embeds the real corpus in full (sentence windows) with one precision, batching and
engine (`ROWS`): torch in this process on all its threads, or a Dask LocalCluster of
`DASK_WORKERS` single-threaded worker processes. Both compute the same batches, so their vectors
must agree bit for bit (recorded per Dask row). Seconds cover the encoding only (submitting the
batches to having every window vector), not loading torch and the model, which every engine
did before the timed passes. FLOPs are counted for the real, unpadded window lengths; the
report divides them by the matmul peak of the row's precision (`machine`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.config import BATCHINGS, ComputeConfig, EmbedConfig
from analysis.embedding.encoder import SPECIAL_TOKENS
from analysis.embedding.engines import submit_batches

from .machine import remeasure_peaks

DEFAULT = EmbedConfig()
#: Worker processes (of one thread each) of the Dask rows.
DASK_WORKERS = 2
#: (precision, batching, engine) of every row. float32 in both batchings feeds `noise`; the
#: default batching in both engines and both precisions compares the engines.
ROWS: list[tuple[str, str, str]] = [
    ("float32", "model", "in-process"),
    ("float32", "token-sorted", "in-process"),
    ("float32", DEFAULT.batching, "dask"),
    ("float64", DEFAULT.batching, "in-process"),
    ("float64", DEFAULT.batching, "dask"),
]
#: Texts embedded once per precision and engine before the timed passes (one-off costs).
WARM_UP_TEXTS = 8


def minilm_flops(
    n_tokens: np.ndarray, hidden: int = 384, ffn: int = 1536, layers: int = 6
) -> float:
    """Forward FLOPs of a BERT-style encoder over sequences of these lengths (no padding).

    Per token and layer: Q, K, V and output projections (8 h^2), feed-forward (4 h ffn), and
    attention scores plus weighted sum (4 h L for a sequence of length L).
    """
    L = np.asarray(n_tokens, dtype=np.float64)
    per_layer = L * (8 * hidden**2 + 4 * hidden * ffn) + 4 * hidden * L**2
    return float(layers * per_layer.sum())


def padding_ratio(lengths: np.ndarray, batches: Sequence[np.ndarray]) -> float:
    """Padded tokens / real tokens when windows go to the model in these batches."""
    padded = sum(int(lengths[b].max()) * len(b) for b in batches if len(b))
    return padded / float(lengths.sum())


def warm_workers(engine, config: EmbedConfig, windows: list[str]) -> None:
    """Every Dask worker loads the model and embeds `windows` once, and this waits for it."""
    from analysis.embedding.engines import encode_on_worker

    client = engine.client
    futures = [
        client.submit(
            encode_on_worker, windows, config, workers=[a], allow_other_workers=False, pure=False
        )
        for a in client.scheduler_info(n_workers=-1)["workers"]
    ]
    client.gather(futures)


def timed_encode(engine, config: EmbedConfig, plan, batches) -> tuple[float, np.ndarray]:
    """Seconds from submitting the batches to having their vectors, and the pooled vectors."""
    t = time.perf_counter()
    vecs = submit_batches(engine, config, plan.windows, batches).result(progress=False)
    secs = time.perf_counter() - t
    return secs, plan.pool(np.concatenate(batches), vecs)


def embedding_throughput(
    texts: list[str], repeat: int = 2, workers: int = DASK_WORKERS, with_noise: bool = True
) -> dict:
    """Every row of `ROWS`, alternated, best of `repeat`; and (`with_noise`, which needs a
    corpus large enough to cluster) what the batchings do to themes (`noise`)."""
    import torch

    from analysis.embedding import Embedder
    from analysis.engines import DaskEngine, InProcessEngine

    from .noise import batching_noise

    configs = {r: dataclasses.replace(DEFAULT, precision=r[0], batching=r[1]) for r in ROWS}
    plan = Embedder(DEFAULT, progress=False).plan(texts)  # the same for every row
    lengths = plan.lengths + SPECIAL_TOKENS
    batches = {
        b: Embedder(dataclasses.replace(DEFAULT, batching=b), progress=False).batches(plan)
        for b in BATCHINGS
    }
    flops = minilm_flops(lengths)
    engines = {"in-process": InProcessEngine(workers=1), "dask": DaskEngine(workers=workers)}
    try:
        head = Embedder(DEFAULT, progress=False).plan(texts[:WARM_UP_TEXTS]).windows
        for precision in sorted({r[0] for r in ROWS}):
            warm = dataclasses.replace(DEFAULT, precision=precision)
            Embedder(warm, progress=False).encode(texts[:WARM_UP_TEXTS])
            warm_workers(engines["dask"], warm, head)
        n_workers = engines["dask"].n_workers
        best = dict.fromkeys(ROWS, float("inf"))
        vecs: dict[tuple[str, str, str], np.ndarray] = {}
        for _ in range(repeat):
            for r in ROWS:
                secs, vecs[r] = timed_encode(engines[r[2]], configs[r], plan, batches[r[1]])
                best[r] = min(best[r], secs)
    finally:
        engines["dask"].close()
    rows = []
    for r in ROWS:
        precision, batching, engine = r
        secs = best[r]
        row = {
            "precision": precision,
            "batching": batching,
            "engine": engine,
            "workers": n_workers if engine == "dask" else 1,
            "threads": 1 if engine == "dask" else torch.get_num_threads(),
            "seconds": secs,
            "docs_per_s": len(texts) / secs,
            "tokens_per_s": float(lengths.sum()) / secs,
            "gflops": flops / secs / 1e9,
            "padding": padding_ratio(lengths, batches[batching]) - 1,
        }
        same = (precision, batching, "in-process")
        if engine != "in-process" and same in vecs:
            row["identical"] = bool(np.array_equal(vecs[r], vecs[same]))
        rows.append(row)
    out = {
        "texts": len(texts),
        "windows": len(plan.windows),
        "tokens": int(lengths.sum()),
        "batch_size": DEFAULT.batch_size,
        "repeat": repeat,
        # what a run uses: the row measuring it is tagged so in the report
        "default_precision": DEFAULT.precision,
        "default_batching": DEFAULT.batching,
        "default_engine": ComputeConfig().engine,
        "rows": rows,
    }
    if with_noise:
        out["vectors"] = batching_noise(
            vecs[("float32", "model", "in-process")],
            vecs[("float32", "token-sorted", "in-process")],
            vecs[("float32", DEFAULT.batching, "in-process")],
        )
    return out


def throughput_and_peak(res: dict) -> pd.DataFrame:
    """Measure the throughput section into `res`, then the peaks again (`remeasure_peaks`);
    returns the papers it embedded (the real corpus, with the themes of its run)."""
    from analysis.text import paper_texts

    papers = corpus_run_papers()
    res["throughput"] = embedding_throughput(paper_texts(papers))
    print("throughput:", {k: v for k, v in res["throughput"].items() if k != "rows"})
    for row in res["throughput"]["rows"]:
        print("  ", row)
    remeasure_peaks(res["peak"])
    print("matmul peaks again:", res["peak"])
    return papers


def corpus_run_papers() -> pd.DataFrame:
    """The real corpus' papers with the themes of its run in data/processed (made first if
    there is none): what the synthetic corpora are drawn from."""
    from analysis.artifacts import load_run
    from analysis.config import DEFAULT
    from analysis.pipeline import run
    from analysis.run_sets import current_set

    if current_set(DEFAULT.processed_dir) is None:
        run(progress=False, verbose=False)
    return load_run().papers
