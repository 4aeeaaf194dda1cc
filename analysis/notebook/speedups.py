"""Notebook 03: the speed-up factors the abstracts claim, one value per paper, against plain
decoding apart from other baselines, by method family and by what each method decodes."""

from __future__ import annotations

import pandas as pd

from ..analyses import speedup_summaries, speedups
from ..narrative import speedups as words
from .chapter import Chapter
from .display import figure, found, markdown, table

__all__ = ["Speedups"]


class Speedups(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.claims = speedups.extract_speedups(self.papers)
        self.per_paper = speedup_summaries.paper_speedups(self.claims)
        self.summary = speedup_summaries.family_summary(self.claims)

    def findings(self):
        return found(words.findings(self.claims))

    def reading(self):
        return markdown(words.reading(self.claims))

    def families(self) -> pd.DataFrame:
        """One row per family and what it decodes: counts, median, middle half and range; the
        other speed-ups compare unlike things, so their row gives the range only."""
        s = self.summary
        f = words.factor_text
        pooled = s.index.get_level_values("family") != speedups.OTHER
        out = pd.DataFrame(
            {
                "papers": s["papers"].astype(int),
                "claims used": s["claims"].astype(int),
                "against plain decoding": s["plain"].astype(int),
                "median": [
                    f(m) if ok else "not pooled" for m, ok in zip(s["median"], pooled, strict=True)
                ],
                "middle half": [
                    f"{f(a)} to {f(b)}" if ok else "not pooled"
                    for a, b, ok in zip(s["q1"], s["q3"], pooled, strict=True)
                ],
                "range": [f"{f(a)} to {f(b)}" for a, b in zip(s["min"], s["max"], strict=True)],
            },
            index=s.index,
        )
        return table(out.reset_index())

    def figure(self) -> None:
        from ..plots import speedup_factors

        figure(speedup_factors(self.claims), self.figures, "speedups_by_family")

    def caption(self):
        return markdown(words.caption(self.claims))

    def other_claims(self) -> pd.DataFrame:
        c = self.claims[self.claims["family"] == speedups.OTHER]
        c = c.sort_values("factor", ascending=False, kind="stable")
        cols = ["title", "factor", "factor_high", "metric", "scope", "baseline", "baseline_kind"]
        return table(c[cols])

    def papers_table(self) -> pd.DataFrame:
        p = self.per_paper[self.per_paper["family"] != speedups.OTHER]
        p = p.sort_values(["headline", "factor"], ascending=[False, False], kind="stable")
        return table(p[["title", "family", "decodes", "claims", "basis", "factor", "headline"]])

    def claims_table(self) -> pd.DataFrame:
        c = self.claims[self.claims["family"] != speedups.OTHER]
        c = c.sort_values(
            ["headline", "family", "factor"], ascending=[False, True, False], kind="stable"
        )
        cols = [
            "title",
            "family",
            "decodes",
            "factor",
            "up_to",
            "metric",
            "scope",
            "baseline_kind",
            "left_out",
        ]
        return table(c[cols])

    def caveats(self):
        return markdown(words.caveats(self.claims, speedups.percent_speedups(self.papers)))
