"""The command line: `python -m analysis run` (the whole analysis, raw dumps to artifacts and
figures) and `python -m analysis sweep`. Bad input ends in one line and exit status 2."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import signal
import sys
from pathlib import Path
from typing import NoReturn

from .config import BATCHINGS, DEFAULT, ENGINES, PRECISIONS, Config
from .dataset import load_papers


def _non_negative(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


def _add_folders(p: argparse.ArgumentParser, what: str) -> None:
    """--raw-dir and --output-dir; defaults are shown relative to the project root (the
    absolute ones differ per clone)."""
    p.add_argument(
        "--raw-dir", type=Path, default=None, help="folder of dump files (default: data/raw)"
    )
    p.add_argument(
        "--output-dir", type=Path, default=None, help=f"where {what} goes (default: data/processed)"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Exploratory analysis of a trending-papers corpus.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="load -> embed -> cluster -> name themes -> write artifacts -> figures",
        description=(
            "Run the whole analysis. Reuses cached embeddings in the output folder when their "
            "inputs (model, weights, texts, chunking) are unchanged."
        ),
    )
    _add_folders(run, "artifacts")
    run.add_argument(
        "--figures-dir", type=Path, default=None, help="where figures go (default: figures)"
    )
    run.add_argument(
        "--model",
        default=None,
        help="sentence-transformers model name or path (default: bundled all-MiniLM-L6-v2)",
    )
    run.add_argument(
        "--batching",
        choices=BATCHINGS,
        default=DEFAULT.embed.batching,
        help="how windows are batched for the model; see EmbedConfig.batching "
        "(default: %(default)s)",
    )
    run.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=DEFAULT.embed.precision,
        help="what the transformer computes in: float64 gives the same vectors and themes on "
        "every machine, float32 is about 2x faster but its last bits (and so its themes) depend "
        "on the CPU; see EmbedConfig.precision (default: %(default)s)",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=DEFAULT.cluster.seed,
        help="first UMAP seed of the consensus: seeds S, S+1, ... (default: %(default)s)",
    )
    run.add_argument(
        "--consensus-seeds",
        type=int,
        default=DEFAULT.cluster.consensus_seeds,
        help="UMAP + HDBSCAN fits whose consensus gives the themes; 1 = one fit "
        "(default: %(default)s)",
    )
    run.add_argument(
        "--target-outlier-share",
        type=float,
        default=DEFAULT.cluster.target_outlier_share,
        help="at most this share of outliers: those nearest a theme join it (default: keep all)",
    )
    run.add_argument(
        "--min-cluster-size",
        type=int,
        default=DEFAULT.cluster.min_cluster_size,
        help="HDBSCAN min_cluster_size (default: %(default)s)",
    )
    run.add_argument(
        "--skip-bad-dumps", action="store_true", help="skip unreadable dumps with a warning"
    )
    run.add_argument("--no-figures", action="store_true", help="skip figure generation")
    run.add_argument("--force", action="store_true", help="recompute even if caches are current")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT.compute.engine,
        help="where the transformer runs: in this process on all cores, or on Dask workers "
        "(a LocalCluster of --workers single-threaded processes, or --scheduler's cluster); "
        "the vectors are the same (default: %(default)s)",
    )
    run.add_argument(
        "--workers",
        type=_non_negative,
        default=DEFAULT.compute.workers,
        help="Dask LocalCluster worker processes; 0 = one per usable core (default: %(default)s)",
    )
    run.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="embed on an existing Dask cluster (its workers need this package installed); "
        "implies --engine dask",
    )
    sw = sub.add_parser(
        "sweep",
        help="rerun the UMAP/HDBSCAN parameter sweep that chose the defaults",
        description=(
            "Score a grid of UMAP/HDBSCAN settings over several seeds (themes, outliers, "
            "relative validity, silhouette, stability ARI); writes sweep.csv to the output folder."
        ),
    )
    _add_folders(sw, "sweep.csv")
    sw.add_argument("--seeds", type=int, default=5, help="UMAP seeds per setting (default: 5)")
    sw.add_argument("--quiet", action="store_true", help="no progress bars")
    rd = sub.add_parser(
        "readme",
        help="fill README.md's generated blocks from the artifacts",
        description=(
            "Rewrite every <!-- readme:NAME --> block of README.md from the run in the output "
            "folder and the stored benchmark results; --check only reports stale blocks."
        ),
    )
    rd.add_argument(
        "--output-dir", type=Path, default=None, help="the run to read (default: data/processed)"
    )
    rd.add_argument(
        "--check", action="store_true", help="exit 1 naming the stale blocks; write nothing"
    )
    return p


def readme_main(args: argparse.Namespace) -> int:
    from .io import write_text_atomic
    from .readme import README, blocks, fill, stale_blocks

    text = README.read_text(encoding="utf-8")
    makers = blocks(args.output_dir)
    if args.check:
        stale = stale_blocks(text, makers)
        if stale:
            print(f"README.md blocks out of date: {', '.join(stale)} (run `make readme`)")
            return 1
        print("README.md blocks are current")
        return 0
    new = fill(text, makers)
    if new != text:
        write_text_atomic(README, new)
    print(f"README.md: {'rewritten' if new != text else 'already current'}")
    return 0


def sweep_main(args: argparse.Namespace) -> int:
    from .embedding import embed_papers
    from .io import check_writable, remove_stale_temps
    from .sweep import sweep_table

    out = check_writable(args.output_dir or DEFAULT.processed_dir, "output folder")
    remove_stale_temps(out)
    config = DEFAULT.replace(raw_dir=args.raw_dir or DEFAULT.raw_dir, processed_dir=out)
    papers = load_papers(config.raw_dir)
    X = embed_papers(papers, out / "embeddings.npz", config.embed, progress=not args.quiet).vectors
    df = sweep_table(X, config, args.seeds, progress=not args.quiet)
    print(df.head(15).to_string(index=False, float_format="%.3f"))
    print(
        f"{int(df['meets_targets'].sum())} of {len(df)} settings meet all targets; "
        f"full table in {_rel(out / 'sweep.csv')}"
    )
    return 0


def config_from_args(args: argparse.Namespace, base: Config = DEFAULT) -> Config:
    """The run's Config: `base` with the command line's choices applied."""
    return base.replace(
        raw_dir=args.raw_dir or base.raw_dir,
        processed_dir=args.output_dir or base.processed_dir,
        figures_dir=args.figures_dir or base.figures_dir,
        embed=dataclasses.replace(
            base.embed, model=args.model, batching=args.batching, precision=args.precision
        ),
        cluster=dataclasses.replace(
            base.cluster,
            seed=args.seed,
            consensus_seeds=args.consensus_seeds,
            target_outlier_share=args.target_outlier_share,
            min_cluster_size=args.min_cluster_size,
        ),
        compute=dataclasses.replace(
            base.compute,
            engine="dask" if args.scheduler else args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
        ),
    )


def _rel(path: Path) -> str:
    from .config import PROJ_ROOT

    try:
        return str(path.resolve().relative_to(PROJ_ROOT))
    except ValueError:
        return str(path)


def _terminate(signum: int, frame: object) -> NoReturn:
    """SIGTERM unwinds like Ctrl-C, so temp files are removed and workers stopped."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported here so that `--help` answers at once.
    from .dataset import CorpusFormatError, DumpFormatError
    from .embedding import ModelError
    from .io import WriteError
    from .pipeline import PipelineError, run

    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "sweep":
            return sweep_main(args)
        if args.command == "readme":
            return readme_main(args)
        run(
            config_from_args(args),
            on_error="skip" if args.skip_bad_dumps else "raise",
            figures=not args.no_figures,
            force=args.force,
            progress=not args.quiet,
        )
    except (
        DumpFormatError,
        CorpusFormatError,
        PipelineError,
        ModelError,
        WriteError,
        FileNotFoundError,
    ) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every artifact written so far is complete", file=sys.stderr)
        return 130
    return 0


def cli() -> NoReturn:
    """The console entry point. Objects are frozen before exit: the interpreter's final garbage
    collection of torch and transformers then takes 0.25 s instead of 2 s, and every artifact
    is already written and closed."""
    code = main()
    gc.freeze()
    sys.exit(code)
