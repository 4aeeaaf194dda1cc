"""Notebook 01, the corpus: the dumps, their overlap, abstract lengths, code links."""

from __future__ import annotations

import pandas as pd

from ..narrative import corpus as words
from .chapter import Chapter
from .display import figure, found, markdown, table

__all__ = ["Corpus"]


class Corpus(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        from ..dataset import load_entries

        self.entries = load_entries(self.config.raw_dir)

    def findings(self):
        return found(words.findings(self.papers, self.entries, self.config.embed.window_tokens))

    def dumps(self) -> pd.DataFrame:
        """Entries per dump, each dump by its label."""
        labels = self.dump_labels()
        per = self.entries.groupby("dump").agg(entries=("title", "size")).reset_index()
        per.insert(0, "dump", per.pop("dump").map(labels))
        return table(per)

    def repeats(self):
        return markdown(words.repeats_text(self.papers, self.entries))

    def overlap(self) -> None:
        from ..dataset import load_occurrences
        from ..plots import dump_overlap

        fig = dump_overlap(load_occurrences(entries=self.entries))
        figure(fig, self.figures, "corpus_dump_overlap")

    def overlap_text(self):
        return markdown(words.overlap_text(self.papers))

    def most_listed(self, n: int = 8) -> pd.DataFrame:
        top = self.papers.sort_values(["n_dumps", "title"], ascending=[False, True]).head(n)
        cols = {"title": "title", "n_dumps": "dumps", "theme_name": "theme"}
        return table(top[list(cols)], labels=cols)

    def lengths(self) -> None:
        from ..plots import histogram

        fig = histogram(self.papers["n_words"], "Abstract length", "words per abstract", "papers")
        figure(fig, self.figures, "corpus_abstract_lengths")

    def lengths_text(self):
        from ..embedding import Embedder

        return markdown(words.lengths_text(self.papers, Embedder(self.config.embed).model_window))

    def code(self) -> pd.DataFrame:
        p = self.papers
        n = [
            int(p["has_code"].sum()),
            int((~p["has_code"] & p["code_promised"]).sum()),
            int((~p["has_code"] & ~p["code_promised"]).sum()),
        ]
        out = pd.DataFrame(
            {
                "code": ["links a repository", "promises code, no link", "neither"],
                "papers": n,
                "share": [x / len(p) for x in n],
            }
        )
        return table(out, percent=["share"])

    def code_text(self):
        return markdown(words.code_text(self.papers))
