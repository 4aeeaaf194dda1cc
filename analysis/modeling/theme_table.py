"""The theme table and what each paper adds to it: names, how well they fit (held out and in
sample), keywords, quoted evidence and a "start here" list per theme; each paper's area, `fit`,
`misfit` and better theme.

One call (`theme_tables`) from the fitted model, the papers and the embedded vocabulary; every
piece is computed in its own module (`naming`, `keywords`, `evidence`, `typicality`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import OUTLIER_NAME, ThemeConfig
from ..text import contribution, paper_texts
from .evidence import evidence
from .keywords import c_tf_idf_keywords
from .naming import describes, name_themes
from .typicality import member_fit, misfits
from .vocabulary import Vocabulary, area_similarity

__all__ = ["ThemeTables", "paper_table", "theme_tables"]


@dataclass
class ThemeTables:
    """`themes`: one row per theme; `papers`: per paper, in the papers' order, the columns the
    naming adds (area, fit, misfit, better_theme_id)."""

    themes: pd.DataFrame
    papers: pd.DataFrame


def _name_scores(names: list[str], vocab: Vocabulary, area_sims: np.ndarray) -> np.ndarray:
    """Papers x themes: how well each theme's name describes each paper, the hub-corrected
    similarity to the nearest of its areas (-inf for a keyphrase name: it cannot say)."""
    out = np.full((len(area_sims), len(names)), -np.inf)
    for t, name in enumerate(names):
        parts = [vocab.names.index(p) for p in vocab.parts(name)]
        if parts:
            out[:, t] = area_sims[:, parts].max(axis=1)
    return out


def theme_tables(
    papers: pd.DataFrame,
    vectors: np.ndarray,
    model,  # a fitted analysis.modeling.ThemeModel
    vocab: Vocabulary,
    area_vectors: np.ndarray,
    config: ThemeConfig | None = None,
) -> ThemeTables:
    """The theme table and the per-paper naming columns (see the module's docstring)."""
    cfg = config or ThemeConfig()
    labels = model.labels_
    k = int(labels.max()) + 1
    ids = papers["paper_id"].tolist()
    texts = paper_texts(papers)
    abstracts = papers["abstract"].tolist()
    area_sims = area_similarity(vectors, area_vectors)
    areas = np.argmax(area_sims, axis=1)
    names = name_themes(labels, ids, texts, areas, vocab)

    described = np.zeros(len(labels), dtype=bool)
    for t, nm in enumerate(names["theme_name"]):
        m = labels == t
        described[m] = describes(nm, vocab, areas, texts)[m]
    fit = member_fit(labels, model.probabilities_, model.similarity_)
    scores = _name_scores(list(names["theme_name"]), vocab, area_sims)
    misfit, better = misfits(labels, described, scores, model.similarity_, area_sims.max(axis=1))

    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == i) for i in range(k)]
    keywords, _ = c_tf_idf_keywords(docs, cfg.n_keywords)
    quotes, start = [], []
    for t, nm in enumerate(names["theme_name"]):
        m = np.flatnonzero(labels == t)
        typical = m[np.lexsort((np.array(ids, dtype=object)[m], -fit[m]))]  # ties: by id
        belong = [i for i in typical if described[i] and not misfit[i]]
        quotes.append(evidence(nm, vocab, belong, areas, abstracts, ids))
        first = (belong + [i for i in typical if i not in belong])[: cfg.n_start_here]
        start.append(first)
    themes = pd.DataFrame(
        {
            "theme_id": range(k),
            "theme_name": names["theme_name"],
            "size": [int((labels == t).sum()) for t in range(k)],
            "stability": np.round(model.stability_, 4),
            "name_coverage": names["name_coverage"].round(4),
            "name_precision": names["name_precision"].round(4),
            "heldout_coverage": names["heldout_coverage"].round(4),
            "heldout_precision": names["heldout_precision"].round(4),
            "name_fits": names["name_fits"],
            "name_source": names["name_source"],
            "misfits": [int((misfit & (labels == t)).sum()) for t in range(k)],
            "keywords": keywords,
            "evidence": quotes,
            "start_here_ids": [[ids[i] for i in s] for s in start],
            "start_here_titles": [papers["title"].iloc[s].tolist() for s in start],
        }
    )
    per_paper = pd.DataFrame(
        {
            "area": [vocab.names[a] for a in areas],
            "fit": np.round(fit, 4),
            "misfit": misfit,
            "better_theme_id": better,
        },
        index=papers.index,
    )
    return ThemeTables(themes, per_paper)


def paper_table(
    papers: pd.DataFrame, model, themes: pd.DataFrame, n_windows: np.ndarray
) -> pd.DataFrame:
    """The papers (with `ThemeTables.papers` joined) and what the run found for each: theme,
    how well it belongs, its one-line summary, map position; `model`: the fitted ThemeModel,
    rows in the papers' order."""
    name = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    p = papers.copy()
    lab = model.labels_
    near = model.nearest_theme_
    p["theme_id"] = lab
    p["theme_name"] = [name.get(int(t), OUTLIER_NAME) for t in lab]
    p["nearest_theme_id"] = near
    p["nearest_theme_name"] = [name[int(t)] for t in near]
    p["membership"] = model.probabilities_.astype(np.float64)
    p["centroid_similarity"] = model.similarity_[np.arange(len(p)), near].astype(np.float64)
    p["better_theme_name"] = [name.get(int(t), "") for t in p["better_theme_id"]]
    p["hub"] = model.hubs_
    p["summary"] = p["abstract"].map(contribution)
    p["n_windows"] = n_windows.astype(np.int64)
    p["x"] = model.map_[:, 0].astype(np.float64)
    p["y"] = model.map_[:, 1].astype(np.float64)
    found = ["theme_id", "theme_name", "membership", "fit", "misfit", "better_theme_id"]
    found += ["better_theme_name", "nearest_theme_id", "nearest_theme_name"]
    found += ["centroid_similarity", "area", "hub", "summary", "n_windows", "x", "y"]
    return p[[c for c in papers.columns if c not in found] + found]
