"""Semantic search over the corpus, similar papers, and placing new papers into themes.

Everything works from the artifacts of `python -m analysis run` in a fresh process, without
refitting anything:

- `search(query)`: cosine similarity between the query's embedding and every paper's;
- `similar(paper_id)`: the same, from a paper's own stored embedding;
- `assign(new papers)`: the saved `ThemeModel`'s `predict`: the nearest theme centroid by
  cosine similarity, or -1 when it is less similar than the 5th percentile of the corpus
  members' similarity to their own theme (nothing is close enough).

New texts are embedded exactly like the corpus (full text, sentence windows, same model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .artifacts import load_theme_model, theme_vectors
from .config import DEFAULT, OUTLIER_NAME, Config
from .text import paper_texts, title_of

if TYPE_CHECKING:  # pragma: no cover
    from .modeling import ThemeModel

__all__ = ["ThemeIndex", "assign", "search", "similar"]


@dataclass
class ThemeIndex:
    """The corpus' embeddings and fitted themes, loaded from the artifacts."""

    papers: pd.DataFrame
    themes: pd.DataFrame
    vectors: np.ndarray
    model: ThemeModel
    config: Config

    @classmethod
    def load(cls, config: Config = DEFAULT) -> ThemeIndex:
        """Load (building them first if missing or stale) the artifacts of a run."""
        from .pipeline import ensure_artifacts

        papers, themes = ensure_artifacts(config)
        return cls(
            papers=papers,
            themes=themes,
            vectors=theme_vectors(papers, config),  # the cache holds every paper's vector
            model=load_theme_model(config.processed_dir),
            config=config,
        )

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from .embedding import embed_texts

        return embed_texts(list(texts), None, self.config.embed, progress=False).vectors

    def _ranked(self, scores: np.ndarray, k: int, exclude: int | None = None) -> pd.DataFrame:
        order = np.lexsort((np.arange(len(scores)), -scores))  # ties: corpus order
        if exclude is not None:
            order = order[order != exclude]
        top = order[:k]
        cols = ["paper_id", "title", "theme_name", "broad_theme_name", "dumps"]
        out = self.papers.iloc[top][cols].copy()
        out.insert(2, "score", scores[top].astype(float).round(4))
        return out.reset_index(drop=True)

    def search(self, query: str, k: int = 10) -> pd.DataFrame:
        """The `k` papers whose title + abstract are nearest the query (cosine)."""
        if not query or not query.strip():
            raise ValueError("search needs a non-empty query")
        q = self._embed([query])[0]
        return self._ranked(self.vectors @ q, k)

    def similar(self, paper_id: str, k: int = 10) -> pd.DataFrame:
        """The `k` papers most like the paper `paper_id` (itself left out)."""
        hits = np.flatnonzero(self.papers["paper_id"].to_numpy() == paper_id)
        if len(hits) == 0:
            raise KeyError(f"no paper with paper_id {paper_id!r}")
        i = int(hits[0])
        return self._ranked(self.vectors @ self.vectors[i], k, exclude=i)

    def assign(self, new: str | Sequence[str] | pd.DataFrame | Path) -> pd.DataFrame:
        """Themes for papers outside the corpus.

        `new` may be one text, a list of texts ("title. abstract"), a DataFrame with `title` and
        `abstract` columns, or the path of a dump file. Returns one row per paper: `theme_id`
        (-1 when no theme is close enough), `theme_name`, `confidence` (cosine similarity to the
        chosen theme's centroid), `nearest_theme_id`/`nearest_theme_name` (always set) and
        `margin` (lead over the second-nearest theme).
        """
        from .dataset import read_dump

        if isinstance(new, (str, Path)) and Path(new).suffix == ".txt" and Path(new).is_file():
            new = read_dump(new, self.config.load)
        if isinstance(new, str):
            new = [new]
        if isinstance(new, pd.DataFrame):
            texts = paper_texts(new)
            titles = new["title"].tolist()
        else:
            texts = list(new)
            titles = [title_of(t) for t in texts]
        vecs = self._embed(texts)
        theme_id = self.model.predict(vecs)
        sims = self.model.transform(vecs)
        order = np.argsort(-sims, axis=1, kind="stable")
        best, second = order[:, 0], order[:, 1] if sims.shape[1] > 1 else order[:, 0]
        conf = sims[np.arange(len(sims)), best]
        names = dict(zip(self.themes["theme_id"], self.themes["theme_name"], strict=True))
        return pd.DataFrame(
            {
                "title": titles,
                "theme_id": theme_id,
                "theme_name": [names.get(int(t), OUTLIER_NAME) for t in theme_id],
                "confidence": conf.astype(float).round(4),
                "nearest_theme_id": best,
                "nearest_theme_name": [names[int(t)] for t in best],
                "margin": (conf - sims[np.arange(len(sims)), second]).astype(float).round(4),
            }
        )


@cache
def _default_index(processed_dir: str) -> ThemeIndex:
    return ThemeIndex.load(DEFAULT.replace(processed_dir=Path(processed_dir)))


def _index() -> ThemeIndex:
    return _default_index(str(DEFAULT.processed_dir))


def search(query: str, k: int = 10) -> pd.DataFrame:
    """Nearest papers to a free-text query: paper_id, title, score, theme, dumps."""
    return _index().search(query, k)


def similar(paper_id: str, k: int = 10) -> pd.DataFrame:
    """The papers most like a given one."""
    return _index().similar(paper_id, k)


def assign(new: str | Sequence[str] | pd.DataFrame | Path) -> pd.DataFrame:
    """Place new papers (texts, a DataFrame or a dump path) into the fitted themes."""
    return _index().assign(new)
