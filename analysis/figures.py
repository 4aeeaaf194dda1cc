"""Figures, one function each, from the artifacts' DataFrames. One palette for every figure.

A theme keeps its colour everywhere: colours are assigned by theme id (largest theme first) from
a fixed qualitative palette; outliers are always grey.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .io import write_atomic

OUTLIER_COLOR = "#b8b8b8"
OUTLIER_NAME = "Unassigned (outlier)"

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


def save(fig: plt.Figure, figures_dir: str | Path, name: str, svg: bool = False) -> list[Path]:
    """Save `fig` as figures_dir/name.png (and .svg), atomically, with no timestamps inside."""
    out = []
    with plt.rc_context(STYLE):  # svg.hashsalt etc. must hold while saving
        out += _save(fig, Path(figures_dir), name, svg)
    return out


def _save(fig: plt.Figure, figures_dir: Path, name: str, svg: bool) -> list[Path]:
    out = []
    for ext in ["png"] + (["svg"] if svg else []):
        path = Path(figures_dir) / f"{name}.{ext}"
        meta = {"Software": None} if ext == "png" else {"Date": None, "Creator": None}
        write_atomic(
            path,
            lambda p, e=ext, m=meta: fig.savefig(
                p, format=e, metadata=m, dpi=STYLE["savefig.dpi"], bbox_inches="tight"
            ),
        )
        out.append(path)
    return out


def theme_map(papers: pd.DataFrame, themes: pd.DataFrame, title: str | None = None) -> plt.Figure:
    """The 2-D map: papers coloured by fine theme, names at theme medoids, outliers grey."""
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
        med = pts[np.argmin(((pts[:, None] - pts[None]) ** 2).sum(-1).sum(1))]
        pos.append([med[0], med[1]])
    pos = np.array(pos, dtype=float)
    span = np.ptp(papers[["x", "y"]].to_numpy(), axis=0)
    min_dy, min_dx = span[1] * 0.045, span[0] * 0.22
    for _ in range(200):  # simple repulsion on overlapping label boxes
        moved = False
        for i in range(len(pos)):
            for j in range(i + 1, len(pos)):
                dx, dy = pos[j] - pos[i]
                if abs(dx) < min_dx and abs(dy) < min_dy:
                    push = (min_dy - abs(dy)) / 2 + 1e-9
                    s = 1.0 if dy >= 0 else -1.0
                    pos[i, 1] -= s * push
                    pos[j, 1] += s * push
                    moved = True
        if not moved:
            break
    for (x, y), (_, t) in zip(pos, themes.iterrows(), strict=True):
        ax.annotate(
            t["theme_name"],
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


def theme_sizes(themes: pd.DataFrame, n_outliers: int) -> plt.Figure:
    """Horizontal bars: papers per fine theme, grouped by broad theme, outliers last."""
    colors = theme_colors(themes)
    t = themes.sort_values(["broad_theme_id", "size"], ascending=[True, False])
    names = [*t["theme_name"], OUTLIER_NAME]
    sizes = [*t["size"], n_outliers]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.38 * len(names) + 1.2))
        ax.barh(names, sizes, color=[colors[n] for n in names])
        ax.invert_yaxis()
        for y, s in enumerate(sizes):
            ax.text(s + 0.5, y, str(s), va="center", fontsize=9)
        groups = [*t["broad_theme_name"], ""]
        for y, g in enumerate(groups):
            if g and (y == 0 or groups[y - 1] != g):
                ax.text(
                    ax.get_xlim()[1],
                    y,
                    g,
                    ha="right",
                    va="center",
                    fontsize=8.5,
                    style="italic",
                    color="#555555",
                )
        ax.set_xlabel("papers")
        ax.set_ylabel("fine theme (broad theme in italics)")
        ax.set_title(f"Theme sizes ({sum(sizes)} papers)")
    return fig


def write_run_figures(
    papers: pd.DataFrame, themes: pd.DataFrame, figures_dir: str | Path
) -> list[Path]:
    """The figures `python -m analysis run` regenerates."""
    out = []
    fig = theme_map(papers, themes)
    out += save(fig, figures_dir, "theme_map", svg=True)
    plt.close(fig)
    fig = theme_sizes(themes, int((papers["theme_id"] < 0).sum()))
    out += save(fig, figures_dir, "theme_sizes")
    plt.close(fig)
    return out
