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

from .config import (
    DEFAULT,
    MAX_SWEEP_SEEDS,
    SWEEP_SEEDS,
    ClusterConfig,
    ComputeConfig,
    Config,
    ConfigError,
    EmbedConfig,
    check_sweep_seeds,
)


def _add_folders(p: argparse.ArgumentParser, what: str) -> None:
    """--raw-dir and --output-dir; defaults are shown relative to the project root (the
    absolute ones differ per clone)."""
    p.add_argument(
        "--raw-dir", type=Path, default=None, help="folder of dump files (default: data/raw)"
    )
    p.add_argument(
        "--output-dir", type=Path, default=None, help=f"where {what} goes (default: data/processed)"
    )


def _type_of(f: dataclasses.Field) -> type:
    """The command-line type of a config field: int, float or str (an optional value too)."""
    kind = str(f.type)
    return int if kind.startswith("int") else float if kind.startswith("float") else str


def _config_flags(p: argparse.ArgumentParser, group: str, cls: type) -> None:
    """One flag per field of a config dataclass that has one (`analysis.config.param`); its
    help, type, choices and default come from the field, so they are defined once."""
    default = getattr(DEFAULT, group)
    for f in dataclasses.fields(cls):
        flag = f.metadata.get("flag")
        if not flag:
            continue
        value = getattr(default, f.name)
        dest = f"{group}.{f.name}"
        if f.type in (bool, "bool"):
            p.add_argument(flag, dest=dest, action="store_true", help=f.metadata["help"])
            continue
        shown = "" if value is None else " (default: %(default)s)"
        p.add_argument(
            flag,
            dest=dest,
            type=_type_of(f),
            choices=f.metadata.get("choices"),
            default=value,
            metavar="tcp://HOST:PORT" if f.name == "scheduler" else None,
            help=f.metadata["help"] + shown,
        )


def _quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Exploratory analysis of a corpus of paper abstracts.",
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
    for group, cls in (
        ("embed", EmbedConfig),
        ("cluster", ClusterConfig),
        ("compute", ComputeConfig),
    ):
        _config_flags(run, group, cls)
    run.add_argument(
        "--skip-bad-dumps", action="store_true", help="skip unreadable dumps with a warning"
    )
    run.add_argument("--no-figures", action="store_true", help="skip figure generation")
    run.add_argument("--force", action="store_true", help="recompute even if caches are current")
    _quiet(run)
    sw = sub.add_parser(
        "sweep",
        help="rerun the UMAP/HDBSCAN parameter sweep that chose the defaults",
        description=(
            "Score a grid of UMAP/HDBSCAN settings over several seeds (themes, outliers, "
            "relative validity, silhouette, stability ARI); writes sweep.csv and its stamp "
            "sweep.json to the output folder."
        ),
    )
    _add_folders(sw, "sweep.csv")
    sw.add_argument(
        "--seeds",
        type=int,
        default=SWEEP_SEEDS,
        help=f"UMAP seeds per setting, 1 to {MAX_SWEEP_SEEDS} (default: %(default)s)",
    )
    _quiet(sw)
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
    from .artifacts import PAPERS_CACHE
    from .dataset import load_papers
    from .embedding import embed_texts
    from .io import check_writable, remove_stale_temps
    from .sweep import sweep_table
    from .text import paper_texts

    check_sweep_seeds(args.seeds)  # before any work
    out = check_writable(args.output_dir or DEFAULT.processed_dir, "output folder")
    remove_stale_temps(out)
    config = DEFAULT.replace(raw_dir=args.raw_dir or DEFAULT.raw_dir, processed_dir=out)
    papers = load_papers(config.raw_dir)
    cache = out / PAPERS_CACHE
    X = embed_texts(paper_texts(papers), cache, config.embed, progress=not args.quiet).vectors
    df = sweep_table(X, config, args.seeds, progress=not args.quiet)
    print(df.head(15).to_string(index=False, float_format="%.3f"))
    print(
        f"{int(df['meets_targets'].sum())} of {len(df)} settings meet all targets; "
        f"full table in {_rel(out / 'sweep.csv')}"
    )
    return 0


def config_from_args(args: argparse.Namespace, base: Config = DEFAULT) -> Config:
    """The run's Config: `base` with the command line's choices applied (checked: a value out
    of its range is a `ConfigError` here, before any work)."""
    groups: dict[str, dict] = {"embed": {}, "cluster": {}, "compute": {}}
    for dest, value in vars(args).items():
        group, _, name = dest.partition(".")
        if group in groups and name:
            groups[group][name] = value
    compute = groups["compute"]
    if compute.get("scheduler"):
        compute["engine"] = "dask"  # a scheduler address implies the Dask engine
    return base.replace(
        raw_dir=args.raw_dir or base.raw_dir,
        processed_dir=args.output_dir or base.processed_dir,
        figures_dir=args.figures_dir or base.figures_dir,
        embed=dataclasses.replace(base.embed, **groups["embed"]),
        cluster=dataclasses.replace(base.cluster, **groups["cluster"]),
        compute=dataclasses.replace(base.compute, **compute),
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
    from .process import apply

    apply(embeds_corpus=True)  # an entry point: the process-wide settings, once
    # Imported here so that `--help` answers at once.
    from .dataset import CorpusFormatError, DumpFormatError
    from .embedding import ModelError
    from .engines import EngineError
    from .io import WriteError
    from .pipeline import PipelineError, run
    from .run_sets import RunSetError

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
        ConfigError,
        DumpFormatError,
        CorpusFormatError,
        PipelineError,
        ModelError,
        EngineError,
        RunSetError,
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
