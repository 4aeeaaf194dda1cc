"""`python -m analysis run`: the whole analysis from the raw dumps to artifacts and figures."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import NoReturn

from .config import BATCHINGS, DEFAULT, PRECISIONS


def _non_negative(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {n}")
    return n


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
    # Path defaults are shown relative to the project root: the absolute ones differ per clone.
    run.add_argument(
        "--raw-dir", type=Path, default=None, help="folder of dump files (default: data/raw)"
    )
    run.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="where artifacts go (default: data/processed)",
    )
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
        help="UMAP random seed (default: %(default)s)",
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
        "--workers",
        type=_non_negative,
        default=DEFAULT.embed.workers,
        help="embedding worker processes; 0 = one per usable core (default: %(default)s)",
    )
    run.add_argument(
        "--embed-in-process",
        action="store_true",
        help="embed (and save figures) in this process instead of forked workers that run "
        "while the clustering code loads (same vectors and files, a few seconds slower)",
    )
    sw = sub.add_parser(
        "sweep",
        help="rerun the UMAP/HDBSCAN parameter sweep that chose the defaults",
        description=(
            "Score a grid of UMAP/HDBSCAN settings over several seeds (themes, outliers, "
            "relative validity, silhouette, stability ARI); writes sweep.csv to the output folder."
        ),
    )
    sw.add_argument(
        "--raw-dir", type=Path, default=None, help="folder of dumps (default: data/raw)"
    )
    sw.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="where sweep.csv goes (default: data/processed)",
    )
    sw.add_argument("--seeds", type=int, default=5, help="UMAP seeds per setting (default: 5)")
    sw.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def sweep_main(args: argparse.Namespace) -> int:
    from .cluster import sweep
    from .embed import embed_papers
    from .io import write_text_atomic
    from .load import load_papers

    out = args.output_dir or DEFAULT.processed_dir
    papers = load_papers(args.raw_dir or DEFAULT.raw_dir)
    X = embed_papers(papers, out / "embeddings.npz", DEFAULT.embed, progress=not args.quiet).vectors
    df = sweep(X, seeds=range(args.seeds), progress=not args.quiet)
    write_text_atomic(out / "sweep.csv", df.to_csv(index=False, float_format="%.3f"))
    print(df.head(15).to_string(index=False, float_format="%.3f"))
    print(
        f"{int(df['meets_targets'].sum())} of {len(df)} settings meet all targets; "
        f"full table in {_rel(out / 'sweep.csv')}"
    )
    return 0


def _rel(path: Path) -> str:
    from .config import PROJ_ROOT

    try:
        return str(path.resolve().relative_to(PROJ_ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sweep":
        return sweep_main(args)
    # Imported here so that `--help` answers at once.
    import dataclasses

    from .load import CorpusFormatError, DumpFormatError
    from .pipeline import PipelineError, run

    try:
        run(
            raw_dir=args.raw_dir,
            output_dir=args.output_dir,
            figures_dir=args.figures_dir,
            model=args.model,
            seed=args.seed,
            min_cluster_size=args.min_cluster_size,
            on_error="skip" if args.skip_bad_dumps else "raise",
            figures=not args.no_figures,
            force=args.force,
            progress=not args.quiet,
            worker=not args.embed_in_process,
            config=DEFAULT.replace(
                embed=dataclasses.replace(
                    DEFAULT.embed,
                    batching=args.batching,
                    workers=args.workers,
                    precision=args.precision,
                )
            ),
        )
    except (DumpFormatError, CorpusFormatError, PipelineError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: every artifact written so far is complete", file=sys.stderr)
        return 130
    return 0


def exit_now(code: int) -> NoReturn:
    """Exit without tearing the interpreter down.

    Unloading torch, transformers and the rest takes ~2 s after a cold run and achieves
    nothing: every artifact is already written atomically and closed. atexit handlers still
    run and the standard streams are flushed. Under a profiler or debugger (cProfile, pdb,
    coverage) the normal exit is kept, so that they can write their results.
    """
    import atexit

    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def cli() -> NoReturn:
    """The console entry point: `main`, then `exit_now` with its exit status."""
    exit_now(main())


if __name__ == "__main__":
    cli()
