"""Notebook 04: the three Transformer layouts the corpus names, and its compression work,
models apart from data; every paper listed with the sentence that puts it there."""

from __future__ import annotations

import pandas as pd

from ..analyses import explore
from ..narrative import layouts as words
from ..plots.style import CATEGORY_PALETTE
from .chapter import Chapter
from .display import figure, found, markdown, table

__all__ = ["Layouts"]

#: One colour per compression kind, the same in every figure.
KIND_COLORS = {
    "model": CATEGORY_PALETTE[0],
    "data": CATEGORY_PALETTE[1],
    "both": CATEGORY_PALETTE[2],
}


class Layouts(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.arch = explore.architecture_mentions(self.papers)
        self.comp = explore.compression_kind(self.papers)
        self.tables = explore.layout_tables(self.papers, self.arch, self.comp)
        self.by_theme = explore.architecture_by(self.papers, "theme_name")

    def findings(self):
        return found(words.findings(self.papers, self.arch, self.comp, self.tables))

    def layouts_text(self):
        return markdown(words.layouts_text(self.arch))

    def layouts_by_theme(self) -> None:
        from ..plots import heatmap

        layouts = list(explore.ARCHITECTURES)
        shares = self.by_theme[[f"{a} %" for a in layouts]]
        shares.columns = layouts
        counts = self.by_theme[layouts]
        annot = pd.DataFrame(
            [
                [f"{s:.0f}% ({c})" for s, c in zip(sr, cr, strict=True)]
                for sr, cr in zip(shares.to_numpy(), counts.to_numpy(), strict=True)
            ],
            index=shares.index,
            columns=layouts,
        )
        shares.index = [
            f"{t} ({n})" for t, n in zip(shares.index, self.by_theme["papers"], strict=True)
        ]
        fig = heatmap(
            shares,
            "Papers mentioning each layout, by theme: share (count)",
            "layout",
            "theme (papers)",
            cmap="Purples",
            cbar_label="% of the theme's papers",
            figsize=(8.5, 7),
            annot=annot,
        )
        figure(fig, self.figures, "architectures_by_theme")

    def layouts_where(self):
        return markdown(words.layouts_where_text(self.by_theme))

    def layouts_by_dump(self) -> pd.DataFrame:
        labels = self.dump_labels()
        per = self.papers.explode("dumps").rename(columns={"dumps": "dump"})
        per["dump"] = per["dump"].map(labels)
        return table(explore.architecture_by(per, "dump").reset_index(), decimals=1)

    def layout_papers(self) -> pd.DataFrame:
        """Every paper that mentions a layout, with the sentence that mentions it."""
        s = explore.layout_sentences(self.papers).sort_values(["layout", "title"], kind="stable")
        return table(
            s[["layout", "title", "theme_name", "sentence"]], labels={"theme_name": "theme"}
        )

    def compression_counts(self):
        return markdown(words.compression_counts_text(self.tables.kinds))

    def compression_by_theme(self) -> None:
        from ..plots import stacked_bars

        kinds = self.tables.kinds
        present = [k for k in ["model", "data", "both"] if kinds[k] > 0]
        t = self.tables.by_kind.reindex(columns=present, fill_value=0)
        t = t[t.sum(axis=1) > 0].sort_values(present, ascending=False)
        fig = stacked_bars(
            t,
            "Compression papers by theme: models and data",
            "papers",
            "theme",
            colors=KIND_COLORS,
        )
        figure(fig, self.figures, "compression_by_theme")

    def compression_where(self):
        kinds = self.tables.kinds
        present = [k for k in ["model", "data", "both"] if kinds[k] > 0]
        t = self.tables.by_kind.reindex(columns=present, fill_value=0)
        return markdown(words.compression_where_text(t, self.themes["theme_name"]))

    def compression_papers(self, kind: str) -> pd.DataFrame:
        """The papers of one kind ("model", "data"), each with the sentence that puts it there."""
        s = explore.compression_sentences(self.papers, self.comp)
        s = s[s["kind"].isin([kind, "both"])].sort_values("title")
        return table(s[["title", "theme_name", "sentence"]], labels={"theme_name": "theme"})

    def compression_neither(self) -> pd.DataFrame:
        mask = self.tables.worded & (self.comp["kind"] == "none")
        return table(
            self.comp[mask][["title", "theme_name"]].sort_values("title"),
            labels={"theme_name": "theme"},
        )
