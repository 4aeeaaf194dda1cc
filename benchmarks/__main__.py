"""`python -m benchmarks` (`make bench`): speed and scale on this machine, in one run.

Writes `benchmarks/results.md` (machine, tables, what dominates), `benchmarks/results/bench.json`
(every number) and `figures/scaling.png`, after every phase. Never part of `make test`.

Measured, each in a fresh process unless said otherwise:

- the machine and torch's matmul peaks in fp32, fp64 and bf16 (`benchmarks.machine`);
- cold: `python -m analysis run` into an empty output folder (every abstract embedded in full),
  also with `--engine dask` and with `--precision float32`; warm: the same again with the
  embedding cache present; peer: BERTopic with its defaults and the same model on the same
  texts (needs `.[peer]`) (`benchmarks.runs`);
- embedding throughput in this process: docs/s, tokens/s and GFLOP/s against the matmul peak of
  the same precision, in process and on Dask workers (`benchmarks.throughput`), and what the
  batchings' last-bit noise does to themes (`benchmarks.noise`);
- scale: synthetic corpora of N abstracts end to end, time and peak memory per stage, and the
  consensus fit alone on up to 100,000 synthetic vectors (`benchmarks.scale`,
  `benchmarks.fit_scale`).

It also writes the README's speed blocks (`benchmarks/results/readme.json`, which
`python -m analysis readme` puts in place).
"""

from __future__ import annotations

import argparse
import json

from . import RAW_JSON, README_BLOCKS, RESULTS, ROOT, SCALING_FIGURE


def build_parser() -> argparse.ArgumentParser:
    from .scale import FIT_SIZES, SIZES

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="synthetic corpus sizes, comma-separated (default: %(default)s)",
    )
    ap.add_argument(
        "--fit-sizes",
        default=",".join(str(n) for n in FIT_SIZES),
        help="sizes of the consensus fit alone, comma-separated (default: %(default)s)",
    )
    ap.add_argument("--skip-peer", action="store_true", help="do not run BERTopic")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of cold, warm, cold --engine dask, cold --precision float32 and BERTopic "
        "runs; ratio verdicts on the median of the per-round ratios (default: %(default)s)",
    )
    ap.add_argument(
        "--redo-throughput",
        action="store_true",
        help="measure the embedding throughput section again (and the matmul peaks next to it) "
        "into results/bench.json, keeping the rest; the report says so",
    )
    ap.add_argument(
        "--scale-only",
        action="store_true",
        help="measure the scale sections again (synthetic corpora end to end, the consensus "
        "alone) at the sizes named by --sizes and --fit-sizes into results/bench.json, keeping the "
        "rest (so a stopped run resumes)",
    )
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite results.md and the figure from results/bench.json",
    )
    return ap


def json_ready(res: dict) -> dict:
    """`res` with the scale sections' keys as strings: sizes are ints in memory, and the fits
    section also holds "epochs_check", so sorted keys would compare an int with a str."""
    out = dict(res)
    for section in ("scale", "fits"):
        if section in out:
            out[section] = {str(k): v for k, v in out[section].items()}
    return out


def save(res: dict) -> None:
    """bench.json, results.md and the scaling figure from what has been measured so far."""
    from analysis.io import write_json_atomic

    RAW_JSON.parent.mkdir(parents=True, exist_ok=True)
    res = json_ready(res)
    write_json_atomic(RAW_JSON, res)
    write_outputs(res)
    print(f"written: {RESULTS.relative_to(ROOT)}, {RAW_JSON.relative_to(ROOT)}")


def write_outputs(res: dict) -> None:
    """results.md, the README's speed blocks and the scaling figure (when there are scale runs)
    from `res`."""
    from analysis.io import write_json_atomic, write_text_atomic

    from .report import readme_blocks, report
    from .scale import scaling_figure

    if res.get("scale"):
        scaling_figure(res["scale"], SCALING_FIGURE, res.get("fits"))
    write_text_atomic(RESULTS, report(res))
    write_json_atomic(README_BLOCKS, readme_blocks(res))


def redo_throughput() -> int:
    """The throughput section measured again, with the peaks next to it, into bench.json."""
    from .throughput import throughput_and_peak

    res = json.loads(RAW_JSON.read_text())
    throughput_and_peak(res)
    res["throughput"]["remeasured"] = True
    save(res)
    return 0


def measure_scale(res: dict, sizes: list[int], fit_sizes: list[int], keep: bool = False) -> None:
    """The scale sections into `res`, saving after each run; with `keep`, sizes measured before
    and not named again stay (a stopped `--scale-only` run resumes where it stopped)."""
    from .scale import fit_runs, scale_runs
    from .throughput import corpus_run_papers

    if keep:
        res["scale"] = {int(n): v for n, v in res.get("scale", {}).items() if int(n) not in sizes}
        res["fits"] = {
            k if k == "epochs_check" else int(k): v
            for k, v in res.get("fits", {}).items()
            if k == "epochs_check" or int(k) not in fit_sizes
        }
    else:
        res["scale"], res["fits"] = {}, {}
    scale_runs(corpus_run_papers(), sizes, res["scale"], after_each=lambda: save(res))
    fit_runs(fit_sizes, res["fits"], after_each=lambda: save(res))


def measure(sizes: list[int], fit_sizes: list[int], repeat: int, with_peer: bool) -> int:
    """Every phase in turn, saving after each: a run stopped during the long scale steps keeps
    the rest."""
    from .machine import describe_machine, matmul_peak
    from .runs import ROUND, end_to_end, isolate_numba_cache
    from .throughput import throughput_and_peak

    numba_cache = isolate_numba_cache()  # the first run compiles, as on a new machine
    res: dict = {"machine": describe_machine()}
    print("machine:", res["machine"])
    res["peak"] = matmul_peak()
    print("matmul peaks:", res["peak"])
    res.update(end_to_end(repeat, with_peer=with_peer))
    for kind in ROUND:
        if res.get(kind):
            print(f"{kind}: best {res[kind]['wall']:.1f} s of {res[kind]['walls']}")
    throughput_and_peak(res)
    save(res)
    measure_scale(res, sizes, fit_sizes)
    numba_cache.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.report_only:
        write_outputs(json.loads(RAW_JSON.read_text()))
        return 0
    if args.redo_throughput:
        return redo_throughput()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    fit_sizes = [int(s) for s in args.fit_sizes.split(",") if s]
    if args.scale_only:
        res = json.loads(RAW_JSON.read_text())
        measure_scale(res, sizes, fit_sizes, keep=True)
        return 0
    return measure(sizes, fit_sizes, args.repeat, with_peer=not args.skip_peer)


if __name__ == "__main__":
    raise SystemExit(main())
