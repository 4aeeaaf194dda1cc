"""Notebook 02, the themes: the map, sizes and misfits, how well the names fit, each theme's
portrait with its evidence and "start here" papers, how themes relate, and the reading list."""

from __future__ import annotations

import pandas as pd

from ..narrative import themes as words
from .chapter import Chapter
from .display import figure, found, html, markdown, table

__all__ = ["Themes"]


class Themes(Chapter):
    def findings(self):
        return found(words.findings(self.papers, self.themes))

    def method(self):
        p = self.run.record["parameters"]
        return markdown(
            "## Method\n\n"
            "Each paper's title and abstract is embedded in full with all-MiniLM-L6-v2, reduced "
            "with UMAP and clustered with HDBSCAN, once per seed of a seed set "
            f"({p['cluster.consensus_seeds']} seeds from {p['cluster.random_state']}), all "
            "fits on one shared neighbour graph; the themes are the consensus of those fits "
            "(average linkage on the share of fits in which two papers share a theme, cut at "
            f"{p['cluster.consensus_cut']}). The papers are fitted in a fixed order of their "
            "own, so the themes do not depend on the order of the dumps or their entries. "
            "Names come from a vocabulary of research areas (`analysis/modeling/"
            "vocabulary.json`): a paper's area is the one whose description is nearest its "
            "text; a theme is named by the area, two areas or umbrella that describes most of "
            "its members and few others, chosen on one half of the members and judged on the "
            "other. `docs/methods.md` explains every term."
        )

    def theme_map(self) -> None:
        from ..plots import theme_map

        figure(theme_map(self.papers, self.themes), self.figures, "theme_map", svg=True)

    def sizes(self) -> None:
        from ..plots import theme_sizes

        n_out = int((self.papers["theme_id"] < 0).sum())
        figure(theme_sizes(self.themes, n_out), self.figures, "theme_sizes")

    def table(self) -> pd.DataFrame:
        cols = {
            "theme_name": "theme",
            "size": "papers",
            "misfits": "misfits",
            "stability": "stability",
            "heldout_coverage": "held-out coverage",
            "heldout_precision": "held-out precision",
            "name_coverage": "coverage (all members)",
            "name_precision": "precision (all members)",
            "keywords": "keyphrases",
        }
        return table(self.themes[list(cols)], labels=cols)

    def names(self):
        return markdown(
            words.names_text(self.themes)
            + " Stability is the mean best-match Jaccard index of a theme over the consensus' "
            "fits (1: every fit found exactly this theme). A name's coverage is the share of "
            "a theme's members it describes, its precision the share of the papers it "
            "describes that are members; held out, both are measured on the half of the "
            "members the name was not chosen on."
        )

    def start_here(self):
        return html(words.start_here_html(self.themes, self.papers))

    def portraits(self):
        from ..modeling.vocabulary import load_vocabulary

        vocab = load_vocabulary()
        return markdown(
            "\n\n".join(words.portrait(t, self.papers, vocab) for _, t in self.themes.iterrows())
        )

    def misfits(self) -> pd.DataFrame:
        m = self.papers[self.papers["misfit"]].sort_values(["theme_id", "title"])
        cols = {
            "title": "title",
            "theme_name": "theme",
            "better_theme_name": "better theme",
            "area": "its area",
            "fit": "fit",
        }
        return table(m[list(cols)], labels=cols)

    def misfits_text(self):
        return markdown(words.misfits_text(self.papers))

    def similarity(self) -> None:
        from ..plots import similarity_dendrogram

        sim = self._sim()
        figure(similarity_dendrogram(sim, self.themes), self.figures, "theme_similarity")

    def _sim(self) -> pd.DataFrame:
        from ..analyses.explore import theme_similarity

        return theme_similarity(self.run.model.centroids_, self.themes["theme_name"].tolist())

    def relations(self):
        return markdown(words.relations_text(self._sim()))

    def reading_list(self):
        """Every paper, theme by theme, as an interactive table (its JavaScript embedded)."""
        from itables import init_notebook_mode, show

        from ..analyses import reading_lists

        init_notebook_mode(all_interactive=False, connected=False)
        reading = reading_lists.reading_list(self.papers, self.themes, self.occurrences())
        reading_lists.write_reading_list(reading, self.figures, self.themes)
        show(
            reading_lists.itable_frame(reading),
            table_id="reading_list",  # a fixed id, so that every run gives the same output
            allow_html=True,  # for the links; itable_frame has escaped every text
            maxBytes=0,  # every paper, never a sample
            pageLength=25,
            lengthMenu=[[10, 25, 100, -1], [10, 25, 100, "all"]],
            classes="display compact",
            columnDefs=[{"className": "dt-left", "targets": "_all"}],
            display_logo_when_loading=False,
        )
