"""Notebook 05: what each dump is (keyword-search results), what its listing order says, and
its theme mix re-read."""

from __future__ import annotations

import pandas as pd

from ..analyses import explore, listing_rank, listings
from ..narrative import dumps as words
from .chapter import Chapter
from .display import figure, found, markdown, table

__all__ = ["Dumps"]


class Dumps(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        from ..dataset import load_entries, load_occurrences

        e = self.entries = load_entries(self.config.raw_dir)
        self.occ = load_occurrences(entries=e)
        self.marks = listings.marking_words(e)  # every dump x word: z and shares
        self.chance = listings.chance_z(e)  # how high a random dump's top z climbs
        self.verdict = listings.search_verdict(self.marks, self.chance)
        self.ranks = listing_rank.rank_and_word(e, self.verdict)
        self.by_theme = listing_rank.rank_by_theme(e, self.papers, self.verdict)
        self.kruskal = listing_rank.rank_theme_test(e, self.papers)
        self.rho, self.rho_p = listing_rank.rank_word_link(self.by_theme)
        self.pairs = listing_rank.same_date_pairs(self.occ)
        self.focus_words = listing_rank.focus_words(e, self.papers, self.marks)

    def findings(self):
        return found(
            words.findings(
                self.verdict,
                self.pairs,
                self.ranks,
                self.kruskal,
                self.rho_p,
                self.focus_words,
                listings.SEARCH_SHARE,
                listing_rank.FOCUS_MARGIN,
            )
        )

    def method(self):
        return markdown(
            words.method_text(
                listings.PRIOR_ENTRIES,
                listings.CHANCE_SHUFFLES,
                listings.CHANCE_QUANTILE,
                listings.SEARCH_SHARE,
            )
        )

    def marking_words(self) -> pd.DataFrame:
        shares = ["share", "share_title", "share_abstract", "share_elsewhere"]
        top5 = self.marks.groupby("dump").head(5)
        top5 = top5[["label", "word", "z", *shares, "holding", "entries"]]
        return table(top5, decimals=1, percent=shares, labels={"label": "dump"})

    def marking_heatmap(self) -> None:

        labels = self.dump_labels()
        top = list(dict.fromkeys(self.marks.groupby("dump").head(2)["word"]))
        shares = listings.word_shares(self.entries, top).mul(100)
        shares.columns = [labels[d] for d in shares.columns]
        title = "Each dump's two top marking words: % of every dump's entries holding them"
        fig = _share_heatmap(shares, title, "word (any form, title or abstract)", (7.5, 5.5))
        figure(fig, self.figures, "dumps_marking_words")

    def own_word(self):
        own = listings.word_shares(self.entries, list(self.verdict["word"]))
        return markdown(words.own_word_text(self.verdict, own, listings.SEARCH_SHARE))

    def verdict_table(self) -> pd.DataFrame:
        show = [
            "label",
            "word",
            "forms",
            "z",
            "chance_z",
            "share",
            "share_elsewhere",
            "search_like",
        ]
        return table(
            self.verdict[show],
            decimals=1,
            percent=["share", "share_elsewhere"],
            labels={"label": "dump", "search_like": "looks like a search"},
        )

    def verdict_text(self):
        """The verdict, the encoder/decoder words in every dump, and where a classic sits."""
        coding = listings.word_shares(self.entries, ["decoder", "encoder"])
        classic = self.entries[self.entries["title"] == "Pointer Networks"]
        c, holds, n, label = None, False, 0, ""
        if len(classic):
            c = classic.iloc[0]
            word = self.verdict.set_index("dump").loc[c["dump"], "word"]
            holds = bool(listings.holding(classic.iloc[[0]], word).iloc[0])
            n = int((self.entries["dump"] == c["dump"]).sum())
            label = explore.dump_label(c["dump"], c["page_date"])
        return markdown(
            words.classic_text(self.verdict, coding, c, holds, n, label, listings.SEARCH_SHARE)
        )

    def overlap(self) -> pd.DataFrame:
        m = explore.dump_overlap_matrix(self.occ)
        return m.reset_index()

    def overlap_text(self):
        return markdown(words.overlap_text(self.papers, self.pairs, self.entries["dump"].nunique()))

    def listing_tops(self) -> pd.DataFrame:
        tops = listing_rank.listing_tops(self.entries, 3)
        first = self.entries.sort_values(["dump", "rank"]).groupby("dump").head(3)
        tops["holds_word"] = listing_rank.holds_own_word(first, self.verdict).to_numpy()
        self._tops = tops
        return table(
            tops[["label", "position", "title", "holds_word"]],
            labels={"label": "dump", "holds_word": "holds its dump's word"},
        )

    def tops_text(self):
        return markdown(words.tops_text(self._tops))

    def rank_and_word(self) -> pd.DataFrame:
        show = [
            "label",
            "word",
            "share_top_half",
            "share_bottom_half",
            "median_rank_holding",
            "median_rank_other",
            "p_value",
        ]
        t = self.ranks[show].copy()
        t["p_value"] = t["p_value"].map("{:.1g}".format)
        return table(
            t,
            percent=["share_top_half", "share_bottom_half"],
            labels={"label": "dump", "p_value": "Mann-Whitney p"},
        )

    def rank_by_theme(self) -> pd.DataFrame:
        return table(self.by_theme, percent=["share_top_half", "share_holding"])

    def rank_theme_text(self):
        return markdown(words.rank_theme_text(self.by_theme, self.kruskal, self.rho, self.rho_p))

    def theme_mix(self) -> None:
        from ..config import OUTLIER_NAME

        labels = self.dump_labels()
        mix = explore.dump_theme_mix(self.papers, self.occ)
        share = mix.div(mix.sum(axis=1), axis=0).mul(100)
        share.index = [labels[d] for d in share.index]
        order = [*self.themes["theme_name"], OUTLIER_NAME]
        shown = share[[c for c in order if c in share.columns]].T
        fig = _share_heatmap(shown, "Theme mix of each dump (% of its entries)", "theme", (8, 8))
        figure(fig, self.figures, "dumps_theme_mix")

    def lift(self) -> pd.DataFrame:
        from ..config import OUTLIER_NAME

        labels = self.dump_labels()
        lift = explore.dump_theme_lift(self.papers, self.occ)
        lift = lift[lift["theme_name"] != OUTLIER_NAME]
        top = lift.groupby("dump").head(3).reset_index(drop=True)
        top.insert(0, "label", top.pop("dump").map(labels))
        return table(top, percent=["share"], labels={"label": "dump", "theme_name": "theme"})

    def focus(self) -> pd.DataFrame:
        show = ["label", "theme", "entries", "lift", "word", "share_holding", "share_in_dump"]
        return table(
            self.focus_words[show],
            decimals=1,
            percent=["share_holding", "share_in_dump"],
            labels={"label": "dump"},
        )

    def focus_text(self):
        return markdown(words.focus_text(self.focus_words, listing_rank.FOCUS_MARGIN))


def _share_heatmap(shares: pd.DataFrame, title: str, rows: str, size: tuple[float, float]):
    """Percentages of each dump's entries (columns: dumps) as the chapter's one heatmap style."""
    from ..plots import heatmap

    return heatmap(
        shares,
        title,
        "dump",
        rows,
        fmt=".0f",
        cmap="Blues",
        cbar_label="% of the dump's entries",
        figsize=size,
    )
