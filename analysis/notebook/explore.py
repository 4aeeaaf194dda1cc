"""Notebook 07: semantic search, similar papers, placing new papers into themes, how often
`assign` gives the members their own theme back, and the interactive map."""

from __future__ import annotations

import pandas as pd

from ..narrative import explore as words
from .chapter import Chapter
from .display import found, markdown, table

__all__ = ["Explore"]

#: The query the notebook runs, and the paper it finds neighbours of.
QUERY = "speculative decoding with a small draft model"
LIKE = "HNeRV"
#: New papers, one per kind of answer: a theme, another theme, none.
NEW = pd.DataFrame(
    {
        "title": [
            "Lookahead Verification for Draft-Free Speculative Decoding",
            "A Lightweight Learned Codec for Satellite Images",
            "Sourdough at Home",
        ],
        "abstract": [
            "We propose a draft-free speculative decoding method for large language models: the "
            "model guesses several future tokens from n-gram statistics of its own context and "
            "verifies them in one forward pass, giving a lossless 2x speedup on chat benchmarks.",
            "We design a learned image codec for satellite imagery with a hyperprior entropy "
            "model and channel-wise context, improving rate-distortion over JPEG2000 at low "
            "bitrates while running on an on-board processor.",
            "A starter of flour and water is fed daily for a week; the dough rises overnight and "
            "is baked at high heat in a covered pot for a crisp crust and an open crumb, without "
            "any commercial yeast at all.",
        ],
    }
)


class Explore(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        from ..queries import ThemeIndex

        ix = self.index = ThemeIndex.load(self.config)
        self.hits = ix.search(QUERY, k=8)
        self.like_paper = self.papers[self.papers["title"].str.startswith(LIKE)].iloc[0]
        self.like = ix.similar(self.like_paper["paper_id"], k=6)
        self.placed = ix.assign(NEW)
        self.members = ix.placed_members()

    def findings(self):
        return found(
            words.findings(
                QUERY, self.hits, self.like_paper["title"], self.like, self.placed, self.members
            )
        )

    def search(self) -> pd.DataFrame:
        labels = self.dump_labels()
        hits = self.hits.assign(dumps=[[labels[d] for d in ds] for ds in self.hits["dumps"]])
        return table(
            hits[["title", "score", "theme_name", "dumps"]],
            decimals=3,
            labels={"theme_name": "theme"},
        )

    def similar(self) -> pd.DataFrame:
        return table(
            self.like[["title", "score", "theme_name"]], decimals=3, labels={"theme_name": "theme"}
        )

    def like_title(self):
        return markdown(f"Papers most like *{self.like_paper['title']}*:")

    def assign(self) -> pd.DataFrame:
        return table(self.placed, decimals=3)

    def placed_text(self):
        return markdown(words.placed_text(self.placed))

    def agreement(self):
        return markdown(words.agreement_text(self.members))

    def disagreements(self) -> pd.DataFrame:
        off = self.members[~self.members["agrees"]]
        return table(
            off[["title", "theme_name", "assigned_name"]],
            labels={"theme_name": "fitted theme", "assigned_name": "assign gives"},
        )

    def map_screenshot(self):
        from IPython.display import Image

        return Image(filename=self.figures / "paper_map_screenshot.png")
