"""Theme colours (`analysis.plots.style`): a theme keeps its colour everywhere, outliers grey."""

from __future__ import annotations

import pandas as pd

from analysis.config import OUTLIER_NAME
from analysis.plots import BROAD_PALETTE, OUTLIER_COLOR, PALETTE, broad_colors, theme_colors

THEMES = pd.DataFrame(
    {
        "theme_id": [0, 1, 2],
        "theme_name": ["Big", "Middle", "Small"],
        "broad_theme_id": [1, 0, 1],
        "broad_theme_name": ["Second", "First", "Second"],
    }
)


def test_colours_follow_ids_not_row_order():
    shuffled = THEMES.iloc[[2, 0, 1]]
    assert theme_colors(shuffled) == theme_colors(THEMES)
    assert theme_colors(THEMES) == {
        "Big": PALETTE[0],
        "Middle": PALETTE[1],
        "Small": PALETTE[2],
        OUTLIER_NAME: OUTLIER_COLOR,
    }
    assert broad_colors(shuffled) == {"First": BROAD_PALETTE[0], "Second": BROAD_PALETTE[1]}


def test_palette_colours_are_distinct():
    assert len(set(PALETTE)) == len(PALETTE) == 20
    assert OUTLIER_COLOR not in PALETTE
