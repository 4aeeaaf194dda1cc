"""Semantic search over the corpus, similar papers, and placing new papers into themes.

Everything works from the artifacts of `python -m analysis run` in a fresh process, without
refitting anything, and reads only: a query never runs the analysis or writes a file. When the
run on disk was made with other options or inputs than the current ones, it answers from that
run with one warning naming the differences.

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
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .artifacts import (
    load_run,
    recorded_config,
    run_differences,
    run_folder,
    theme_vectors,
    warn_other_run,
)
from .config import DEFAULT, OUTLIER_NAME, Config
from .numerics import cosines
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
        """Read the current set of the run in `config.processed_dir`, every file from one set
        and checked (`analysis.artifacts.load_run`); nothing is written."""
        run = load_run(config.processed_dir)  # RunSetError when there is none, or a mismatch
        diffs = run_differences(config, run.record)
        if diffs:
            warn_other_run(config, diffs, "answering from that run")
        used = recorded_config(config, run.record)  # queries embed as the run did
        return cls(
            papers=run.papers,
            themes=run.themes,
            vectors=theme_vectors(run.papers, used, run.record),
            model=run.model,
            config=used,
        )

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from .embedding import embed_texts

        return embed_texts(list(texts), None, self.config.embed, progress=False).vectors

    def _ranked(self, scores: np.ndarray, k: int, exclude: int | None = None) -> pd.DataFrame:
        order = np.lexsort((np.arange(len(scores)), -scores))  # ties: corpus order
        if exclude is not None:
            order = order[order != exclude]
        top = order[:k]
        cols = ["paper_id", "title", "theme_name", "summary", "dumps"]
        out = self.papers.iloc[top][cols].copy()
        out.insert(2, "score", scores[top].astype(float).round(4))
        return out.reset_index(drop=True)

    def search(self, query: str, k: int = 10) -> pd.DataFrame:
        """The `k` papers whose title + abstract are nearest the query (cosine)."""
        k = _check_k(k)
        q = self._embed([_check_text(query, "search's query")])[0]
        return self._ranked(cosines(self.vectors, q[None, :])[:, 0], k)

    def similar(self, paper_id: str, k: int = 10) -> pd.DataFrame:
        """The `k` papers most like the paper `paper_id` (itself left out)."""
        k = _check_k(k)
        if not isinstance(paper_id, str):
            raise TypeError(f"paper_id must be a string, got {type(paper_id).__name__}")
        hits = np.flatnonzero(self.papers["paper_id"].to_numpy() == paper_id)
        if len(hits) == 0:
            raise KeyError(f"no paper with paper_id {paper_id!r}")
        i = int(hits[0])
        return self._ranked(cosines(self.vectors, self.vectors[i : i + 1])[:, 0], k, exclude=i)

    def assign(self, new: str | Sequence[str] | pd.DataFrame | Path) -> pd.DataFrame:
        """Themes for papers outside the corpus.

        `new` may be one text, a list of texts ("title. abstract"), a DataFrame with `title` and
        `abstract` columns, or the path of a dump file. A `Path` is always a path; a string is
        read as a path when it is one line that ends in ".txt" or names an existing file or
        folder, else as a paper's text. Returns one row per paper: `theme_id`
        (-1 when no theme is close enough), `theme_name`, `confidence` (cosine similarity to the
        chosen theme's centroid), `nearest_theme_id`/`nearest_theme_name` (always set) and
        `margin` (lead over the second-nearest theme).
        """
        titles, texts = _papers_of(new, self.config)
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

    def placed_members(self) -> pd.DataFrame:
        """What `assign` does with every member's own text, against the theme the fit gave it:
        paper_id, title, theme_name, assigned_name, agrees. `assign` embeds a text exactly as
        the run did (float64, bit for bit), so it is computed here on the stored vectors."""
        members = self.papers["theme_id"].to_numpy() >= 0
        got = self.model.predict(self.vectors[members])
        names = dict(zip(self.themes["theme_id"], self.themes["theme_name"], strict=True))
        out = self.papers.loc[members, ["paper_id", "title", "theme_name"]].copy()
        out["assigned_name"] = [names.get(int(t), OUTLIER_NAME) for t in got]
        out["agrees"] = got == self.papers.loc[members, "theme_id"].to_numpy()
        return out.reset_index(drop=True)


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    return int(k)


def _check_text(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return text


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not a single missing value
        return False


def _is_path(new: object) -> bool:
    if isinstance(new, Path):
        return True
    if not isinstance(new, str) or not new.strip() or "\n" in new.strip():
        return False
    if new.strip().lower().endswith(".txt"):
        return True
    try:
        return Path(new).exists()
    except (OSError, ValueError):  # too long, or a NUL: a text, not a path
        return False


def _papers_of(new: object, config: Config) -> tuple[list[str], list[str]]:
    """(titles, texts) of what `assign` was given, checked (see `ThemeIndex.assign`)."""
    from .dataset import read_dump

    if _is_path(new):
        path = Path(new)  # type: ignore[arg-type]
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such dump file")
        if path.is_dir():
            raise IsADirectoryError(f"{path}: a folder; assign takes one dump file (.txt)")
        if path.suffix.lower() != ".txt":
            raise ValueError(
                f"{path}: expected a dump file (.txt); for a table, pass a DataFrame with "
                "title and abstract columns"
            )
        new = read_dump(path, config.load)
    if isinstance(new, str):
        new = [new]
    if isinstance(new, pd.DataFrame):
        missing = [c for c in ("title", "abstract") if c not in new.columns]
        if missing:
            raise ValueError(
                f"assign needs a DataFrame with title and abstract columns; missing: "
                f"{', '.join(missing)}"
            )
        for col in ("title", "abstract"):
            for row, value in zip(new.index, new[col], strict=True):
                if not isinstance(value, str) or not value.strip():
                    shown = "missing" if _missing(value) else f"{type(value).__name__} {value!r}"
                    raise ValueError(
                        f"assign's paper at row {row!r}: {col} is {shown}; expected a "
                        "non-empty text"
                    )
        titles, texts = new["title"].tolist(), paper_texts(new)
    elif isinstance(new, (Sequence, pd.Series, np.ndarray)):
        texts = list(new)
        titles = [title_of(_check_text(t, f"assign's paper {i}")) for i, t in enumerate(texts)]
    else:
        raise TypeError(
            "assign takes a text, a list of texts, a DataFrame or a dump path, got "
            f"{type(new).__name__}"
        )
    if not texts:
        raise ValueError("assign needs at least one paper, got none")
    for i, t in enumerate(texts):
        _check_text(t, f"assign's paper {i}")
    return titles, texts


_INDEX: dict[str, tuple[str, ThemeIndex]] = {}


def _index() -> ThemeIndex:
    """The default folder's index, loaded again when another set becomes current (a new run;
    a set's folder name is its content hash)."""
    out = DEFAULT.processed_dir
    stamp = run_folder(out).name
    hit = _INDEX.get(str(out))
    if hit is None or hit[0] != stamp:
        _INDEX[str(out)] = (stamp, ThemeIndex.load(DEFAULT))
    return _INDEX[str(out)][1]


def search(query: str, k: int = 10) -> pd.DataFrame:
    """Nearest papers to a free-text query: paper_id, title, score, theme, dumps."""
    return _index().search(query, k)


def similar(paper_id: str, k: int = 10) -> pd.DataFrame:
    """The papers most like a given one."""
    return _index().similar(paper_id, k)


def assign(new: str | Sequence[str] | pd.DataFrame | Path) -> pd.DataFrame:
    """Place new papers (texts, a DataFrame or a dump path) into the fitted themes."""
    return _index().assign(new)
