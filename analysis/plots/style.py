"""One look for every figure: the matplotlib style, the palette, and each theme's colour.

A theme keeps its colour everywhere: colours are assigned by theme id (largest theme first) from
a fixed qualitative palette; outliers are always grey.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from ..config import OUTLIER_NAME

__all__ = ["BROAD_PALETTE", "OUTLIER_COLOR", "PALETTE", "STYLE", "broad_colors", "theme_colors"]

OUTLIER_COLOR = "#b8b8b8"

# 20 distinguishable colours: tab20's dark shades first, then the light ones.
_TAB20 = plt.get_cmap("tab20").colors
PALETTE: list[str] = [matplotlib.colors.to_hex(c) for c in _TAB20[0::2] + _TAB20[1::2]]

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "svg.hashsalt": "analysis",  # deterministic SVG ids
    "svg.fonttype": "none",
}


def theme_colors(themes: pd.DataFrame) -> dict[str, str]:
    """Theme name -> colour, by theme id; the outlier name maps to grey."""
    colors = {
        name: PALETTE[int(tid) % len(PALETTE)]
        for tid, name in zip(themes["theme_id"], themes["theme_name"], strict=True)
    }
    colors[OUTLIER_NAME] = OUTLIER_COLOR
    return colors


BROAD_PALETTE: list[str] = [matplotlib.colors.to_hex(c) for c in plt.get_cmap("Dark2").colors]


def broad_colors(themes: pd.DataFrame) -> dict[str, str]:
    """Broad theme name -> colour, by broad theme id (a palette of its own)."""
    b = themes.drop_duplicates("broad_theme_id").sort_values("broad_theme_id")
    return {
        n: BROAD_PALETTE[int(i) % len(BROAD_PALETTE)]
        for i, n in zip(b["broad_theme_id"], b["broad_theme_name"], strict=True)
    }
