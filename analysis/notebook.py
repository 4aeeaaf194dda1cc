"""The notebooks' first cell: display options, and the run's artifacts (made first, silently,
when the folder has none or a dump changed since; a run made with other options is shown as it
is, with one warning, never overwritten: see `analysis.pipeline.ensure_artifacts`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import DEFAULT, Config
from .pipeline import ensure_artifacts

__all__ = ["setup"]


def setup(config: Config = DEFAULT) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """papers, themes and the figures folder every figure is saved to under a stable name."""
    pd.set_option("display.max_colwidth", 100)
    papers, themes = ensure_artifacts(config)
    return papers, themes, config.figures_dir
