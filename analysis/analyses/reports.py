"""What other choices would have given: the sweep's other settings, a truncating embedding, and
BERTopic on the same texts (its stored result; `analysis.narrative.trust` words them).

Each takes the run's tables (as `analysis.notebook.setup` returns them); the first two read its
embedding cache, the last the stored side-by-side result. None changes the run's artifacts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..artifacts import PAPERS_CACHE, theme_vectors
from ..config import DEFAULT, PEER_RESULT, Config
from ..modeling import ThemeModel, matched_themes

__all__ = ["alternatives_report", "load_peer", "truncation_report"]


def alternatives_report(
    sweep_table: pd.DataFrame,
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    config: Config = DEFAULT,
    rows: int | None = None,
) -> pd.DataFrame:
    """What the settings of a sweep table do to the default's themes, each fitted as a run fits
    it (the consensus of `config.cluster.consensus_seeds` seeds from its seed).

    For each row (all rows, or the first `rows`): its number of themes and outliers, and which
    of the default's named themes it keeps as a theme of its own (see
    `analysis.modeling.matched_themes`) and which it merges away or splits.
    """
    X = theme_vectors(papers, config)
    names = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    reference = papers["theme_id"].to_numpy()
    out = []
    for r in sweep_table.head(rows).itertuples() if rows else sweep_table.itertuples():
        c = dataclasses.replace(
            config.cluster,
            n_neighbors=int(r.n_neighbors),
            n_components=int(r.n_components),
            min_cluster_size=int(r.min_cluster_size),
            min_samples=int(r.min_samples),
            cluster_selection_method=str(r.selection),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = ThemeModel.from_config(c, with_map=False).fit(X).labels_
        match = matched_themes(reference, labels)
        out.append(
            {
                "setting": f"{c.n_neighbors}/{c.n_components}/{c.min_cluster_size}/"
                f"{c.min_samples}/{c.cluster_selection_method}",
                "is_default": c == config.cluster,
                "themes": int(labels.max() + 1),
                "outliers": float((labels < 0).mean()),
                "default_themes_kept": sum(v is not None for v in match.values()),
                "lost": "; ".join(names[t] for t, v in match.items() if v is None) or "-",
            }
        )
    return pd.DataFrame(out)


def truncation_report(
    papers: pd.DataFrame, centroids: np.ndarray, config: Config = DEFAULT
) -> pd.DataFrame:
    """What a plain, truncating `encode` would have done to each paper (`centroids`: the run's
    theme centroids, to say which theme each vector is nearest).

    Columns: tokens in the text, tokens beyond the model window, cosine between the full-text
    vector and the truncated one, and the nearest theme under each vector.
    """
    from ..embedding import Embedder, embed_texts
    from ..embedding.encoder import SPECIAL_TOKENS
    from ..text import paper_texts

    out = config.processed_dir
    texts = paper_texts(papers)
    full = embed_texts(texts, out / PAPERS_CACHE, config.embed, progress=False)
    trunc_cfg = dataclasses.replace(config.embed, truncate=True)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        trunc = embed_texts(texts, out / "embeddings_truncated.npz", trunc_cfg, progress=False)
    cent = centroids
    window = Embedder(config.embed).model_window - SPECIAL_TOKENS
    return pd.DataFrame(
        {
            "paper_id": papers["paper_id"],
            "title": papers["title"],
            "theme_name": papers["theme_name"],
            "n_tokens": full.n_tokens,
            "tokens_dropped": np.maximum(full.n_tokens - window, 0),
            "cosine": np.einsum("ij,ij->i", full.vectors, trunc.vectors).astype(np.float64),
            "nearest_theme_full": (full.vectors @ cent.T).argmax(1),
            "nearest_theme_truncated": (trunc.vectors @ cent.T).argmax(1),
        }
    )


def load_peer(path: Path = PEER_RESULT) -> dict[str, Any]:
    """The stored side-by-side with BERTopic (`python -m benchmarks.bertopic_side_by_side`)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
