"""Figures: `style` (the palette and look), `maps` (the static theme map), `charts` (every other
chart), `interactive` (the offline HTML map), `save` (the one place figures become files).
Plot functions take DataFrames and return a figure."""

from .charts import (
    dump_overlap,
    heatmap,
    histogram,
    similarity_dendrogram,
    speedup_factors,
    stacked_bars,
    sweep_scatter,
    theme_sizes,
    truncation_effect,
)
from .interactive import interactive_map_html, write_interactive_map
from .maps import map_labels, theme_map
from .save import save
from .style import OUTLIER_COLOR, PALETTE, STYLE, theme_colors

__all__ = [
    "OUTLIER_COLOR",
    "PALETTE",
    "STYLE",
    "dump_overlap",
    "heatmap",
    "histogram",
    "interactive_map_html",
    "map_labels",
    "save",
    "similarity_dendrogram",
    "speedup_factors",
    "stacked_bars",
    "sweep_scatter",
    "theme_colors",
    "theme_map",
    "theme_sizes",
    "truncation_effect",
    "write_interactive_map",
]
