"""Charts, one function each: they take the analysis' DataFrames and return a figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..analyses.explore import dump_overlap_matrix
from ..analyses.speedups import FAMILY_ORDER
from ..config import OUTLIER_NAME
from .style import BROAD_PALETTE, PALETTE, STYLE, theme_colors

__all__ = [
    "dump_overlap",
    "heatmap",
    "histogram",
    "speedup_factors",
    "stacked_bars",
    "sweep_scatter",
    "theme_sizes",
    "truncation_effect",
]


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
        # the right half is kept free for the broad names, so that they never meet a bar
        ax.set_xlim(0, 2 * max(sizes))
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


def dump_overlap(occurrences: pd.DataFrame) -> plt.Figure:
    """Heatmap of papers shared between each pair of dumps."""
    import seaborn as sns

    m = dump_overlap_matrix(occurrences)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
        sns.heatmap(
            m,
            annot=True,
            fmt="d",
            cmap="Blues",
            cbar_kws={"label": "shared papers"},
            square=True,
            linewidths=0.5,
            ax=ax,
        )
        ax.set_title("Papers shared between dumps (diagonal: papers per dump)")
        ax.set_xlabel("dump (file prefix · page date)")
        ax.set_ylabel("dump (file prefix · page date)")
    return fig


def heatmap(
    table: pd.DataFrame,
    title: str,
    xlabel: str,
    ylabel: str,
    fmt: str = ".0f",
    cmap: str = "Blues",
    cbar_label: str = "",
    figsize: tuple[float, float] | None = None,
    center: float | None = None,
) -> plt.Figure:
    """A labelled, annotated heatmap of a DataFrame (rows x columns as they come)."""
    import seaborn as sns

    size = figsize or (1.0 + 0.62 * table.shape[1], 1.2 + 0.42 * table.shape[0])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=size)
        sns.heatmap(
            table,
            annot=True,
            fmt=fmt,
            cmap=cmap,
            linewidths=0.5,
            ax=ax,
            center=center,
            cbar_kws={"label": cbar_label},
            annot_kws={"fontsize": 8},
        )
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="x", labelrotation=40)
        plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    return fig


def speedup_factors(claims: pd.DataFrame) -> plt.Figure:
    """Reported speed-up factors by method family (log scale), one dot per claim."""
    fam_colors = dict(zip(FAMILY_ORDER, BROAD_PALETTE, strict=False))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.8))
        rng = np.random.default_rng(0)  # fixed jitter: the figure is the same every run
        for y, fam in enumerate(FAMILY_ORDER):
            d = claims[claims["family"] == fam]
            if d.empty:
                continue
            jitter = rng.uniform(-0.18, 0.18, len(d))
            ax.scatter(
                d["factor"],
                y + jitter,
                s=36,
                color=fam_colors[fam],
                alpha=0.85,
                edgecolors="white",
                linewidths=0.5,
            )
            med = float(d["factor"].median())
            ax.plot([med, med], [y - 0.3, y + 0.3], color="#333333", lw=2)
            ax.text(med, y + 0.36, f"median {med:.1f}x", ha="center", fontsize=8.5, color="#333333")
        ax.set_xscale("log")
        ax.set_yticks(
            range(len(FAMILY_ORDER)),
            [f"{f} ({int((claims['family'] == f).sum())})" for f in FAMILY_ORDER],
        )
        ax.invert_yaxis()
        ax.set_xlabel("reported speed-up factor (log scale; self-reported, baselines differ)")
        ax.set_ylabel("method family (claims)")
        ax.set_title("Speed-ups the abstracts claim, by method family")
        ax.axvline(1, color="#999999", lw=0.8)
    return fig


def stacked_bars(
    table: pd.DataFrame, title: str, xlabel: str, ylabel: str, colors: dict[str, str] | None = None
) -> plt.Figure:
    """Horizontal stacked bars: one bar per row, one segment per column."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.42 * len(table) + 1.5))
        left = np.zeros(len(table))
        for i, col in enumerate(table.columns):
            c = (colors or {}).get(col, PALETTE[i % len(PALETTE)])
            ax.barh(table.index.astype(str), table[col], left=left, color=c, label=str(col))
            left += table[col].to_numpy()
        ax.invert_yaxis()
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower right", frameon=False, fontsize=9)
    return fig


def sweep_scatter(sweep: pd.DataFrame) -> plt.Figure:
    """Outlier share vs stability for every swept setting; the default ringed."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 5.5))
        sc = ax.scatter(
            sweep["outliers"] * 100,
            sweep["stability_ari"],
            c=sweep["themes"],
            cmap="viridis",
            s=40,
            alpha=0.85,
            edgecolors="white",
            linewidths=0.4,
        )
        d = sweep[sweep["is_default"]]
        ax.scatter(
            d["outliers"] * 100,
            d["stability_ari"],
            s=220,
            facecolors="none",
            edgecolors="#d62728",
            linewidths=2,
            label="default setting",
        )
        ax.axhline(0.8, color="#999999", ls="--", lw=1)
        ax.axvline(15, color="#999999", ls="--", lw=1)
        ax.text(15.3, ax.get_ylim()[0] + 0.02, "15% outliers", fontsize=8.5, color="#666666")
        ax.text(ax.get_xlim()[1], 0.805, "ARI 0.8", ha="right", fontsize=8.5, color="#666666")
        fig.colorbar(sc, ax=ax, label="mean number of themes")
        ax.set_xlabel("outliers (% of papers, mean over 5 seeds)")
        ax.set_ylabel("stability: mean pairwise ARI across 5 seeds")
        ax.set_title(f"{len(sweep)} UMAP + HDBSCAN settings: stability vs outliers")
        ax.legend(loc="lower right", frameon=False)
    return fig


def truncation_effect(n_tokens: np.ndarray, cosine: np.ndarray, window: int) -> plt.Figure:
    """Text lengths against the model window, and how far truncated vectors drift."""
    with plt.rc_context(STYLE):
        fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
        a.hist(n_tokens, bins=30, color=PALETTE[0])
        a.axvline(window, color="#d62728", lw=2)
        a.text(
            window,
            a.get_ylim()[1] * 0.92,
            f" model window: {window} tokens",
            color="#d62728",
            fontsize=9,
        )
        a.set_xlabel("tokens in title + abstract")
        a.set_ylabel("papers")
        a.set_title("Every text is longer than the window")
        b.hist(cosine, bins=30, color=PALETTE[1])
        b.set_xlabel("cosine(full-text vector, truncated vector)")
        b.set_ylabel("papers")
        b.set_title("What truncation would change")
    return fig


def histogram(
    values: pd.Series | np.ndarray,
    title: str,
    xlabel: str,
    ylabel: str,
    bins: int = 30,
    color: str | None = None,
) -> plt.Figure:
    """A titled, labelled histogram with the median marked."""
    v = np.asarray(values, dtype=float)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 4))
        ax.hist(v, bins=bins, color=color or PALETTE[0])
        med = float(np.median(v))
        ax.axvline(med, color="#333333", lw=1.5, ls="--")
        ax.text(med, ax.get_ylim()[1] * 0.95, f" median {med:g}", fontsize=9)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    return fig
