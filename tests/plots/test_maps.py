"""The static theme map (`analysis.plots.theme_map`): each theme named once, by a label that
covers no point, meets no other label or leader line and stays inside the axes; the same
figure, byte for byte, on every run."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.transforms import Bbox

from analysis.config import OUTLIER_NAME
from analysis.plots import map_labels, save, theme_map
from analysis.plots.maps import THEME_SIZE
from analysis.plots.style import OUTLIER_COLOR

from .helpers import corpus


@pytest.fixture(scope="module")
def drawn():
    papers, themes = corpus()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a label without a free spot warns
        fig = theme_map(papers, themes)
    fig.canvas.draw()
    yield fig, papers, themes
    plt.close(fig)


def label_boxes(fig) -> list[Bbox]:
    return [a.get_bbox_patch().get_window_extent() for a in map_labels(fig)]


def test_one_label_per_theme_with_its_name(drawn):
    fig, _, themes = drawn
    texts = [" ".join(a.get_text().split()) for a in map_labels(fig)]
    names = sorted(set(themes["theme_name"]))
    assert len(texts) == len(names)
    for name in names:
        assert sum(t.startswith(name + " (") for t in texts) == 1, name


def test_labels_do_not_overlap(drawn):
    boxes = label_boxes(drawn[0])
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (
            map_labels(drawn[0])[i].get_text(),
            map_labels(drawn[0])[j].get_text(),
        )


def test_no_label_covers_a_point(drawn):
    fig = drawn[0]
    ax = fig.axes[0]
    points = np.concatenate([ax.transData.transform(c.get_offsets()) for c in ax.collections])
    radius = np.sqrt(THEME_SIZE) / 2 * fig.dpi / 72
    for a, box in zip(map_labels(fig), label_boxes(fig), strict=True):
        grown = box.padded(radius)
        inside = (
            (points[:, 0] > grown.x0)
            & (points[:, 0] < grown.x1)
            & (points[:, 1] > grown.y0)
            & (points[:, 1] < grown.y1)
        )
        assert not inside.any(), f"{a.get_text()!r} covers {int(inside.sum())} points"


def test_labels_inside_the_axes_and_leaders_clear_of_other_labels(drawn):
    fig = drawn[0]
    frame = fig.axes[0].get_window_extent()
    labels, boxes = map_labels(fig), label_boxes(fig)
    for a, box in zip(labels, boxes, strict=True):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, a.get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, a.get_text()
    for i, a in enumerate(labels):
        leader = a.arrow_patch.get_path()  # drawn in display coordinates
        pts = leader.interpolated(50).vertices
        assert len(pts) > 1, a.get_text()
        for j, box in enumerate(boxes):
            if j != i:
                hit = (
                    (pts[:, 0] > box.x0)
                    & (pts[:, 0] < box.x1)
                    & (pts[:, 1] > box.y0)
                    & (pts[:, 1] < box.y1)
                )
                assert not hit.any(), (a.get_text(), labels[j].get_text())


def test_outliers_grey_and_title_axes(drawn):
    fig, papers, _ = drawn
    ax = fig.axes[0]
    first = ax.collections[0]
    assert first.get_label().startswith(OUTLIER_NAME)
    assert np.allclose(first.get_facecolor()[0][:3], plt.matplotlib.colors.to_rgb(OUTLIER_COLOR))
    n_out = int((papers["theme_id"] < 0).sum())
    assert f"{n_out} unassigned outliers" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()


def test_the_same_bytes_every_time(tmp_path: Path):
    papers, themes = corpus(seed=1)
    outs = []
    for run in ("a", "b"):
        fig = theme_map(papers, themes)
        outs.append(save(fig, tmp_path / run, "map", svg=True))
        plt.close(fig)
    for p, q in zip(*outs, strict=True):
        assert p.read_bytes() == q.read_bytes(), p.name
