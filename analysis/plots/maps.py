"""The static 2-D theme map: papers coloured by theme, each theme named by a label placed off the
points with a leader line to the theme's medoid; outliers grey.

Label placement is a deterministic search in display space (no randomness, no fonts but the
DejaVu Sans that matplotlib ships, nothing from the network): each label takes the spot, on rings
around its theme's medoid, whose box covers no point, meets no other label or leader line and
stays inside the axes, with the shortest leader (crossings of leader lines, and points of other
themes under it, count as detours); two more rounds let early labels make room for later ones.
Done here rather than with datamapplot, which cannot be installed beside pandas 3 (its label
dependency, pylabeladjust, requires pandas < 3) and pulls in datashader, dask[complete] and
scikit-image for one figure.
"""

from __future__ import annotations

import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.text import Annotation

from ..config import OUTLIER_NAME
from .style import OUTLIER_COLOR, STYLE, theme_colors

__all__ = ["map_labels", "medoid", "theme_map"]

THEME_SIZE = 22  # marker areas (points^2)
OUTLIER_SIZE = 14
_GAP = 3.0  # px kept free around every label box
_ANGLES = np.deg2rad(np.arange(0, 360, 10))
# what a leader crossing another leader, or passing over a point of another theme, costs in px
# of leader length: a longer leader through empty space reads better than a short one that
# cuts through other themes
_CROSSING_PENALTY = 400.0
_FOREIGN_POINT_PENALTY = 40.0


def medoid(points: np.ndarray) -> np.ndarray:
    """The point with the least summed squared distance to the others: where a theme's leader
    line ends (inside the theme, unlike a centroid of a curved cluster)."""
    return points[np.argmin(((points[:, None] - points[None]) ** 2).sum(-1).sum(1))]


def theme_map(
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    title: str | None = None,
    *,
    label_width: int = 24,
) -> plt.Figure:
    """The 2-D map: papers coloured by theme, one label per theme (name and size) off the points
    with a leader line to its medoid, outliers grey. `label_width`: characters per label line
    before it wraps.
    """
    colors = theme_colors(themes)
    themes = themes[themes["size"] > 0]
    out = papers["theme_id"] < 0
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 8.5))
        ax.scatter(
            papers.loc[out, "x"],
            papers.loc[out, "y"],
            s=OUTLIER_SIZE,
            c=OUTLIER_COLOR,
            linewidths=0,
            label=f"{OUTLIER_NAME} ({int(out.sum())})",
        )
        for _, t in themes.iterrows():
            m = papers["theme_id"] == t["theme_id"]
            ax.scatter(
                papers.loc[m, "x"],
                papers.loc[m, "y"],
                s=THEME_SIZE,
                c=colors[t["theme_name"]],
                linewidths=0.3,
                edgecolors="white",
                label=f"{t['theme_name']} ({int(t['size'])})",
            )
        _frame(ax, papers[["x", "y"]].to_numpy(dtype=float))
        ax.set_title(
            title
            or f"{len(papers)} papers in {len(themes)} themes "
            f"(grey: {int(out.sum())} unassigned outliers)"
        )
        ax.set_xlabel("UMAP 1 (distances between themes are only roughly meaningful)")
        ax.set_ylabel("UMAP 2")
        ax.set_xticks([])
        ax.set_yticks([])
        _place_labels(fig, ax, papers, themes, colors, label_width)
    return fig


def map_labels(fig: plt.Figure) -> list[Annotation]:
    """The theme labels of a `theme_map` figure (for checks of their placement)."""
    return [a for a in fig.axes[0].texts if isinstance(a, Annotation) and a.get_gid() == "label"]


def _frame(ax: plt.Axes, xy: np.ndarray) -> None:
    """Axis limits with a margin around the points, so labels of outer themes fit beside them."""
    lo, hi = xy.min(0), xy.max(0)
    pad = (hi - lo) * np.array([0.16, 0.10])
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])


def _place_labels(
    fig: plt.Figure,
    ax: plt.Axes,
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    colors: dict[str, str],
    width: int,
) -> None:
    """One label per theme, largest theme first, each at the free spot nearest its medoid."""
    themes = themes.sort_values(["size", "theme_id"], ascending=[False, True])
    to_px = ax.transData.transform
    points = to_px(papers[["x", "y"]].to_numpy(dtype=float))
    # the largest marker radius in px, its white edge included
    radius = (np.sqrt(THEME_SIZE) / 2 + 0.3) * fig.dpi / 72
    anchors, labels, members = [], [], []
    names = list(themes["theme_name"])
    for _, t in themes.iterrows():
        mine = (papers["theme_id"] == t["theme_id"]).to_numpy()
        pts = papers.loc[mine, ["x", "y"]].to_numpy(dtype=float)
        anchor = medoid(pts)
        text = textwrap.fill(f"{t['theme_name']} ({int(t['size'])})", width, break_on_hyphens=False)
        a = ax.annotate(
            text,
            xy=anchor,
            xytext=anchor,
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            color="#222222",
            linespacing=1.15,
            bbox={
                "boxstyle": "round,pad=0.3",
                "fc": "white",
                "ec": colors[t["theme_name"]],
                "lw": 1.4,
            },
            arrowprops={
                "arrowstyle": "-",
                "color": colors[t["theme_name"]],
                "lw": 1.1,
                "shrinkA": 0,
                "shrinkB": 0,
            },
            zorder=5,
            gid="label",
        )
        anchors.append(np.asarray(to_px(anchor)))
        labels.append(a)
        members.append(mine)
    fig.canvas.draw()  # text extents need a renderer
    sizes = [a.get_bbox_patch().get_window_extent().size for a in labels]
    frame = ax.get_window_extent()
    boxes: list[np.ndarray] = []  # placed label boxes [x0, y0, x1, y1] in px
    leaders: list[np.ndarray] = []  # placed leader segments [x0, y0, x1, y1] in px
    centers: list[np.ndarray] = []
    # greedy, then two rounds in which each label moves to its best spot given all the others
    # (labels placed early took their spots before knowing who else needed room)
    for rnd in range(3):
        for i, (anchor, (w, h), mine) in enumerate(zip(anchors, sizes, members, strict=True)):
            others = [j for j in range(len(centers)) if j != i]
            c, free = _best_spot(
                anchor,
                w,
                h,
                points,
                ~mine,
                radius,
                frame.extents,
                [boxes[j] for j in others],
                [leaders[j] for j in others],
            )
            box = np.array([c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2])
            leader = np.array([*c, *anchor])
            if rnd == 0:
                centers.append(c)
                boxes.append(box)
                leaders.append(leader)
            else:
                centers[i], boxes[i], leaders[i] = c, box, leader
            if rnd == 2 and not free:
                warnings.warn(
                    f"theme map: no free spot for the label {names[i]!r}; it covers points, "
                    "another label or a leader line",
                    stacklevel=3,
                )
    to_data = ax.transData.inverted().transform
    for a, c in zip(labels, centers, strict=True):
        a.set_position(tuple(to_data(c)))


def _best_spot(
    anchor: np.ndarray,
    w: float,
    h: float,
    points: np.ndarray,
    foreign: np.ndarray,
    radius: float,
    frame: np.ndarray,
    boxes: list[np.ndarray],
    leaders: list[np.ndarray],
) -> tuple[np.ndarray, bool]:
    """The centre (px) of the best free box of size w x h for a label whose leader ends at
    `anchor`: shortest leader, crossings of other leaders and passes over points of other
    themes (`foreign`) counting as detours; and whether it is free (covers no point, meets no
    label or leader), else the least bad spot."""
    reach = np.hypot(frame[2] - frame[0], frame[3] - frame[1])
    radii = np.arange(0.0, reach, 4.0)
    c = anchor + np.stack(
        [np.outer(radii, np.cos(_ANGLES)).ravel(), np.outer(radii, np.sin(_ANGLES)).ravel()], 1
    )
    hw, hh = w / 2 + _GAP, h / 2 + _GAP
    box = np.stack([c[:, 0] - hw, c[:, 1] - hh, c[:, 0] + hw, c[:, 1] + hh], 1)
    inside = (
        (box[:, 0] >= frame[0])
        & (box[:, 1] >= frame[1])
        & (box[:, 2] <= frame[2])
        & (box[:, 3] <= frame[3])
    )
    c, box = c[inside], box[inside]
    # no point under the box (a point counts with its marker radius)
    covers = np.zeros(len(c), dtype=bool)
    for chunk in np.array_split(np.arange(len(points)), max(1, len(points) // 256)):
        p = points[chunk]
        covers |= (
            (np.abs(p[None, :, 0] - c[:, None, 0]) < hw + radius)
            & (np.abs(p[None, :, 1] - c[:, None, 1]) < hh + radius)
        ).any(1)
    ok = ~covers
    crossings = np.zeros(len(c))
    for b, seg in zip(boxes, leaders, strict=True):
        ok &= ~_overlap(box, b)  # another label
        ok &= ~_segment_hits_box(seg[None, :2], seg[None, 2:], box)  # another leader
        ok &= ~_segment_hits_box(c, np.broadcast_to(anchor, c.shape), b[None])  # my leader
        crossings += _segments_cross(c, anchor, seg[:2], seg[2:])
    free = bool(ok.any())
    if not free:  # nowhere free: a spot covering no point, else any spot inside the axes
        ok = ~covers if (~covers).any() else np.ones(len(c), dtype=bool)
    if not ok.any():  # the label is larger than the axes
        return anchor, False
    c, crossings = c[ok], crossings[ok]  # only free spots are scored
    passes = _points_near_segments(c, anchor, points[foreign], radius + 1.0)
    score = (
        np.hypot(*(c - anchor).T) + _CROSSING_PENALTY * crossings + _FOREIGN_POINT_PENALTY * passes
    )
    return c[int(np.argmin(score))], free


def _points_near_segments(
    starts: np.ndarray, end: np.ndarray, points: np.ndarray, dist: float
) -> np.ndarray:
    """How many `points` lie within `dist` of each segment starts[i] -> end."""
    d = end - starts  # (n, 2)
    dd = np.maximum((d**2).sum(1), 1e-12)[:, None]
    n = np.zeros(len(starts))
    for chunk in np.array_split(np.arange(len(starts)), max(1, len(starts) // 2048)):
        s, dc = starts[chunk, None], d[chunk, None]  # (k, 1, 2)
        t = np.clip(((points[None] - s) * dc).sum(-1) / dd[chunk], 0.0, 1.0)  # (k, m)
        gap = s + t[..., None] * dc - points[None]
        n[chunk] = (np.hypot(gap[..., 0], gap[..., 1]) < dist).sum(1)
    return n


def _overlap(boxes: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which of `boxes` (n x 4) overlap box `b`."""
    return (boxes[:, 0] < b[2]) & (boxes[:, 2] > b[0]) & (boxes[:, 1] < b[3]) & (boxes[:, 3] > b[1])


def _segment_hits_box(p0: np.ndarray, p1: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether segments p0->p1 meet boxes (broadcast over rows; slab test)."""
    d = p1 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (boxes[:, :2] - p0) / d
        t1 = (boxes[:, 2:] - p0) / d
    lo = np.where(
        d == 0,
        np.where((p0 >= boxes[:, :2]) & (p0 <= boxes[:, 2:]), -np.inf, np.inf),
        np.minimum(t0, t1),
    )
    hi = np.where(
        d == 0,
        np.where((p0 >= boxes[:, :2]) & (p0 <= boxes[:, 2:]), np.inf, -np.inf),
        np.maximum(t0, t1),
    )
    enter = np.maximum(lo.max(1), 0.0)
    leave = np.minimum(hi.min(1), 1.0)
    return enter <= leave


def _segments_cross(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Whether segments a0->a1 (rows) properly cross segment b0->b1."""

    def side(p, q, r):
        return np.sign(
            (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1])
            - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
        )

    a1 = np.broadcast_to(a1, a0.shape)
    return (side(a0, a1, b0) * side(a0, a1, b1) < 0) & (side(b0, b1, a0) * side(b0, b1, a1) < 0)
