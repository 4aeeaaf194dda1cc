"""The notebooks' way into a run: reuse the one in the output folder when it is current,
make it (silently) when the folder holds none or a dump changed since, and never overwrite a
run made with other options (shown as it is, with one warning)."""

from __future__ import annotations

import contextlib
import io
import warnings

import pandas as pd

from ..artifacts import RunSet, load_run, run_differences, theme_vectors, warn_other_run
from ..config import DEFAULT, SWEEP_SEEDS, Config

__all__ = ["ensure_run", "ensure_sweep"]


def ensure_run(config: Config = DEFAULT) -> RunSet:
    """The run's set (`analysis.artifacts.load_run`: every file from one set), made first when
    the folder holds none, or when it is stale for the very inputs and options it was made
    from (a dump edited since).

    A run made with other options (another seed, raw folder, model, ...) is never overwritten:
    it is loaded as it is, with one `OtherRunWarning` naming the differences. Rebuilding is
    silent so that a notebook's stored outputs are the same whether or not it had to rebuild.
    """
    from ..pipeline import run

    diffs = run_differences(config)
    if diffs and not all(d.startswith("dumps ") for d in diffs):
        warn_other_run(config, diffs, "showing that run (`python -m analysis run` remakes it)")
    elif diffs is None or diffs:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            run(config=config, progress=False, verbose=False)
    return load_run(config.processed_dir)


def ensure_sweep(
    config: Config = DEFAULT, seeds: int = SWEEP_SEEDS, run: RunSet | None = None
) -> pd.DataFrame:
    """The parameter sweep's table for the vectors of the run's papers (`run`: the set already
    loaded; `analysis.sweep.sweep_table`)."""
    from ..sweep import sweep_table

    run = run or ensure_run(config)
    return sweep_table(theme_vectors(run.papers, config, run.record), config, seeds)
