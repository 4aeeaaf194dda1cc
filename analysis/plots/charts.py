"""Charts, one function each: they take the analysis' DataFrames and return a figure."""

from __future__ import annotations

import matplotlib.colors as mpl_colors
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd

from ..analyses.explore import dump_overlap_matrix
from ..analyses.speedup_summaries import family_summary, paper_speedups, value_axis
from ..analyses.speedups import FAMILY_ORDER, OTHER, PLAIN
from ..config import OUTLIER_NAME
from ..narrative.speedups import factor_text, short_title
from ..narrative.wording import counted
from .style import CATEGORY_PALETTE, OUTLIER_COLOR, PALETTE, STYLE, theme_colors

__all__ = [
    "dump_overlap",
    "heatmap",
    "histogram",
    "similarity_dendrogram",
    "speedup_factors",
    "stacked_bars",
    "sweep_scatter",
    "theme_sizes",
    "truncation_effect",
]


def theme_sizes(themes: pd.DataFrame, n_outliers: int) -> plt.Figure:
    """Horizontal bars, largest theme first: each theme's papers, its misfits (members its name
    does not describe) as the lighter end of its bar; the outliers apart, below a rule.
    Counts sit just past the bar ends, so no text meets a bar."""
    colors = theme_colors(themes)
    t = themes.sort_values(["size", "theme_id"], ascending=[False, True])
    names = [str(n) for n in t["theme_name"]]
    sizes = t["size"].astype(int).to_numpy()
    mis = t["misfits"].astype(int).to_numpy() if "misfits" in t else np.zeros(len(t), int)
    ys = list(range(len(t)))
    y_out = len(t) + 0.6  # a gap: the outliers are no theme
    top = max(int(sizes.max()), n_outliers)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 0.36 * (len(t) + 2) + 1.3))
        fit = sizes - mis
        ax.barh(ys, fit, color=[colors[n] for n in names], height=0.72)
        ax.barh(
            ys,
            mis,
            left=fit,
            color=[colors[n] for n in names],
            alpha=0.4,
            height=0.72,
            hatch="///",
            edgecolor="white",
            linewidth=0,
        )
        ax.barh([y_out], [n_outliers], color=OUTLIER_COLOR, height=0.72)
        for y, s, m in zip(ys, sizes, mis, strict=True):
            label = f"{s}" + (f" ({m} misfit{'s' if m != 1 else ''})" if m else "")
            ax.annotate(
                label, (s, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9
            )
        ax.annotate(
            str(n_outliers),
            (n_outliers, y_out),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
        ax.axhline(len(t) - 0.2, color="#999999", lw=0.8, ls="--")
        ax.set_yticks([*ys, y_out], [*names, f"{OUTLIER_NAME}, in no theme"])
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(y_out + 0.6, -0.6)
        ax.set_xlim(0, top * 1.3 + 2)  # room for the counts past the longest bar
        ax.set_xlabel("papers (lighter, hatched: misfits, members the theme's name does not fit)")
        ax.set_ylabel("theme")
        ax.set_title(f"Theme sizes ({int(sizes.sum()) + n_outliers} papers)")
    return fig


def dump_overlap(occurrences: pd.DataFrame) -> plt.Figure:
    """Heatmap of papers shared between each pair of dumps. The diagonal (a dump's own size)
    is left out, so the colour scale spans the overlaps; sizes are in the labels."""
    import seaborn as sns

    m = dump_overlap_matrix(occurrences)
    sizes = np.diag(m.to_numpy())
    labels = [f"{d} ({int(n)})" for d, n in zip(m.index, sizes, strict=True)]
    m = pd.DataFrame(m.to_numpy(), index=labels, columns=labels)
    diagonal = np.eye(len(m), dtype=bool)
    off = m.to_numpy()[~diagonal]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.8, 5.4))
        ax.set_facecolor("#f0f0f0")  # the masked diagonal
        sns.heatmap(
            m,
            mask=diagonal,
            annot=True,
            fmt="d",
            cmap="Blues",
            vmin=0,
            vmax=int(off.max()) if off.size else 1,
            cbar_kws={"label": "papers in both dumps"},
            square=True,
            linewidths=0.5,
            ax=ax,
        )
        ax.set_title("Papers shared between dumps")
        ax.set_xlabel("dump (file prefix · page date, papers in it)")
        ax.set_ylabel("dump (file prefix · page date, papers in it)")
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
    *,
    annot: bool | pd.DataFrame = True,
) -> plt.Figure:
    """A labelled heatmap of a DataFrame (rows x columns as they come), each cell annotated
    with its value, or with the text of `annot` (a table of strings of the same shape, e.g.
    a share with its count), unless `annot=False` (tables too large to read cell by cell)."""
    import seaborn as sns

    size = figsize or (1.0 + 0.62 * table.shape[1], 1.2 + 0.42 * table.shape[0])
    text = isinstance(annot, pd.DataFrame)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=size)
        sns.heatmap(
            table,
            annot=annot.to_numpy() if text else annot,
            fmt="" if text else fmt,
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


def similarity_dendrogram(
    similarity: pd.DataFrame,
    themes: pd.DataFrame | None = None,
    title: str | None = None,
    method: str = "average",
) -> plt.Figure:
    """Which themes are close: hierarchical clustering of the theme centroids' cosine similarity
    (`explore.theme_similarity`) as a dendrogram over the similarity matrix in leaf order.

    The matrix has no per-cell numbers and its diagonal (always 1) is left out, so the colours
    span the similarities between different themes; `themes` adds a strip of theme colours.
    """
    import seaborn as sns
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    names = [str(n) for n in similarity.index]
    sim = similarity.to_numpy(dtype=float)
    dist = np.clip(1.0 - (sim + sim.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    z = linkage(squareform(dist, checks=False), method=method, optimal_ordering=True)
    n = len(names)
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(10.5, 2.4 + 0.42 * n + 2.6))
        gs = fig.add_gridspec(
            2,
            3,
            width_ratios=[0.35, 0.42 * n, 0.3],
            height_ratios=[2.2, 0.42 * n],
            wspace=0.04,
            hspace=0.02,
        )
        ax_d = fig.add_subplot(gs[0, 1])
        ax_s = fig.add_subplot(gs[1, 0])
        ax_h = fig.add_subplot(gs[1, 1], sharex=ax_d)
        ax_c = fig.add_subplot(gs[1, 2])
        d = dendrogram(z, ax=ax_d, no_labels=True, link_color_func=lambda _k: "#333333")
        order = d["leaves"]  # left to right, at x = 5, 15, 25, ...
        ax_d.set_ylabel(f"cosine distance\n({method} linkage)")
        ax_d.tick_params(axis="x", bottom=False, labelbottom=False)
        ax_d.spines["bottom"].set_visible(False)
        ax_d.set_title(title or f"Theme similarity: {n} themes clustered by their centroids")
        m = sim[np.ix_(order, order)].copy()
        off = ~np.eye(n, dtype=bool)
        m[~off] = np.nan
        edges = np.arange(n + 1) * 10.0
        mesh = ax_h.pcolormesh(
            edges,
            edges,
            np.ma.masked_invalid(m),
            cmap=sns.color_palette("mako_r", as_cmap=True),  # seaborn's, registered on import
            vmin=float(m[off].min()),
            vmax=float(m[off].max()),
            edgecolors="white",
            linewidth=0.5,
        )
        ax_h.set_facecolor("#f0f0f0")
        ax_h.set_ylim(edges[-1], 0)
        ax_h.set_xlim(0, edges[-1])
        centers = edges[:-1] + 5
        ax_h.set_xticks(
            centers, [names[i] for i in order], rotation=40, ha="right", rotation_mode="anchor"
        )
        ax_h.tick_params(axis="y", left=False, labelleft=False)
        ax_h.set_xlabel("theme")
        for sp in ax_h.spines.values():
            sp.set_visible(False)
        colors = theme_colors(themes) if themes is not None else {}
        strip = [colors.get(names[i], "#ffffff") for i in order]
        ax_s.imshow(
            np.array([[mpl_colors.to_rgb(c)] for c in strip]),
            aspect="auto",
            extent=(0, 1, edges[-1], 0),
        )
        ax_s.set_ylim(edges[-1], 0)
        ax_s.set_xticks([])
        ax_s.set_yticks(centers, [names[i] for i in order])
        ax_s.set_ylabel("theme")
        for sp in ax_s.spines.values():
            sp.set_visible(False)
        fig.colorbar(mesh, cax=ax_c, label="cosine similarity of centroids")
    return fig


def _spread_rows(values: np.ndarray, step: float = 0.045, off: float = 0.15) -> np.ndarray:
    """Vertical offsets for dots on one row: a dot within `step` (log10) of the last one
    placed at an offset takes the next of 0, +off, -off, +2 off, -2 off, so that close values
    stay apart."""
    out = np.zeros(len(values))
    order = np.argsort(values, kind="stable")
    ladder, last = [0.0, off, -off, 2 * off, -2 * off], {}
    for i in order:
        x = np.log10(values[i])
        k = 0
        while k < len(ladder) and abs(x - last.get(k, -np.inf)) < step:
            k += 1
        k = min(k, len(ladder) - 1)
        out[i], last[k] = ladder[k], x
    return out


def speedup_factors(claims: pd.DataFrame) -> plt.Figure:
    """Claimed speed-ups, one dot per paper (`paper_speedups`: the median of its claims), one
    row per family and what it decodes (`family_summary`), on a log scale. The axis ends past
    the decoding and serving papers (`value_axis`): a far value of another family sits at the
    edge as an arrow with its value, instead of squeezing every other row. Each row's median is
    a bar, written in the right margin with its number of papers, where no dot can be."""
    papers = paper_speedups(claims)
    summary = family_summary(claims)
    lo, hi = value_axis(papers)
    fam_colors = dict(zip(FAMILY_ORDER, CATEGORY_PALETTE, strict=False))
    rows = list(summary.index)
    shown = papers.dropna(subset=["factor"]).assign(decodes=lambda d: d["decodes"].fillna(""))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 0.62 * len(rows) + 1.9))
        for y, (fam, kind) in enumerate(rows):
            d = shown[(shown["family"] == fam) & (shown["decodes"] == kind)]
            vals = d["factor"].to_numpy(float)
            inside = vals <= hi
            dy = _spread_rows(np.minimum(vals, hi))
            color = fam_colors[fam]
            plain = (d["basis"] == PLAIN).to_numpy()
            for mask, face in ((plain, color), (~plain, "white")):
                m = mask & inside
                ax.scatter(
                    vals[m],
                    y + dy[m],
                    s=46,
                    facecolor=face,
                    edgecolor=color,
                    linewidths=1.4,
                    zorder=3,
                )
            far = ~inside
            if far.any():
                ax.scatter(
                    np.full(far.sum(), hi / 1.06),
                    y + dy[far],
                    s=70,
                    marker=">",
                    color=color,
                    zorder=3,
                    clip_on=False,
                )
                order = np.argsort(-vals[far], kind="stable")
                titles, far_vals = d["title"].to_numpy()[far][order], vals[far][order]
                label = ", ".join(
                    f"{short_title(t)} {factor_text(v)}"
                    for t, v in zip(titles, far_vals, strict=True)
                )
                ax.annotate(
                    f"beyond the axis: {label} \u2192",
                    (hi / 1.06, y - 0.5),
                    ha="right",
                    va="center",
                    fontsize=8,
                    color="#333333",
                )
            med = float(summary.loc[(fam, kind), "median"])
            n = int(summary.loc[(fam, kind), "papers"])
            pooled = fam != OTHER  # the other speed-ups compare unlike things: no median
            if pooled and n > 1 and med <= hi:  # a median past the edge is only written
                ax.plot([med] * 2, [y - 0.3, y + 0.3], color="#333333", lw=1.6, zorder=2)
            said = (
                f"{'median ' if n > 1 else ''}{factor_text(med)} \u00b7 {counted(n, 'paper')}"
                if pooled
                else f"{counted(n, 'paper')}, not pooled"
            )
            ax.annotate(
                said,
                (1.01, y),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=8.5,
                color="#333333",
            )
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ticks = [t for t in (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000) if lo <= t <= hi]
        ax.set_xticks(ticks, [f"{t:g}x" for t in ticks])
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        labels = [f"{fam}\n{kind}" if kind else fam for fam, kind in rows]
        ax.set_yticks(range(len(rows)), labels, fontsize=8.5)
        for tick, (fam, _) in zip(ax.get_yticklabels(), rows, strict=True):
            tick.set_color(fam_colors[fam])
        ax.set_ylim(len(rows) - 0.5, -0.7)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6, zorder=0)
        ax.set_xlabel("claimed speed-up, per paper: the median of its claims (log scale)")
        ax.set_ylabel("method family and what it decodes")
        ax.set_title("Speed-ups the abstracts claim, one dot per paper")
        handles = [
            plt.Line2D([], [], ls="", marker="o", color="#555555", label="against plain decoding"),
            plt.Line2D(
                [],
                [],
                ls="",
                marker="o",
                markerfacecolor="white",
                color="#555555",
                label="no baseline named",
            ),
            plt.Line2D([], [], ls="", marker=">", color="#555555", label="beyond the axis"),
            plt.Line2D(
                [], [], ls="", marker="|", markersize=12, color="#333333", label="median of the row"
            ),
        ]
        # below the axis label, whatever the figure's height
        below = mtransforms.offset_copy(ax.transAxes, fig=fig, y=-40, units="points")
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0),
            bbox_transform=below,
            ncol=4,
            frameon=False,
            fontsize=8.5,
        )
    return fig


def stacked_bars(
    table: pd.DataFrame, title: str, xlabel: str, ylabel: str, colors: dict[str, str] | None = None
) -> plt.Figure:
    """Horizontal stacked bars of counts: one bar per row, one segment per column, each
    segment's count written in it and the total past the bar's end; whole-number ticks."""
    from matplotlib.ticker import MaxNLocator

    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 0.42 * len(table) + 1.5))
        left = np.zeros(len(table))
        y = np.arange(len(table))
        for i, col in enumerate(table.columns):
            c = (colors or {}).get(col, PALETTE[i % len(PALETTE)])
            vals = table[col].to_numpy()
            ax.barh(y, vals, left=left, color=c, label=str(col), height=0.7)
            for yi, (x0, v) in enumerate(zip(left, vals, strict=True)):
                if v > 0:
                    ax.text(
                        x0 + v / 2,
                        yi,
                        str(int(v)),
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        color="white",
                        fontweight="bold",
                    )
            left += vals
        for yi, total in enumerate(left):
            ax.annotate(
                str(int(total)),
                (total, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
            )
        ax.set_yticks(y, table.index.astype(str))
        ax.set_ylim(len(table) - 0.5, -0.5)
        ax.set_xlim(0, left.max() * 1.1 + 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower right", frameon=False, fontsize=9)
    return fig


def sweep_scatter(sweep: pd.DataFrame, peer: dict | None = None) -> plt.Figure:
    """Outlier share vs stability for every swept setting (single fits); the default ringed;
    with `peer` (the stored side-by-side), the consensus a run makes drawn apart as a star."""
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
            label="default setting, one fit per seed",
        )
        if peer is not None:
            o = peer["ours"]
            ax.scatter(
                [100 * float(np.mean(o["outlier_share"]))],
                [o["stability_ari"]],
                marker="*",
                s=320,
                color="#d62728",
                edgecolors="black",
                linewidths=0.6,
                label=f"what a run uses: consensus of {o['fits_per_run']} fits "
                f"({len(o['topics'])} disjoint seed sets)",
                zorder=5,
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
        span = float(np.max(n_tokens) - min(window, np.min(n_tokens)))
        a.set_xlim(min(window, np.min(n_tokens)) - 0.45 * span, np.max(n_tokens) + 0.05 * span)
        a.axvline(window, color="#d62728", lw=2)
        a.text(  # left of the line, where no text is long enough to have a bar
            window,
            a.get_ylim()[1] * 0.92,
            f"model window:\n{window} tokens ",
            color="#d62728",
            fontsize=9,
            ha="right",
            va="top",
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
