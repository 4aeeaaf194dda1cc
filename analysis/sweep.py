"""The parameter sweep as files: `sweep.csv` and the stamp `sweep.json` saying what it was made
from (the vectors, the embedding's key, the seeds, the grid, the base settings) and the sha256
of the table it stamps. The CLI (`python -m analysis sweep`) and notebook 06 both go through
`sweep_table`, so a table on disk is used for exactly the settings it was made with, whoever
made it; a table and stamp of two different sweeps (one killed between its two writes) do not
match, and the sweep is computed again."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from typing import Any

import pandas as pd

from .config import DEFAULT, SWEEP_FILES, SWEEP_SEEDS, Config, check_sweep_seeds
from .io import sha256_file, write_json_atomic, write_text_atomic

__all__ = ["SWEEP_FILES", "sweep_stamp", "sweep_table"]


def sweep_stamp(vectors, config: Config, seeds: int) -> dict[str, Any]:
    """What a sweep table is made from; a table is current when its stamp equals this."""
    import hashlib

    import numpy as np

    from .embedding import cache_key, resolve_model
    from .modeling import DEFAULT_GRID

    return {
        "vectors": hashlib.sha256(np.ascontiguousarray(vectors).tobytes()).hexdigest(),
        "embedding_key": cache_key(resolve_model(config.embed.model), config.embed),
        "seeds": seeds,
        "grid": {k: [str(v) for v in vs] for k, vs in DEFAULT_GRID.items()},
        "base": config.to_dict(),
    }


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sweep_table(
    vectors, config: Config = DEFAULT, seeds: int = SWEEP_SEEDS, progress: bool = False
) -> pd.DataFrame:
    """The sweep over `seeds` UMAP seeds on `vectors`: read from the output folder when its
    stamp matches these settings, else computed (quietly) and written with its stamp."""
    from .modeling import sweep

    check_sweep_seeds(seeds)
    out = config.processed_dir
    table, stamp_file = (out / f for f in SWEEP_FILES)
    stamp = sweep_stamp(vectors, config, seeds)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        # a stamp of an older layout (or no object at all) matches nothing: made again
        held = json.loads(stamp_file.read_text(encoding="utf-8"))
        if held["made_from"] == stamp and held["table_sha256"] == sha256_file(table):
            return pd.read_csv(table)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        df = sweep(vectors, seeds=range(seeds), base=config.cluster, progress=progress)
    text = df.to_csv(index=False, float_format="%.3f")
    write_text_atomic(table, text)
    write_json_atomic(stamp_file, {"made_from": stamp, "table_sha256": _sha256(text)})
    return pd.read_csv(table)  # the same rounding whether fresh or reused
