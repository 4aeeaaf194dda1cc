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
    return _save(fig, Path(figures_dir), name, ["png"] + (["svg"] if svg else []))


def _save(fig: plt.Figure, figures_dir: Path, name: str, exts: list[str]) -> list[Path]:
    out = []
    with plt.rc_context(STYLE):  # svg.hashsalt etc. must hold while saving
        for ext in exts:
            path = figures_dir / f"{name}.{ext}"
            meta = {"Software": None} if ext == "png" else {"Date": None, "Creator": None}
            write_atomic(
                path,
                lambda p, e=ext, m=meta: fig.savefig(
                    p, format=e, metadata=m, dpi=STYLE["savefig.dpi"], bbox_inches="tight"
                ),
            )
            out.append(path)
    return out


class _ForkedSave:
    """Save one figure file in a forked process while this one goes on (Linux only).

    Rendering is single-threaded and the theme map's PNG alone takes ~0.6 s, so on two cores
    a second process takes it off the run's critical path. The file is byte-identical to one
    saved here: same figure, same code, same rcParams (the fork copies them).
    """

    def __init__(self, fig: plt.Figure, figures_dir: Path, name: str, ext: str) -> None:
        import multiprocessing as mp

        self.path = figures_dir / f"{name}.{ext}"
        self._process = mp.get_context("fork").Process(
            target=_save, args=(fig, figures_dir, name, [ext]), daemon=True
        )
        self._process.start()

    def join(self) -> Path:
        """Wait for the file; a failure there is raised here, naming the file."""
        self._process.join()
        if self._process.exitcode != 0:
            raise RuntimeError(
                f"writing {self.path} failed in a forked process (exit code "
                f"{self._process.exitcode}; its traceback is above)"
            )
        return self.path

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def fork_supported() -> bool:
    """Whether figures may be saved in forked processes: Linux with the fork start method."""
    import multiprocessing as mp
    import sys

    return sys.platform == "linux" and "fork" in mp.get_all_start_methods()


BROAD_PALETTE: list[str] = [matplotlib.colors.to_hex(c) for c in plt.get_cmap("Dark2").colors]


def broad_colors(themes: pd.DataFrame) -> dict[str, str]:
    """Broad theme name -> colour, by broad theme id (a palette of its own)."""
    b = themes.drop_duplicates("broad_theme_id").sort_values("broad_theme_id")
    return {
        n: BROAD_PALETTE[int(i) % len(BROAD_PALETTE)]
        for i, n in zip(b["broad_theme_id"], b["broad_theme_name"], strict=True)
    }


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
    papers: pd.DataFrame, themes: pd.DataFrame, figures_dir: str | Path, fork: bool = False
) -> list[Path]:
    """The figures `python -m analysis run` regenerates.

    `fork`: save the theme map's PNG in a forked process while this one writes the rest
    (where `fork_supported()`); the files are the same either way.
    """
    figures_dir = Path(figures_dir)
    fig = theme_map(papers, themes)
    forked = (
        _ForkedSave(fig, figures_dir, "theme_map", "png") if fork and fork_supported() else None
    )
    try:
        out = [forked.path] if forked else _save(fig, figures_dir, "theme_map", ["png"])
        out += _save(fig, figures_dir, "theme_map", ["svg"])
        plt.close(fig)
        fig = theme_sizes(themes, int((papers["theme_id"] < 0).sum()))
        out += save(fig, figures_dir, "theme_sizes")
        plt.close(fig)
        from .interactive import write_interactive_map

        out.append(write_interactive_map(papers, themes, figures_dir / "paper_map.html"))
        if forked:
            forked.join()
    finally:
        if forked:
            forked.stop()
    return out


def dump_label(dump: str, page_date: str | None = None) -> str:
    """Short dump label: the file's numeric prefix and its page date ("000 · Jul 11")."""
    head = dump.split("_", 1)[0]
    return f"{head} · {page_date}" if page_date else head


def dump_overlap_matrix(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Dump x dump counts of shared papers (diagonal: papers in the dump)."""
    dates = occurrences.groupby("dump")["page_date"].first()
    onehot = pd.crosstab(occurrences["paper_id"], occurrences["dump"]).clip(upper=1)
    m = onehot.T @ onehot
    labels = [dump_label(d, dates[d]) for d in m.index]
    m.index, m.columns = labels, labels
    m.index.name, m.columns.name = "dump", "dump"
    return m


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


FAMILY_ORDER = [
    "speculative / draft models",
    "parallel / multi-token decoding",
    "early exit / layer skipping",
    "caching",
    "other",
]


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
