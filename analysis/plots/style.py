"""One look for every figure: the matplotlib style, the palette, and each theme's colour.

A theme keeps its colour everywhere: colours are assigned by theme id (largest theme first) from
a fixed qualitative palette; outliers, and only outliers, are grey.
"""

from __future__ import annotations

import pandas as pd

from ..config import OUTLIER_NAME

__all__ = ["CATEGORY_PALETTE", "OUTLIER_COLOR", "PALETTE", "STYLE", "theme_colors"]

OUTLIER_COLOR = "#b8b8b8"

# Thirteen distinct hues of middle lightness, none grey and no light/dark pairs (tab20's pairs
# made unrelated themes look related): tab10 without its grey, then teal, gold, indigo and
# crimson. The last three are spares for a run with more themes; they are lighter or darker
# shades of earlier hues, used only because repeating a colour would be worse.
PALETTE: list[str] = [
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#d62728",  # red
    "#9467bd",  # purple
    "#17becf",  # cyan
    "#e377c2",  # pink
    "#bcbd22",  # olive
    "#8c564b",  # brown
    "#00796b",  # teal
    "#e6ab02",  # gold
    "#3f4fb8",  # indigo
    "#b5006b",  # crimson
    "#7a5c00",  # spare: dark gold
    "#5fd35f",  # spare: light green
    "#ff9896",  # spare: light red
]
DISTINCT_HUES = 13  # PALETTE[:DISTINCT_HUES] holds no two shades of one hue

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
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
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


#: Colours of categories that are not themes (speed-up families, layouts): Dark2 without its
#: grey, so that no category is mistaken for a theme's colour or for the outliers' grey.
CATEGORY_PALETTE: list[str] = [
    "#1b9e77",  # teal
    "#d95f02",  # orange
    "#7570b3",  # slate purple
    "#e7298a",  # magenta
    "#66a61e",  # green
    "#e6ab02",  # mustard
    "#1f78b4",  # blue
]
