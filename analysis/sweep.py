"""The parameter sweep as files: `sweep.csv` and the stamp `sweep.json` saying what it was made
from (the embeddings' cache key, the seeds, the grid, the base settings). The CLI
(`python -m analysis sweep`) and notebook 06 both go through `sweep_table`, so a table on disk
is current for exactly the settings it was made with, whoever made it."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from typing import Any

import pandas as pd

from .config import DEFAULT, SWEEP_SEEDS, Config, check_sweep_seeds
from .io import write_json_atomic, write_text_atomic

__all__ = ["SWEEP_FILES", "sweep_stamp", "sweep_table"]

#: The sweep's table and its stamp, in the output folder.
SWEEP_FILES = ("sweep.csv", "sweep.json")


def sweep_stamp(config: Config, seeds: int) -> dict[str, Any]:
    """What a sweep table is made from; a table is current when its stamp equals this."""
    from .embedding import cache_key, resolve_model
    from .modeling import DEFAULT_GRID

    return {
        "embedding_key": cache_key(resolve_model(config.embed.model), config.embed),
        "seeds": seeds,
        "grid": {k: [str(v) for v in vs] for k, vs in DEFAULT_GRID.items()},
        "base": config.to_dict(),
    }


def sweep_table(
    vectors, config: Config = DEFAULT, seeds: int = SWEEP_SEEDS, progress: bool = False
) -> pd.DataFrame:
    """The sweep over `seeds` UMAP seeds on `vectors`: read from the output folder when its
    stamp matches these settings, else computed (quietly) and written with its stamp."""
    from .modeling import sweep

    check_sweep_seeds(seeds)
    out = config.processed_dir
    stamp = sweep_stamp(config, seeds)
    with contextlib.suppress(OSError, ValueError):
        if json.loads((out / SWEEP_FILES[1]).read_text(encoding="utf-8")) == stamp:
            return pd.read_csv(out / SWEEP_FILES[0])
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        df = sweep(vectors, seeds=range(seeds), base=config.cluster, progress=progress)
    write_text_atomic(out / SWEEP_FILES[0], df.to_csv(index=False, float_format="%.3f"))
    write_json_atomic(out / SWEEP_FILES[1], stamp)
    return pd.read_csv(out / SWEEP_FILES[0])  # the same rounding whether fresh or reused
