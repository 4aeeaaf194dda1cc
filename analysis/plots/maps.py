"""The static 2-D theme map: papers coloured by theme, names at theme medoids, outliers grey."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..config import OUTLIER_NAME
from .style import OUTLIER_COLOR, STYLE, broad_colors, theme_colors

__all__ = ["broad_table", "medoid", "theme_map"]


def medoid(points: np.ndarray) -> np.ndarray:
    """The point with the least summed squared distance to the others: where a theme's name
    goes (inside the theme, unlike a centroid of a curved cluster)."""
    return points[np.argmin(((points[:, None] - points[None]) ** 2).sum(-1).sum(1))]


def broad_table(papers: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Broad themes shaped like the fine-theme table, for drawing the map at the broad level."""
    b = themes.drop_duplicates("broad_theme_id").sort_values("broad_theme_id")
    sizes = papers[papers["theme_id"] >= 0].groupby("broad_theme_id").size()
    return pd.DataFrame(
        {
            "theme_id": b["broad_theme_id"].to_numpy(),
            "theme_name": b["broad_theme_name"].to_numpy(),
            "size": [int(sizes.get(i, 0)) for i in b["broad_theme_id"]],
        }
    )


def theme_map(
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    title: str | None = None,
    level: str = "fine",
) -> plt.Figure:
    """The 2-D map: papers coloured by theme, names at theme medoids, outliers grey.

    `level="broad"` colours by broad theme (outliers stay grey: they belong to no theme).
    """
    if level == "broad":
        colors = broad_colors(themes)
        colors[OUTLIER_NAME] = OUTLIER_COLOR
        papers = papers.assign(
            theme_id=np.where(papers["theme_id"] >= 0, papers["broad_theme_id"], -1)
        )
        themes = broad_table(papers, themes)
        title = title or f"{len(papers)} papers in {len(themes)} broad themes"
    else:
        colors = theme_colors(themes)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 8.5))
        out = papers["theme_id"] < 0
        ax.scatter(
            papers.loc[out, "x"],
            papers.loc[out, "y"],
            s=14,
            c=OUTLIER_COLOR,
            linewidths=0,
            alpha=0.8,
            label=f"{OUTLIER_NAME} ({int(out.sum())})",
        )
        for _, t in themes.iterrows():
            m = papers["theme_id"] == t["theme_id"]
            ax.scatter(
                papers.loc[m, "x"],
                papers.loc[m, "y"],
                s=22,
                c=colors[t["theme_name"]],
                linewidths=0.3,
                edgecolors="white",
                alpha=0.95,
                label=f"{t['theme_name']} ({int(t['size'])})",
            )
        _place_labels(ax, papers, themes, colors)
        ax.set_title(title or f"{len(papers)} papers in {len(themes)} themes")
        ax.set_xlabel("UMAP 1 (distances between themes are only roughly meaningful)")
        ax.set_ylabel("UMAP 2")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
            frameon=False,
            fontsize=9,
            title="Theme (papers)",
        )
    return fig


def _place_labels(
    ax: plt.Axes, papers: pd.DataFrame, themes: pd.DataFrame, colors: dict[str, str]
) -> None:
    """Theme names at medoids, nudged apart vertically so boxes do not overlap."""
    pos = []
    for _, t in themes.iterrows():
        pts = papers.loc[papers["theme_id"] == t["theme_id"], ["x", "y"]].to_numpy()
        med = medoid(pts)
        pos.append([med[0], med[1]])
    pos = np.array(pos, dtype=float)
    span = np.ptp(papers[["x", "y"]].to_numpy(), axis=0)
    # a joined name ("A & b") on two lines; each box's size from its text, in data units
    labels = [str(n).replace(" & ", " &\n") for n in themes["theme_name"]]
    lines = [lab.split("\n") for lab in labels]
    half_w = np.array([max(map(len, ls)) for ls in lines]) * span[0] * 0.0062 / 2
    half_h = np.array([len(ls) for ls in lines]) * span[1] * 0.024
    for _ in range(300):  # simple repulsion on overlapping label boxes
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                dx, dy = pos[j] - pos[i]
                need_y = half_h[i] + half_h[j]
                if abs(dx) < half_w[i] + half_w[j] and abs(dy) < need_y:
                    push = (need_y - abs(dy)) / 2 + 1e-9
                    s = 1.0 if dy >= 0 else -1.0
                    pos[i, 1] -= s * push
                    pos[j, 1] += s * push
                    moved = True
        if not moved:
            break
    for (x, y), label, (_, t) in zip(pos, labels, themes.iterrows(), strict=True):
        ax.annotate(
            label,
            (x, y),
            ha="center",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            color="#222222",
            bbox={
                "boxstyle": "round,pad=0.25",
                "fc": "white",
                "ec": colors[t["theme_name"]],
                "lw": 1.2,
                "alpha": 0.88,
            },
        )
