"""End-to-end runs, each in a fresh process: `python -m analysis run` and BERTopic's defaults.

`run_cli` times one run and reads the stage table the CLI prints; `end_to_end` makes the
rounds of cold, warm and peer runs the report compares.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from analysis.artifacts import load_artifacts

from . import ROOT
from .targets import DECODING_SPEEDUP_TITLES

#: The environment of every run: no hub access, no tokenizer threads of its own.
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}

#: The cold runs with other flags next to the default cold run: key in bench.json -> flags.
#: `--engine dask` embeds on a LocalCluster of one single-threaded worker per core;
#: `--precision float32` is the faster path whose last bits (and themes) depend on the CPU.
COLD_VARIANTS: dict[str, tuple[str, ...]] = {
    "cold_dask": ("--engine", "dask"),
    "cold_other_batching": ("--precision", "float32"),
}
#: Every kind of run in a round, in the order a round makes them.
ROUND = ("cold", "warm", *COLD_VARIANTS, "peer")

# A line of the stage table: "  embed      29.62 s     2262 MB peak"
_STAGE = re.compile(r"^\s+(\w+)\s+([\d.]+) s\s+(\d+) MB peak$")
_PEER = re.compile(r"fit_seconds=([\d.]+) topics=(\d+) outliers=([\d.]+)")


def isolate_numba_cache() -> tempfile.TemporaryDirectory:
    """Give every run from here on one numba cache folder of the benchmark's own, empty now.

    The first run then pays what a new machine (or a fresh clone) pays once, compiling
    umap-learn's kernels, and every later run finds them cached, whatever state the checkout's
    `.cache/numba` is in. Keep the returned folder alive as long as the runs.
    """
    folder = tempfile.TemporaryDirectory(prefix="bench-numba-")
    ENV["NUMBA_CACHE_DIR"] = folder.name
    return folder


#: Seconds between two samples of a run's memory.
SAMPLE_EVERY = 0.2


class Finished(subprocess.CompletedProcess):
    """A finished run with the most memory its whole process tree (it and every process it
    started, e.g. the fits' workers) held at once, sampled every `SAMPLE_EVERY` s, two ways:

    - `peak_mb`: the sum of the processes' resident sizes (RSS). Pages they share (the
      libraries' code, mapped by every process) count once per process: an upper bound.
    - `pss_mb`: the sum of their proportional set sizes (PSS): each shared page split among the
      processes that map it, so the memory the tree really holds.
    """

    peak_mb: float = 0.0
    pss_mb: float = 0.0


def _tree_mb(proc: psutil.Process) -> tuple[float, float]:
    """The process tree's summed RSS and PSS, in MB."""
    rss = pss = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            m = p.memory_full_info()
            rss, pss = rss + m.rss, pss + m.pss
    return rss / 2**20, pss / 2**20


def timed(*args: str) -> tuple[float, Finished]:
    """Wall time and result of `python <args>` in a fresh process started in the checkout,
    with the peak memory of its process tree."""
    t = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(child.pid)
            while not done.wait(SAMPLE_EVERY):
                peak[:] = map(max, peak, _tree_mb(proc))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    res = Finished(child.args, child.returncode, out, err)
    res.peak_mb, res.pss_mb = round(peak[0]), round(peak[1])
    return wall, res


def parse_stages(stdout: str) -> dict[str, dict]:
    """The CLI's stage table: stage -> seconds and peak MB (the `total` line included)."""
    stages = {}
    for line in stdout.splitlines():
        m = _STAGE.match(line)
        if m:
            stages[m.group(1)] = {"seconds": float(m.group(2)), "peak_mb": int(m.group(3))}
    return stages


def run_cli(*args: str) -> dict:
    """Run `python -m analysis run --quiet ...` in a fresh process; wall time and its stages."""
    wall, res = timed("-m", "analysis", "run", "--quiet", *args)
    if res.returncode != 0:
        raise RuntimeError(f"analysis run failed: {res.stderr.strip()[-500:]}")
    return {
        "wall": wall,
        "stages": parse_stages(res.stdout),
        "tree_peak_mb": res.peak_mb,
        "tree_pss_mb": res.pss_mb,
    }


def run_peer() -> dict | None:
    """BERTopic defaults in a fresh process (None when bertopic is not installed)."""
    wall, res = timed("-m", "benchmarks.bertopic_side_by_side", "--fit-only")
    if res.returncode != 0:
        print(f"peer skipped: {res.stdout.strip()[-200:]} {res.stderr.strip()[-300:]}")
        return None
    m = _PEER.search(res.stdout)
    if not m:
        return {"wall": wall}
    return {
        "wall": wall,
        "fit": float(m.group(1)),
        "topics": int(m.group(2)),
        "outliers": float(m.group(3)),
    }


@contextmanager
def output_dirs() -> Iterator[tuple[Path, tuple[str, ...]]]:
    """A new empty output folder, and the flags that send a run's artifacts and figures there."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "out"
        yield out, ("--output-dir", str(out), "--figures-dir", str(out / "fig"))


def decoding_check(out: Path) -> dict:
    """Where a run put the ten speculative-decoding papers (`targets.DECODING_SPEEDUP_TITLES`)."""
    names = load_artifacts(out)[0].set_index("title")["theme_name"]
    names = names.loc[DECODING_SPEEDUP_TITLES]
    inside = names.str.contains("decoding", case=False)
    return {
        "in_decoding_themes": int(inside.sum()),
        "of": len(names),
        "elsewhere": {str(t): str(n) for t, n in names[~inside].items()},
    }


def one_round(with_peer: bool) -> tuple[dict[str, dict], dict[str, dict]]:
    """One run of each kind (`ROUND`), and where the default and float32 runs put the decoding
    papers. Each cold run writes into a new empty folder; the warm run reruns into the cold
    run's folder."""
    runs: dict[str, dict] = {}
    with output_dirs() as (out, dirs):
        runs["cold"] = run_cli(*dirs)
        runs["warm"] = run_cli(*dirs)
        decoding = {"default": decoding_check(out)}
    for key, flags in COLD_VARIANTS.items():
        with output_dirs() as (out, dirs):
            runs[key] = {**run_cli(*dirs, *flags), "flag": " ".join(flags)}
            if "--precision" in flags:
                decoding[" ".join(flags)] = decoding_check(out)
    peer = run_peer() if with_peer else None
    if peer:
        runs["peer"] = peer
    return runs, decoding


def end_to_end(repeat: int, with_peer: bool) -> dict:
    """A first run, then `repeat` rounds of every kind of run (`ROUND`); the best wall of each,
    with every round's wall in `walls`.

    Rounds alternate the runs so that a slow spell of the machine does not hit one side only.
    Call `isolate_numba_cache` first for the first run to mean a new machine.
    """
    with output_dirs() as (_, dirs):
        first = run_cli(*dirs)
    rounds = []
    decoding: dict = {}
    for _ in range(repeat):
        runs, decoding = one_round(with_peer)  # the same every round: runs are deterministic
        rounds.append(runs)
    best: dict = {"first": first, "decoding_check": decoding, "peer": None}
    for kind in ROUND:
        rs = [r[kind] for r in rounds if kind in r]
        if rs:
            best[kind] = {
                **min(rs, key=lambda r: r["wall"]),
                "walls": [round(r["wall"], 1) for r in rs],
            }
    return best
