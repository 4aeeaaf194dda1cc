"""`python -m benchmarks` (`make bench`): speed and scale on this machine, in one run.

Writes `benchmarks/results.md` (machine, tables, what dominates) and `figures/scaling.png`.
Never part of `make test`.

Measured, each in a fresh process unless said otherwise:

- cold: `python -m analysis run` into an empty output folder (every abstract embedded in full);
- warm: the same again with the embedding cache present;
- peer: BERTopic with its defaults and the same model on the same texts (needs `.[peer]`);
- embedding throughput: docs/s, tokens/s and achieved GFLOP/s against the fp32 matmul peak
  measured here with torch, in this process and in the worker processes a run uses;
- scale: synthetic corpora of N abstracts, time and peak memory per stage.

Synthetic abstracts keep the corpus' topical structure: each is a title and 6-10 sentences drawn
from abstracts of one theme of the real corpus (outliers form their own pool).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import BATCHINGS, EmbedConfig
from analysis.io import write_json_atomic, write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
RAW_JSON = ROOT / "benchmarks" / "results" / "bench.json"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


# --- machine ---------------------------------------------------------------------------------


def describe_machine() -> dict:
    cpu = "unknown"
    flags: set[str] = set()
    try:
        info = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", info)
        cpu = m.group(1).strip() if m else cpu
        m = re.search(r"flags\s*:\s*(.+)", info)
        flags = set(m.group(1).split()) if m else set()
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    simd = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "simd": simd,
        "python": platform.python_version(),
    }


def matmul_peak(n: int = 2048, repeat: int = 10) -> dict[str, float]:
    """Best-of-`repeat` GFLOP/s of an n x n matmul with torch, fp32 and bf16.

    bf16 is first probed at 512^3: without AVX-512 BF16 or AMX one 2048^3 bf16 matmul takes
    about a minute, and a slow probe already says what matters.
    """
    import torch

    def best_gflops(size: int, dtype: torch.dtype, times: int) -> float:
        a = torch.randn(size, size, dtype=dtype)
        b = torch.randn(size, size, dtype=dtype)
        torch.mm(a, b)  # warm-up
        best = float("inf")
        for _ in range(times):
            t = time.perf_counter()
            torch.mm(a, b)
            best = min(best, time.perf_counter() - t)
        return 2 * size**3 / best / 1e9

    out: dict[str, float] = {"threads": torch.get_num_threads(), "n": n}
    out["fp32_gflops"] = best_gflops(n, torch.float32, repeat)
    probe = best_gflops(512, torch.bfloat16, 3)
    out["bf16_n"] = 512 if probe < 10 else n
    out["bf16_gflops"] = probe if probe < 10 else best_gflops(n, torch.bfloat16, repeat)
    return out


# --- processes ---------------------------------------------------------------------------------


_STAGE = re.compile(r"^\s+(\w+)\s+([\d.]+) s\s+(\d+) MB peak$")


def _timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time and result of `python <args>` in a fresh process."""
    t = time.perf_counter()
    res = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - t, res


def run_cli(*args: str) -> dict:
    """Run `python -m analysis run ...` in a fresh process; wall time and its stage table."""
    wall, res = _timed("-m", "analysis", "run", "--quiet", *args)
    if res.returncode != 0:
        raise RuntimeError(f"analysis run failed: {res.stderr.strip()[-500:]}")
    stages = {}
    for line in res.stdout.splitlines():
        m = _STAGE.match(line)
        if m:
            stages[m.group(1)] = {"seconds": float(m.group(2)), "peak_mb": int(m.group(3))}
    return {"wall": wall, "stages": stages}


def run_peer() -> dict | None:
    """BERTopic defaults in a fresh process (None when bertopic is not installed)."""
    wall, res = _timed("-m", "benchmarks.bertopic_side_by_side", "--fit-only")
    if res.returncode != 0:
        print(f"peer skipped: {res.stdout.strip()[-200:]} {res.stderr.strip()[-300:]}")
        return None
    m = re.search(r"fit_seconds=([\d.]+) topics=(\d+) outliers=([\d.]+)", res.stdout)
    if not m:
        return {"wall": wall}
    return {
        "wall": wall,
        "fit": float(m.group(1)),
        "topics": int(m.group(2)),
        "outliers": float(m.group(3)),
    }


def end_to_end(repeat: int, with_peer: bool) -> dict:
    """A first run, then cold, warm, cold embedding in-process, cold with the other batching and
    BERTopic, in rounds; the best wall of each.

    Every run shares one numba cache folder of the benchmark's own, empty at the start: the
    first run is what a new machine (or a fresh clone) pays once, compiling umap-learn's
    kernels, and every cold run after it finds them cached, whatever state the checkout's
    `.cache/numba` is in. Rounds alternate the runs so that a slow spell of the machine does
    not hit one side only. Each cold run writes into a new empty folder; warm reruns into the
    cold run's folder.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "out"
        first = run_cli("--output-dir", str(out), "--figures-dir", str(out / "fig"))
    runs: dict[str, list[dict]] = {
        "cold": [],
        "warm": [],
        "cold_in_process": [],
        "cold_other_batching": [],
        "peer": [],
    }
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            out = Path(tmp) / "out"
            dirs = ("--output-dir", str(out), "--figures-dir", str(out / "fig"))
            runs["cold"].append(run_cli(*dirs))
            runs["warm"].append(run_cli(*dirs))
            decoding = {"default": decoding_check(out)}
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            out = Path(tmp) / "out"
            dirs = ("--output-dir", str(out), "--figures-dir", str(out / "fig"))
            runs["cold_in_process"].append(run_cli(*dirs, "--embed-in-process"))
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            out = Path(tmp) / "out"
            dirs = ("--output-dir", str(out), "--figures-dir", str(out / "fig"))
            runs["cold_other_batching"].append(run_cli(*dirs, *OTHER_RUN))
            decoding[" ".join(OTHER_RUN)] = decoding_check(out)
        peer = run_peer() if with_peer else None
        if peer:
            runs["peer"].append(peer)
    best: dict = {}
    for k, rs in runs.items():
        if rs:
            best[k] = {
                **min(rs, key=lambda r: r["wall"]),
                "walls": [round(r["wall"], 1) for r in rs],
            }
    if "cold_other_batching" in best:
        best["cold_other_batching"]["flag"] = " ".join(OTHER_RUN)
    best.setdefault("peer", None)
    best["first"] = first
    best["decoding_check"] = decoding  # the same in every round: runs are deterministic
    return best


def decoding_check(out: Path) -> dict:
    """Where a run put the ten speculative-decoding papers that tests/test_pipeline.py pins."""
    from tests.test_pipeline import DECODING_SPEEDUP_TITLES

    names = pd.read_parquet(out / "papers.parquet").set_index("title")["theme_name"]
    names = names.loc[DECODING_SPEEDUP_TITLES]
    inside = names.str.contains("decoding", case=False)
    return {
        "in_decoding_themes": int(inside.sum()),
        "of": len(names),
        "elsewhere": {str(t): str(n) for t, n in names[~inside].items()},
    }


# --- embedding throughput ----------------------------------------------------------------------


def minilm_flops(
    n_tokens: np.ndarray, hidden: int = 384, ffn: int = 1536, layers: int = 6
) -> float:
    """Forward FLOPs of a BERT-style encoder over sequences of these lengths (no padding).

    Per token and layer: Q, K, V and output projections (8 h^2), feed-forward (4 h ffn), and
    attention scores plus weighted sum (4 h L for a sequence of length L).
    """
    L = n_tokens.astype(np.float64)
    per_layer = L * (8 * hidden**2 + 4 * hidden * ffn) + 4 * hidden * L**2
    return float(layers * per_layer.sum())


DEFAULT_BATCHING = EmbedConfig().batching
#: The throughput section measures float32 kernels against the float32 matmul peak; a run
#: computes in float64 (`EmbedConfig.precision`), measured end to end by the cold rows.
FP32 = EmbedConfig(precision="float32")
#: The other cold run: the float32 path, faster, with CPU-dependent last bits.
OTHER_RUN = ("--precision", "float32")
#: the throughput row of the worker processes a run embeds in (model batching)
WORKERS = "workers"


def sharded_encode() -> dict | None:
    """Encoding seconds and vectors of the run's worker processes (`benchmarks.sharded`)."""
    with tempfile.TemporaryDirectory(prefix="bench-sharded-") as tmp:
        path = Path(tmp) / "vectors.npy"
        _, res = _timed("-m", "benchmarks.sharded", str(path), FP32.precision)
        if res.returncode != 0:
            print(f"worker throughput skipped: {res.stdout.strip()} {res.stderr.strip()[-300:]}")
            return None
        return {**json.loads(res.stdout.strip().splitlines()[-1]), "vectors": np.load(path)}


OTHER_BATCHING = next(b for b in BATCHINGS if b != DEFAULT_BATCHING)


def padding_ratio(lengths: np.ndarray, order: np.ndarray, batch_size: int) -> float:
    """Padded tokens / real tokens when windows go to the model in this order."""
    padded = sum(
        int(lengths[order[i : i + batch_size]].max()) * len(order[i : i + batch_size])
        for i in range(0, len(order), batch_size)
    )
    return padded / float(lengths.sum())


def embedding_throughput(texts: list[str], repeat: int = 2) -> dict:
    """Both batchings, alternated, best of `repeat`; and what the other batching does to themes."""
    import dataclasses

    from sklearn.metrics import adjusted_rand_score

    from analysis.cluster import ThemeModel
    from analysis.config import ClusterConfig
    from analysis.embed import BATCHINGS, Embedder

    cfg = FP32
    emb = {b: Embedder(dataclasses.replace(cfg, batching=b), progress=False) for b in BATCHINGS}
    plan = emb["model"].plan(texts)
    wins = plan.windows
    lengths = plan.lengths + 2  # + [CLS] and [SEP]
    # the window order of each batching's batches, as the embedder makes them
    orders = {b: np.concatenate(emb[b].batches(plan)) for b in BATCHINGS}
    emb["model"].encode(texts[:8])  # warm-up: first batches pay one-off costs
    flops = minilm_flops(lengths)
    best = {b: float("inf") for b in (*BATCHINGS, WORKERS)}
    vecs = {}
    n_workers = None
    for _ in range(repeat):
        for b in BATCHINGS:
            t = time.perf_counter()
            vecs[b] = emb[b].encode(texts)
            best[b] = min(best[b], time.perf_counter() - t)
        sharded = sharded_encode()
        if sharded is not None:
            best[WORKERS] = min(best[WORKERS], sharded["seconds"])
            vecs[WORKERS], n_workers = sharded["vectors"], sharded["workers"]
    out: dict = {
        "texts": len(texts),
        "windows": len(wins),
        "tokens": int(lengths.sum()),
        "batch_size": cfg.batch_size,
        "repeat": repeat,
        # what these rows embed in and how (older results: float32 and "model", then the default)
        "precision": cfg.precision,
        "default_batching": cfg.batching,
    }
    for b in (*BATCHINGS, WORKERS):
        if b not in vecs:
            continue
        secs = best[b]
        out[b] = {
            "seconds": secs,
            "docs_per_s": len(texts) / secs,
            "tokens_per_s": float(lengths.sum()) / secs,
            "gflops": flops / secs / 1e9,
            "padding": padding_ratio(lengths, orders.get(b, orders[cfg.batching]), cfg.batch_size)
            - 1,
        }
    if WORKERS in vecs:
        out[WORKERS]["workers"] = n_workers
        # the run's path must give the in-process vectors, bit for bit
        # the workers batch as a run does (cfg.batching): same batches, same bits
        out[WORKERS]["identical"] = bool(np.array_equal(vecs[WORKERS], vecs[cfg.batching]))
    a, b = vecs["model"], vecs["token-sorted"]
    la = ThemeModel().fit(a, with_map=False).labels_
    lb = ThemeModel().fit(b, with_map=False).labels_
    # the yardstick: how far a different UMAP seed moves the labels of the default batching
    d = vecs[cfg.batching]
    ld = ThemeModel().fit(d, with_map=False).labels_
    seed_ari = [
        adjusted_rand_score(ld, ThemeModel(ClusterConfig(seed=s)).fit(d, with_map=False).labels_)
        for s in range(43, 47)
    ]
    ca, cb = consensus_labels(a), consensus_labels(b)
    out["vectors"] = {
        "seed_ari_mean": float(np.mean(seed_ari)),
        "max_abs_diff": float(np.abs(a - b).max()),
        "min_cosine": float((a * b).sum(1).min()),
        "themes_model": int(la.max() + 1),
        "themes_token_sorted": int(lb.max() + 1),
        "theme_ari": float(adjusted_rand_score(la, lb)),
        "consensus_seeds": CONSENSUS_SEEDS,
        "consensus_themes": [int(ca.max() + 1), int(cb.max() + 1)],
        "consensus_ari": float(adjusted_rand_score(ca, cb)),
    }
    return out


#: Seeds in the consensus measurement (20 UMAP fits of about 0.7 s each at 333 papers).
CONSENSUS_SEEDS = 20


def consensus_labels(X: np.ndarray, n_seeds: int = CONSENSUS_SEEDS) -> np.ndarray:
    """Evidence-accumulation consensus of the default fit over `n_seeds` UMAP seeds.

    Two papers are as close as the share of fits that put them in one theme (outliers join
    no one); average linkage cut at 0.5 keeps pairs that are together in most fits, and
    groups smaller than min_cluster_size become outliers. Measured here only, to show what
    would make themes robust to last-bit noise; the analysis does not use it (20 fits).
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from analysis.cluster import ThemeModel, _renumber_by_size
    from analysis.config import ClusterConfig

    base = ClusterConfig()
    together = np.zeros((len(X), len(X)))
    for s in range(base.seed, base.seed + n_seeds):
        lab = ThemeModel(ClusterConfig(seed=s)).fit(X, with_map=False).labels_
        member = lab >= 0
        together += (lab[:, None] == lab[None, :]) & member[:, None] & member[None, :]
    dist = 1.0 - together / n_seeds
    np.fill_diagonal(dist, 0.0)
    groups = fcluster(linkage(squareform(dist, checks=False), "average"), 0.5, "distance")
    ids, counts = np.unique(groups, return_counts=True)
    small = set(ids[counts < base.min_cluster_size].tolist())
    return _renumber_by_size(np.array([-1 if g in small else int(g) for g in groups]))


# --- synthetic corpora -------------------------------------------------------------------------


def synthetic_dump(papers: pd.DataFrame, n: int, path: Path, seed: int = 0) -> Path:
    """A dump of `n` synthetic papers that keeps the themes' vocabulary (see module doc)."""
    from analysis.load import write_dump

    rng = np.random.default_rng(seed)
    pools = {
        t: [s for a in g["abstract"] for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", a)]
        for t, g in papers.groupby("theme_id")
    }
    titles = {t: g["title"].tolist() for t, g in papers.groupby("theme_id")}
    keys = sorted(pools)
    weights = np.array([len(titles[k]) for k in keys], dtype=float)
    weights /= weights.sum()
    entries = []
    for i in range(n):
        k = keys[rng.choice(len(keys), p=weights)]
        sents = rng.choice(pools[k], size=int(rng.integers(6, 11)), replace=False)
        title = f"{rng.choice(titles[k])} (synthetic {i})"
        abstract = " ".join(sents)
        entries.append((title, abstract if len(abstract) >= 200 else abstract + " " + abstract))
    return write_dump(entries, path, page_date="Jan 1")


# --- report ------------------------------------------------------------------------------------


def scaling_figure(scale: dict[int, dict], path: Path) -> None:
    import matplotlib.pyplot as plt

    from analysis.figures import PALETTE, STYLE, save

    sizes = sorted(scale)
    stages = [
        s
        for s in ("load", "embed", "cluster", "name", "write", "figures")
        if all(s in scale[n]["stages"] for n in sizes)
    ]
    with plt.rc_context(STYLE):
        fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.6))
        for i, s in enumerate(stages):
            a.plot(
                sizes,
                [scale[n]["stages"][s]["seconds"] for n in sizes],
                "o-",
                color=PALETTE[i],
                label=s,
            )
        a.plot(sizes, [scale[n]["wall"] for n in sizes], "k--", label="whole process")
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("abstracts (synthetic, log scale)")
        a.set_ylabel("seconds (log scale)")
        a.set_title("Time per stage")
        a.legend(frameon=False, fontsize=9)
        b.plot(
            sizes,
            [max(v["peak_mb"] for v in scale[n]["stages"].values()) / 1024 for n in sizes],
            "o-",
            color=PALETTE[3],
        )
        b.set_xscale("log")
        b.set_xlabel("abstracts (synthetic, log scale)")
        b.set_ylabel("peak resident memory (GiB)")
        b.set_title("Peak memory of the run")
        fig.suptitle("How `python -m analysis run` grows with the corpus", fontweight="bold")
    save(fig, path.parent, path.stem)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--sizes",
        default="1000,3000,10000,30000",
        help="synthetic corpus sizes, comma-separated (default: %(default)s)",
    )
    ap.add_argument("--skip-peer", action="store_true", help="do not run BERTopic")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of cold, warm, in-process cold, other-batching cold and BERTopic runs; "
        "ratio verdicts on the median of the per-round ratios (default: %(default)s)",
    )
    ap.add_argument(
        "--redo-throughput",
        action="store_true",
        help="measure the embedding throughput section again (and the matmul peak next to it) "
        "into results/bench.json, keeping the rest; the report says so",
    )
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite results.md and the figure from results/bench.json",
    )
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.report_only:
        res = json.loads(RAW_JSON.read_text())
        if res.get("scale"):
            scaling_figure(
                {int(k): v for k, v in res["scale"].items()}, ROOT / "figures" / "scaling.png"
            )
        write_text_atomic(RESULTS, report(res))
        return 0
    if args.redo_throughput:
        return redo_throughput()

    # The runs' own numba cache, empty at the start (see `end_to_end`).
    numba_cache = tempfile.TemporaryDirectory(prefix="bench-numba-")
    ENV["NUMBA_CACHE_DIR"] = numba_cache.name

    res: dict = {"machine": describe_machine()}
    print("machine:", res["machine"])
    res["peak"] = matmul_peak()
    print("matmul peak:", res["peak"])

    res.update(end_to_end(args.repeat, with_peer=not args.skip_peer))
    for k in ("cold", "warm", "cold_in_process", "cold_other_batching", "peer"):
        if res.get(k):
            print(f"{k}: best {res[k]['wall']:.1f} s of {res[k]['walls']}")

    papers = throughput_and_peak(res)

    scale: dict[int, dict] = {}
    res["scale"] = scale
    save(res)  # after each phase: a run stopped during the long scale steps keeps the rest
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-{n}-") as tmp:
            raw = Path(tmp) / "raw"
            raw.mkdir()
            synthetic_dump(papers, n, raw / f"synthetic_{n}.txt")
            mcs = max(8, n // 40)  # keep themes at a similar share of the corpus
            scale[n] = run_cli(
                "--raw-dir",
                str(raw),
                "--output-dir",
                str(Path(tmp) / "out"),
                "--figures-dir",
                str(Path(tmp) / "fig"),
                "--min-cluster-size",
                str(mcs),
            )
            scale[n]["min_cluster_size"] = mcs
            print(f"scale {n}: {scale[n]['wall']:.1f} s", scale[n]["stages"])
        save(res)
    return 0


def throughput_and_peak(res: dict) -> pd.DataFrame:
    """Measure the throughput section into `res`, then the fp32 peak again; the papers.

    The peak again, next to the throughput runs: this shared machine's speed drifts, and one
    slow spell during the run's first measurement would inflate every share of the peak.
    """
    from analysis.embed import paper_texts
    from analysis.pipeline import ensure_artifacts

    papers, _ = ensure_artifacts()
    res["throughput"] = embedding_throughput(paper_texts(papers))
    print("throughput:", res["throughput"])
    first = res["peak"].get("fp32_runs", [res["peak"]["fp32_gflops"]])[0]  # at the run's start
    runs = [first, matmul_peak()["fp32_gflops"]]
    res["peak"].update(fp32_runs=runs, fp32_gflops=max(runs))
    print("matmul peak again:", runs[1])
    return papers


def redo_throughput() -> int:
    """The throughput section measured again, with the peak next to it, into bench.json."""
    res = json.loads(RAW_JSON.read_text())
    throughput_and_peak(res)
    res["throughput"]["remeasured"] = True
    save(res)
    return 0


def save(res: dict) -> None:
    """bench.json, results.md and the scaling figure from what has been measured so far."""
    RAW_JSON.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(RAW_JSON, res)
    if res["scale"]:
        scaling_figure(res["scale"], ROOT / "figures" / "scaling.png")
    write_text_atomic(RESULTS, report(res))
    print(f"written: {RESULTS.relative_to(ROOT)}, {RAW_JSON.relative_to(ROOT)}")


def decoding_text(check: dict | None) -> str:
    """Which batching's themes keep the pinned decoding papers together, from the cold runs."""
    if not check:
        return ""
    parts = []
    for b, c in check.items():
        where = "; ".join(f"*{t}* in {n}" for t, n in c["elsewhere"].items())
        how = (
            f"with `{b}` batching"
            if b in BATCHINGS
            else ("in a default run" if b == "default" else f"with `{b}`")
        )
        parts.append(
            f"{how} {c['in_decoding_themes']} of {c['of']} sit in themes named for decoding"
            + (f" ({where})" if where else "")
        )
    return (
        "The ten speculative-decoding papers that tests/test_pipeline.py pins: "
        + "; ".join(parts)
        + ". Themes, not speed, decide: a run computes in float64, whose vectors do not depend "
        "on batch shapes or CPU kernels (`EmbedConfig.precision`), and the test stays as it is."
    )


def _other_flag(other: dict) -> str:
    """The flag of the other cold run (results before float64 compared batchings)."""
    return other.get("flag") or f"--batching {other['batching']}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _ratio_line(name: str, a: dict, b: dict, target: float) -> str:
    """a / b against a target. With several rounds the verdict is on the median of the
    per-round ratios: runs of one round are paired in time, while the best of each side
    could pair one side's lucky spell with the other's ordinary run."""
    best = a["wall"] / b["wall"]
    wa, wb = a.get("walls", []), b.get("walls", [])
    if len(wa) >= 2 and len(wa) == len(wb):
        per_round = [x / y for x, y in zip(wa, wb, strict=True)]
        med = float(np.median(per_round))
        return (
            f"- {name}: median of the per-round ratios **{med:.2f}** (target <= {target}: "
            f"{_verdict(med <= target)}); rounds {', '.join(f'{r:.2f}' for r in per_round)}; "
            f"best against best {best:.2f}."
        )
    return f"- {name} = {best:.2f} (target <= {target}: {_verdict(best <= target)})."


def _stage_row(name: str, r: dict) -> str:
    st = r["stages"]
    cells = [
        f"{st[s]['seconds']:.1f}" if s in st else "-"
        for s in ("load", "embed", "cluster", "name", "write", "figures")
    ]
    peak = max((v["peak_mb"] for v in st.values()), default=0)
    return f"| {name} | {r['wall']:.1f} | " + " | ".join(cells) + f" | {peak} |"


def report(res: dict) -> str:
    m, pk, th = res["machine"], res["peak"], res["throughput"]
    cold, warm, peer, first = res["cold"], res["warm"], res["peer"], res.get("first")
    rounds = len(cold.get("walls", [cold["wall"]]))
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`python -m benchmarks`); raw numbers in "
        "`benchmarks/results/bench.json`. Times are wall-clock seconds of a fresh process.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB, SIMD: "
        f"{', '.join(m['simd']) or 'none reported'}; Python {m['python']}; torch on "
        f"{pk['threads']} threads. Measured matmul peak (best of several n^3 products): "
        f"fp32 {pk['fp32_gflops']:.0f} GFLOP/s (n={pk.get('n', 2048)}"
        + (
            f"; the better of {', '.join(f'{g:.0f}' for g in pk['fp32_runs'])} measured at "
            "the start and after the throughput runs"
            if "fp32_runs" in pk
            else ""
        )
        + f"), bf16 "
        f"{pk['bf16_gflops']:.1f} GFLOP/s (n={pk.get('bf16_n', 2048)}).",
        "",
        f"Cold, warm and BERTopic runs: the best of {rounds} alternating round"
        f"{'s' if rounds > 1 else ''} (every run's time is listed below). Cold means an empty "
        "output folder; numba's compiled UMAP code stays cached on disk (`.cache/numba`), like "
        "`.pyc` files, so only the very first run on a machine compiles it"
        + (
            f": measured below with an empty numba cache too, {first['wall'] - cold['wall']:.1f} s "
            "more than the best cold run."
            if first
            else "."
        ),
        "",
        "## Cold, warm, peer",
        "",
        "| run | whole process | load | embed | cluster | name | write | figures | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if first:
        lines.append(_stage_row("first run on a new machine (empty numba cache too)", first))
    lines += [
        _stage_row("cold (empty data/processed)", cold),
        _stage_row("warm (embedding cache present)", warm),
    ]
    inproc = res.get("cold_in_process")
    if inproc:
        lines.append(_stage_row("cold, `--embed-in-process`", inproc))
    other = res.get("cold_other_batching")
    if other:
        lines.append(_stage_row(f"cold, `{_other_flag(other)}`", other))
    if peer:  # BERTopic has no stages of ours; its own fit time is the one other number
        fit = f"fit {peer['fit']:.1f}" if "fit" in peer else "-"
        row = f"| BERTopic defaults (same texts, same model) | {peer['wall']:.1f} | {fit} |"
        lines.append(row + " - |" * 6)
    lines += ["", _ratio_line("warm / cold", warm, cold, 0.25)]
    if peer:
        lines.append(
            _ratio_line("cold / BERTopic cold", cold, peer, 0.8)
            + " BERTopic embeds only the first 256 tokens of each text, we embed all."
        )
        if inproc:
            lines.append(
                f"- cold with `--embed-in-process` / BERTopic cold = "
                f"{inproc['wall'] / peer['wall']:.2f}"
            )
        if other:
            lines.append(
                f"- cold with `{_other_flag(other)}` / BERTopic cold = "
                f"{other['wall'] / peer['wall']:.2f}"
            )
    if inproc:
        lines += [
            "",
            f"A cold run embeds in forked worker processes: {inproc['wall'] - cold['wall']:.1f} s "
            "faster than `--embed-in-process` here, with bit-identical vectors and themes "
            "(tests/test_pipeline.py compares the two). One worker imports torch and "
            "transformers and loads the model on one core while the main process loads "
            "umap-learn, hdbscan, matplotlib and numba's cached UMAP code on the other; it then "
            "forks one single-threaded worker per core, and they take the batches off a shared "
            "counter (two 1-thread processes encode about 10% faster than one 2-thread process "
            "on this machine). Workers end without unloading torch, and so does the CLI: "
            "interpreter teardown with torch loaded costs about 2 s and writes nothing. The "
            "cold row's embed stage therefore includes that loading, and its peak memory sums "
            "the processes, counting the pages they share once per process.",
        ]
    walls = [
        f"{name} {', '.join(f'{w:.1f}' for w in r['walls'])}"
        for name, r in (
            ("cold", cold),
            ("warm", warm),
            ("cold `--embed-in-process`", inproc),
            (f"cold `{_other_flag(other)}`" if other else "", other),
            ("BERTopic", peer),
        )
        if r and r.get("walls")
    ]
    if walls:
        lines.append(f"- every run, in seconds: {'; '.join(walls)}")
    lines += [
        "",
        "## Embedding throughput (fp32, full text in sentence windows)",
        "",
        f"{th['texts']} texts -> {th['windows']} windows, {th['tokens']:,} tokens with special "
        f"tokens; best of {th.get('repeat', 2)} alternating runs per batching, batch size "
        f"{th.get('batch_size', EmbedConfig().batch_size)}. FLOPs are counted for "
        "the real, unpadded window lengths (target >= 60% of the fp32 matmul peak)."
        + (
            " This section was measured again after the run, on the same machine "
            "(`python -m benchmarks --redo-throughput`)."
            if th.get("remeasured")
            else ""
        ),
        "",
        "| batching, processes | seconds | docs/s | tokens/s | GFLOP/s | of fp32 peak | padding |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {b: f"{b}, one process, {pk['threads']} threads" for b in BATCHINGS}
    batching = th.get("default_batching", "model")
    if WORKERS in th:
        names[WORKERS] = f"{batching}, {th[WORKERS]['workers']} worker processes of 1 thread"
    used = WORKERS if WORKERS in th else batching
    # until float64 became the default, these rows measured a run's own embedding
    as_run = th.get("precision", EmbedConfig().precision) == EmbedConfig().precision
    tag = " (what a run uses)" if as_run else f" (how a run splits the work; {th['precision']})"
    for b, name in names.items():
        t = th[b]
        lines.append(
            f"| {name}{tag if b == WORKERS else ''} | {t['seconds']:.1f} | "
            f"{t['docs_per_s']:.1f} | {t['tokens_per_s']:,.0f} | {t['gflops']:.0f} | "
            f"**{t['gflops'] / pk['fp32_gflops']:.0%}** | {t['padding']:.1%} |"
        )
    v = th["vectors"]
    faster = min(BATCHINGS, key=lambda b: th[b]["seconds"])
    share = th[used]["gflops"] / pk["fp32_gflops"]
    lines += [
        "",
        "- "
        + ("a run's embedding" if as_run else f"embedding in {th['precision']}")
        + f"{'' if used == WORKERS else ', measured in one process'} "
        f"({names[used]}): {share:.0%} of the fp32 peak "
        f"(target >= 60%: {_verdict(share >= 0.6)})",
    ]
    if WORKERS in th:
        lines.append(
            "- the workers' vectors are "
            + ("**bit-identical**" if th[WORKERS]["identical"] else "**not identical** (a bug)")
            + " to the in-process ones; their seconds count the encoding only (first fork to "
            "last batch, its one-off first-batch costs included), not loading torch and the model"
        )
    lines += [
        "",
        f"The two batchings embed the same tokens; only the batch shapes differ. The vectors "
        f"differ by at most {v['max_abs_diff']:.1e} (minimum cosine {v['min_cosine']:.7f}), "
        f"yet the default UMAP + HDBSCAN fit on them gives {v['themes_model']} (model) vs "
        f"{v['themes_token_sorted']} (token-sorted) themes, **ARI {v['theme_ari']:.2f}** "
        "between the two labelings. For scale: UMAP seeds 43-46 against the default seed 42 "
        f"give a mean ARI of {v['seed_ari_mean']:.2f} on the same vectors. Last-bit noise "
        f"moves the themes like a new seed does. In this run {faster} was the faster batching. "
        + decoding_text(res.get("decoding_check"))
        + " The same holds "
        "for any other engine (int8, ONNX, another CPU's kernels): it could not keep the "
        "themes unchanged, so none was built.",
        "",
    ]
    if "consensus_ari" in v:
        lines += [
            f"What would make themes robust: a consensus over {v['consensus_seeds']} UMAP seeds "
            "(papers as close as the share of fits that put them together, average linkage cut "
            f"at 0.5) gives {v['consensus_themes'][0]} vs {v['consensus_themes'][1]} themes on "
            f"the two batchings' vectors, **ARI {v['consensus_ari']:.2f}**. It costs "
            f"{v['consensus_seeds']} UMAP fits per run instead of one.",
            "",
        ]
    if res["scale"]:
        lines += [
            "## Scale (synthetic corpora)",
            "",
            "![scaling](../figures/scaling.png)",
            "",
            "| abstracts | whole process | load | embed | cluster | name | write | figures | "
            "peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sorted(res["scale"], key=int):
            lines.append(
                _stage_row(
                    f"{int(n):,} (min_cluster_size {res['scale'][n]['min_cluster_size']})",
                    res["scale"][n],
                )
            )
        lines.append("")
        lines += dominance(res)
    lines += beyond_one_machine(res)
    return "\n".join(lines) + "\n"


def dominance(res: dict) -> list[str]:
    """Which stage dominates at each measured size, and a linear extrapolation to 30k."""
    out = ["### What dominates", ""]
    for n in sorted(res["scale"], key=int):
        st = {k: v for k, v in res["scale"][n]["stages"].items() if k != "total"}
        total = sum(v["seconds"] for v in st.values())
        top = max(st, key=lambda k: st[k]["seconds"])
        out.append(
            f"- {int(n):,} abstracts: **{top}** takes {st[top]['seconds']:.0f} s of "
            f"{total:.0f} s ({st[top]['seconds'] / total:.0%})."
        )
    biggest = max(res["scale"], key=int)
    b = res["scale"][biggest]["stages"]
    per_doc = b["embed"]["seconds"] / int(biggest)
    if int(biggest) >= 30_000:
        r = res["scale"][biggest]
        peak = max(v["peak_mb"] for v in r["stages"].values()) / 1024
        out += [
            "",
            f"{int(biggest):,} abstracts end to end: **{r['wall'] / 60:.1f} min** (target <= 60: "
            f"{_verdict(r['wall'] <= 3600)}), peak memory **{peak:.2f} GiB** (target <= 8: "
            f"{_verdict(peak <= 8)}).",
        ]
    else:
        est = per_doc * 30_000
        rest = sum(v["seconds"] for k, v in b.items() if k not in ("embed", "total"))
        out += [
            "",
            f"30,000 abstracts were **not measured** in this run. Embedding cost is linear in "
            f"tokens: at the {int(biggest):,}-abstract rate ({per_doc * 1000:.0f} ms per "
            f"abstract) 30k would take about {est / 60:.0f} min to embed, plus the other "
            f"stages (they took {rest:.0f} s at {int(biggest):,}; UMAP grows slightly faster "
            "than linearly).",
        ]
    return [*out, ""]


def beyond_one_machine(res: dict) -> list[str]:
    th, pk = res["throughput"], res["peak"]
    best = min((b for b in (*BATCHINGS, WORKERS) if b in th), key=lambda b: th[b]["seconds"])
    fast = th[best]
    how = (
        f"{fast['workers']} worker processes" if best == WORKERS else f"{best} batching, in process"
    )
    if "precision" in th:  # the float64 default costs about twice the float32 kernels
        how += f", {th['precision']}"
    tokens_per_doc = th["tokens"] / th["texts"]
    window = th["tokens"] / th["windows"]
    windows_1m = 1_000_000 * th["windows"] / th["texts"]
    flop_1m = minilm_flops(np.full(1, window)) * windows_1m
    hours_here = 1_000_000 * tokens_per_doc / fast["tokens_per_s"] / 3600
    return [
        "## Beyond one machine",
        "",
        f"At 1M abstracts the corpus is about {tokens_per_doc:.0f}M tokens, "
        f"{flop_1m / 1e15:.1f} PFLOP of encoder work. At the {fast['tokens_per_s']:,.0f} "
        f"tokens/s measured here ({how}) that is **{hours_here:.0f} hours** of "
        "embedding on this 2-core machine, "
        "while clustering stays small next to it. Embedding is the part to move.",
        "",
        "For that we would use Hugging Face **Text Embeddings Inference** (TEI) on GPUs: it "
        "serves sentence-transformers models such as all-MiniLM-L6-v2 unchanged (same weights, "
        "so the same vectors up to float error), batches by token budget rather than by count "
        "(no padding waste, the idea behind our length-sorted windows), runs fp16 kernels with "
        "flash attention, and scales out as stateless replicas behind a queue. One current "
        "data-centre GPU sustains on the order of 100 TFLOP/s in fp16, so "
        f"{flop_1m / 1e15:.1f} PFLOP is minutes of work per GPU rather than hours. Our "
        "windowing and the per-text cache key stay as they are; only "
        "`Embedder.encode_batches` would call the service. UMAP at 1M points keeps a "
        "k-nearest-neighbour graph of a few GB and fits on one large-memory node; HDBSCAN "
        "would move to fast_hdbscan (parallel; not measured in this run).",
        "",
        "One condition comes first: another engine means other last bits, and the section "
        "above shows that last bits move the themes. A run here computes in float64 and rounds "
        "to float32 once, which makes its vectors independent of the kernels (about twice the "
        "float32 time measured above); an engine at scale would have to do the same (data-centre "
        "GPUs run float64 at a fraction of their fp16 rate), or the themes would have to come "
        "from a consensus over several UMAP seeds (measured above), or every engine change "
        "rewrites them.",
        "",
        bf16_sentence(pk),
        "",
    ]


def bf16_sentence(pk: dict) -> str:
    """What bf16 would buy on the measured CPU."""
    bf16, fp32 = pk["bf16_gflops"], pk["fp32_gflops"]
    if bf16 <= fp32:
        return (
            f"On this CPU bf16 is no shortcut: the measured bf16 matmul reaches {bf16:.1f} "
            f"GFLOP/s (no AVX-512 BF16 or AMX), against {fp32:.0f} GFLOP/s in fp32."
        )
    return (
        f"On this CPU a bf16 matmul reaches {bf16:,.0f} GFLOP/s, {bf16 / fp32:.1f}x the fp32 "
        f"{fp32:.0f} GFLOP/s (AVX-512 BF16 / AMX), so bf16 embedding would be the fastest path "
        "here; but bf16 vectors differ from float32 ones far more than last bits, and CPUs "
        "without these units run it at a crawl, so it stays opt-in (`EmbedConfig.bf16`, float32 "
        "only) and off the portable default."
    )


if __name__ == "__main__":
    raise SystemExit(main())
