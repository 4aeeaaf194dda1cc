"""The notebooks' first cell: display options, and the run's artifacts (rebuilt first when
missing or stale for the current inputs, silently, so stored outputs are the same either way).
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
