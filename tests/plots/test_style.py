"""Theme colours (`analysis.plots.style`): a theme keeps its colour everywhere, only outliers are
grey, and no two themes get shades of one hue (a pair that suggests a kinship)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.config import OUTLIER_NAME
from analysis.plots import OUTLIER_COLOR, PALETTE, theme_colors
from analysis.plots.style import CATEGORY_PALETTE, DISTINCT_HUES

from .helpers import chroma, hue, lab

THEMES = pd.DataFrame(
    {
        "theme_id": [0, 1, 2],
        "theme_name": ["Big", "Middle", "Small"],
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


def test_only_outliers_are_grey():
    assert chroma(OUTLIER_COLOR) < 2
    many = pd.DataFrame({"theme_id": range(len(PALETTE)), "theme_name": map(str, PALETTE)})
    colors = theme_colors(many)
    for name, color in colors.items():
        if name != OUTLIER_NAME:
            assert chroma(color) >= 20, f"theme colour {color} is nearly grey"
    for color in CATEGORY_PALETTE:
        assert chroma(color) >= 20, f"category colour {color} is nearly grey"


def shade_pairs(palette: list[str]) -> list[tuple[str, str]]:
    """Pairs of one hue (angles within 15 degrees) at clearly different lightness: tab20's
    blue and light blue, say."""
    return [
        (p, q)
        for p, q in itertools.combinations(palette, 2)
        if abs((hue(p) - hue(q) + 180) % 360 - 180) < 15 and abs(lab(p)[0] - lab(q)[0]) >= 10
    ]


@pytest.mark.parametrize(
    "palette, min_delta_e",
    [(PALETTE[:DISTINCT_HUES], 20), (PALETTE, 15), (CATEGORY_PALETTE, 20)],
    ids=["distinct hues", "with spares", "categories"],
)
def test_colours_are_far_apart(palette, min_delta_e):
    assert len(set(palette)) == len(palette)
    for p, q in itertools.combinations(palette, 2):
        d = float(np.linalg.norm(lab(p) - lab(q)))
        assert d >= min_delta_e, f"{p} and {q} are only {d:.1f} apart (CIE76)"


def test_no_light_and_dark_shades_of_one_hue():
    assert DISTINCT_HUES >= 13  # the default run's themes
    assert shade_pairs(PALETTE[:DISTINCT_HUES]) == []
    assert shade_pairs(CATEGORY_PALETTE) == []
