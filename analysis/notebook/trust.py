"""Notebook 06: how far to trust the themes: stability across seeds and parameters (single fits
against single fits, the consensus on its own), the outliers, BERTopic beside this project, and
what the model's window would have done."""

from __future__ import annotations

import pandas as pd

from ..narrative import trust as words
from .chapter import Chapter
from .display import figure, found, markdown, table
from .ensure import ensure_sweep

__all__ = ["Trust"]


class Trust(Chapter):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        from ..analyses.explore import outlier_topics
        from ..analyses.reports import load_peer, truncation_report
        from ..artifacts import theme_vectors

        self.sweep = ensure_sweep(self.config, run=self.run)  # cached in the output folder, stamped
        self.peer = load_peer()  # stored by python -m benchmarks.bertopic_side_by_side
        self.mini = outlier_topics(
            self.papers, theme_vectors(self.papers, self.config, self.run.record)
        )
        self.truncation = truncation_report(self.papers, self.run.model.centroids_, self.config)

    def findings(self):
        return found(words.findings(self.sweep, self.peer, self.papers, self.mini, self.truncation))

    def sweep_figure(self) -> None:
        from ..plots import sweep_scatter

        figure(sweep_scatter(self.sweep, self.peer), self.figures, "trust_sweep")

    def sweep_text(self):
        return markdown(
            words.sweep_text(self.sweep, self.peer, self.config.cluster.consensus_seeds)
        )

    def sweep_table(self, n: int = 10) -> pd.DataFrame:
        return table(self.sweep.head(n), percent=["outliers"], decimals=3)

    def alternatives(self, rows: int = 3) -> pd.DataFrame:
        from ..analyses.reports import alternatives_report

        self._alt = alternatives_report(self.sweep, self.papers, self.themes, self.config, rows)
        return table(self._alt, percent=["outliers"])

    def alternatives_text(self):
        return markdown(words.alternatives_text(self._alt, self.papers, len(self.themes)))

    def outliers_text(self):
        return markdown(words.outliers_text(self.papers))

    def outliers(self) -> pd.DataFrame:
        out = self.papers[self.papers["theme_id"] < 0].sort_values("centroid_similarity")
        cols = {
            "title": "title",
            "nearest_theme_name": "nearest theme",
            "centroid_similarity": "cosine to its centre",
        }
        return table(out[list(cols)], labels=cols)

    def mini_topics(self):
        n_out = int((self.papers["theme_id"] < 0).sum())
        return markdown(words.mini_topics_text(self.mini, n_out))

    def outlier_distance(self):
        return markdown(
            words.outlier_distance_text(self.papers, self.config.cluster.min_cluster_size)
        )

    def peer_table(self) -> pd.DataFrame:
        return words.peer_table(self.peer).rename_axis("setting").reset_index()

    def peer_text(self):
        return markdown(
            words.peer_text(self.peer, self.themes)
            + "\n\nBoth BERTopic settings get the same title + abstract texts and the same "
            "model, so the model's 256-token truncation. Tuned is what a careful user would "
            "ship: UMAP seeded (cosine, 5 dimensions), English stop words removed in its "
            "CountVectorizer (unigrams and bigrams), topics named by KeyBERTInspired, and every "
            "outlier moved to its nearest topic (`reduce_outliers` with the embeddings "
            "strategy, then `update_topics`). Agreement is the mean adjusted Rand index (ARI) "
            f"over every pair of the {len(self.peer['seeds'])} seeds' labelings, outliers "
            "counting as a group. Measured with BERTopic "
            f"{self.peer['bertopic_version']} (`python -m benchmarks.bertopic_side_by_side`, "
            "stored in `benchmarks/results/`)."
        )

    def truncation_figure(self) -> None:
        from ..plots import truncation_effect

        tr = self.truncation
        fig = truncation_effect(tr["n_tokens"].to_numpy(), tr["cosine"].to_numpy(), 256)
        figure(fig, self.figures, "trust_truncation")

    def truncation_text(self):
        return markdown(words.truncation_text(self.truncation))
