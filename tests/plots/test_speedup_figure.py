"""The speed-up figure (`analysis.plots.speedup_factors`): one dot per paper, the axis set by the
decoding and serving papers with far values at its edge, and no text over a dot or another text,
on crafted claims and on the real corpus."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.transforms import Bbox

from analysis.analyses.speedup_summaries import paper_speedups, value_axis
from analysis.analyses.speedups import (
    DECODES,
    OPERATION,
    OTHER,
    UNSTATED,
    extract_speedups,
)
from analysis.dataset import load_papers
from analysis.plots import speedup_factors
from analysis.plots.style import CATEGORY_PALETTE

from ..analyses.speedup_claims import claims_frame

SPEC, PAR = "speculative / draft models", "parallel / multi-token decoding"


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def crafted() -> pd.DataFrame:
    """Close values on one row, a paper with three claims, an attention-only paper (no dot), a
    diffusion-LM row and two far values of another family."""
    rows = [
        *[
            {"paper_id": f"s{i}", "family": SPEC, "factor": x}
            for i, x in enumerate([2.0, 2.05, 2.1, 2.1, 2.3, 3.0])
        ],
        *[{"paper_id": "t", "family": SPEC, "factor": x} for x in (2.0, 2.5, 9.0)],
        {"paper_id": "u", "family": SPEC, "factor": 4.0, "baseline_kind": UNSTATED},
        {"paper_id": "k", "family": SPEC, "factor": 14.0, "scope": OPERATION},
        {"paper_id": "d", "family": PAR, "factor": 12.0, "decodes": DECODES[0][0]},
        *[
            {"paper_id": f"o{i}", "family": OTHER, "factor": x}
            for i, x in enumerate([828.0, 54.0, 4.5, 5.0])
        ],
    ]
    return claims_frame(rows)


def _dots(fig: plt.Figure) -> list[tuple[np.ndarray, float]]:
    """Every drawn marker: its centre in pixels and its radius."""
    ax = fig.axes[0]
    out = []
    for coll in ax.collections:
        r = np.sqrt(coll.get_sizes()[0]) * fig.dpi / 72 / 2
        out += [(xy, r) for xy in ax.transData.transform(coll.get_offsets())]
    return out


def _texts(fig: plt.Figure) -> list:
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.axes[0].texts]


def _hits(box: Bbox, xy: np.ndarray, r: float) -> bool:
    return box.x0 - r < xy[0] < box.x1 + r and box.y0 - r < xy[1] < box.y1 + r


@pytest.mark.parametrize("source", ["crafted", "corpus"])
def test_nothing_overlaps_and_each_paper_is_one_dot(source):
    claims = crafted() if source == "crafted" else extract_speedups(load_papers())
    fig = speedup_factors(claims)
    fig.canvas.draw()
    dots, texts = _dots(fig), _texts(fig)
    assert len(dots) == paper_speedups(claims)["factor"].notna().sum()
    for text, box in texts:
        assert not any(_hits(box, xy, r) for xy, r in dots), text
    for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
        assert not box_a.overlaps(box_b), (a, b)
    # the legend sits below the axis label
    renderer = fig.canvas.get_renderer()
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    assert not legend.overlaps(fig.axes[0].xaxis.label.get_window_extent(renderer))
    # the medians are written in the right margin, past every dot
    ax_right = fig.axes[0].get_window_extent().x1
    medians = [box for text, box in texts if "paper" in text]
    assert medians and all(box.x0 >= ax_right for box in medians)


def test_far_values_sit_at_the_edge_with_their_value():
    claims = crafted()
    fig = speedup_factors(claims)
    ax = fig.axes[0]
    lo, hi = value_axis(paper_speedups(claims))
    assert ax.get_xlim() == pytest.approx((lo, hi)) and hi == 20  # 12x of the families, not 828x
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert xs.max() < hi
    (far,) = [t.get_text() for t in ax.texts if "beyond" in t.get_text()]
    assert "828x" in far and "54x" in far
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_one_colour_per_family():
    fig = speedup_factors(crafted())
    colours = {tuple(np.round(c.get_edgecolor()[0][:3], 3)) for c in fig.axes[0].collections}
    assert len(colours) == 3  # speculative, parallel, other
    palette = {tuple(np.round(plt.matplotlib.colors.to_rgb(c), 3)) for c in CATEGORY_PALETTE}
    assert colours <= palette
