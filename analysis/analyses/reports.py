"""What other choices would have given: the sweep's other settings, a truncating embedding, and
BERTopic on the same texts.

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

from ..artifacts import PAPERS_CACHE, load_theme_model, theme_vectors
from ..config import DEFAULT, PEER_RESULT, Config
from ..modeling import ThemeModel, matched_themes
from ..narrative.wording import value_span as span

__all__ = [
    "PEER_COLUMNS",
    "STEADIER_BY",
    "alternatives_report",
    "label_stop_share",
    "peer_report",
    "peer_table",
    "stop_word_clause",
    "truncation_report",
    "tuning_steadies",
    "tuning_steadiness",
]


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


def truncation_report(papers: pd.DataFrame, config: Config = DEFAULT) -> pd.DataFrame:
    """What a plain, truncating `encode` would have done to each paper.

    Columns: tokens in the text, tokens beyond the model window, cosine between the full-text
    vector and the truncated one, and the nearest theme under each vector.
    """
    from ..embedding import Embedder, embed_papers
    from ..embedding.encoder import SPECIAL_TOKENS

    out = config.processed_dir
    full = embed_papers(papers, out / PAPERS_CACHE, config.embed, progress=False)
    trunc_cfg = dataclasses.replace(config.embed, truncate=True)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        trunc = embed_papers(papers, out / "embeddings_truncated.npz", trunc_cfg, progress=False)
    cent = load_theme_model(out).centroids_
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


#: How much higher an agreement (ARI) must be to count as steadier. A smaller difference is no
#: evidence: BERTopic's defaults are unseeded, and their agreement moved between 0.55 and 0.67
#: across reruns of the side-by-side.
STEADIER_BY = 0.05


def tuning_steadies(res: dict[str, Any], as_fitted: bool = False) -> bool:
    """Whether tuning made BERTopic's topics steadier across seeds: its agreement (ARI) beats
    the defaults' by more than `STEADIER_BY`; `as_fitted`: before its outliers are
    reassigned."""
    key = "stability_ari_fitted" if as_fitted else "stability_ari"
    return res["tuned"][key] > res["defaults"]["stability_ari"] + STEADIER_BY


def tuning_steadiness(res: dict[str, Any]) -> str:
    """Whether tuning made BERTopic steadier, in words: "steadier topics", "steadier topics
    only once ...", "topics about as steady as the defaults' ..."."""
    t, d = res["tuned"]["stability_ari"], res["defaults"]["stability_ari"]
    if t < d - STEADIER_BY:
        return f"less steady topics (ARI {t:.2f} against the defaults' {d:.2f})"
    if not tuning_steadies(res):
        return (
            f"topics about as steady as the defaults' (ARI {t:.2f} against {d:.2f}, a difference "
            f"under {STEADIER_BY})"
        )
    if tuning_steadies(res, as_fitted=True):
        return "steadier topics"
    return (
        "steadier topics only once its outliers are reassigned (as fitted, ARI "
        f"{res['tuned']['stability_ari_fitted']:.2f} against the defaults' {d:.2f})"
    )


def label_stop_share(setting: dict[str, Any]) -> float:
    """Share of the words in a BERTopic setting's labels ("3_the_decoding_of") that are English
    stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = [
        w for lab in setting["labels"] for part in lab["name"].split("_")[1:] for w in part.split()
    ]
    return sum(w in ENGLISH_STOP_WORDS for w in words) / max(len(words), 1)


#: The side-by-side's settings, as the stored result names them and as tables head them.
PEER_COLUMNS = {"defaults": "BERTopic defaults", "tuned": "BERTopic tuned", "ours": "this project"}


def peer_table(res: dict[str, Any]) -> pd.DataFrame:
    """The stored side-by-side as a table: topics, outliers and agreement per setting (the
    one table notebook 06 shows and the README block extends)."""
    notes = {
        "defaults": "unseeded draws",
        "tuned": f"{res['tuned']['stability_ari_fitted']:.2f} before outlier reduction",
        "ours": f"consensus of {DEFAULT.cluster.consensus_seeds} fits each",
    }
    rows: dict[str, dict[str, str]] = {}
    for key, col in PEER_COLUMNS.items():
        r = res[key]
        reported = span(r["outlier_share"], ".1%") + (" (reassigned)" if key == "tuned" else "")
        rows[col] = {
            f"topics / themes ({len(res['seeds'])} seeds)": span(r["topics"], "d"),
            "outliers as fitted": span(r["outlier_share_fitted"], ".1%"),
            "outliers reported": reported,
            "agreement across seeds (mean pairwise ARI)": (
                f"{r['stability_ari']:.2f} ({notes[key]})"
            ),
        }
    return pd.DataFrame(rows)


def stop_word_clause(res: dict[str, Any]) -> str:
    """ "Stop words make 81% of the defaults' label words and 0% of the tuned ones'"."""
    return (
        f"Stop words make {label_stop_share(res['defaults']):.0%} of the defaults' label words "
        f"and {label_stop_share(res['tuned']):.0%} of the tuned ones'"
    )


def peer_report(
    themes: pd.DataFrame, path: Path = PEER_RESULT
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """BERTopic's defaults, BERTopic tuned, and this project over the same 5 seeds, as stored
    by `python -m benchmarks.bertopic_side_by_side`: a table, a summary worded from its
    numbers (with each setting's four first labels), and the stored result.

    The summary says so when the stored result was made for other themes than `themes`.
    """
    res = json.loads(Path(path).read_text(encoding="utf-8"))
    cols = PEER_COLUMNS
    table = peer_table(res)
    d, t, o = res["defaults"], res["tuned"], res["ours"]
    stored = [(lab["name"], lab["size"]) for lab in o["labels"]]
    current = list(zip(themes["theme_name"], themes["size"].astype(int), strict=True))
    best = max(cols, key=lambda k: res[k]["stability_ari"])
    text = (
        f"Over the same {len(res['seeds'])} seeds, BERTopic's defaults find "
        f"{span(d['topics'], 'd')} topics and leave {span(d['outlier_share'], '.0%')} of the "
        f"papers as outliers; tuned, it finds {span(t['topics'], 'd')} topics with "
        f"{span(t['outlier_share_fitted'], '.0%')} outliers as fitted and "
        f"{span(t['outlier_share'], '.0%')} after `reduce_outliers`; this project finds "
        f"{span(o['topics'], 'd')} themes with {span(o['outlier_share'], '.1%')} outliers. "
        f"Seeds agree (mean pairwise ARI) at {d['stability_ari']:.2f} for the defaults, "
        f"{t['stability_ari']:.2f} tuned ({t['stability_ari_fitted']:.2f} before outlier "
        f"reduction) and {o['stability_ari']:.2f} here: the most stable is {cols[best]}. "
        f"{stop_word_clause(res)}; tuning gives"
        + (
            " readable labels"
            if label_stop_share(t) < 0.1 <= label_stop_share(d)
            else " labels as they are below"
        )
        + (" and " if tuning_steadies(res) else ", ")
        + tuning_steadiness(res)
        + "."
    )
    if stored != current:
        text += (
            " **The stored result was made for other themes than these:** rerun "
            "`python -m benchmarks.bertopic_side_by_side`."
        )
    largest = {k: sorted(res[k]["labels"], key=lambda x: -x["size"])[:4] for k in cols}
    text += "\n\nThe four largest topics of each, seed 42:\n\n" + "\n".join(
        f"- {col}: " + "; ".join(f"`{x['name']}` ({x['size']})" for x in largest[key])
        for key, col in cols.items()
    )
    return table, text, res
