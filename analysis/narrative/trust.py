"""Notebook 06's sentences and the README's side-by-side: how stable the themes are (single fits
set against single fits, the consensus on its own), the outliers, BERTopic beside this project,
and what truncation would have done."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .wording import counted, value_span

__all__ = [
    "PEER_ROWS",
    "STEADIER_BY",
    "alternatives_text",
    "findings",
    "findings_stability",
    "label_stop_share",
    "mini_topics_text",
    "outlier_distance_text",
    "outliers_text",
    "peer_table",
    "peer_text",
    "stop_word_clause",
    "sweep_text",
    "truncation_text",
    "tuning_steadiness",
]

#: How much higher an agreement (ARI) must be to count as steadier: BERTopic's defaults are
#: unseeded, and their agreement moved between 0.55 and 0.67 across reruns of the side-by-side.
STEADIER_BY = 0.05

#: The side-by-side's settings, as the stored result names them and as tables head them; the
#: first three are one fit per seed each (like with like), the last is this project's run.
PEER_ROWS = {
    "defaults": "BERTopic defaults, one fit per seed",
    "tuned": "BERTopic tuned, one fit per seed",
    "single": "this project, one fit per seed",
    "ours": "this project, consensus per seed (what a run makes)",
}


def _compare(a: float, b: float, margin: float = STEADIER_BY) -> str:
    """How agreement `a` compares with `b`, a difference under `margin` being none."""
    if a > b + margin:
        return "more"
    if a < b - margin:
        return "less"
    return "about as much"


def findings_stability(peer: dict, other_seed_set: float | None = None) -> list[str]:
    """How stable the themes are: single fits against BERTopic's single fits (like with
    like: the side-by-side's seeds, outliers as fitted on both sides), then the consensus on
    its own. `other_seed_set`: the same setting's single-fit agreement over other seeds (the
    sweep's), whose distance from the side-by-side's widens the margin a gap must pass."""
    o, s = peer["ours"], peer["single"]
    d, t = peer["defaults"], peer["tuned"]
    n = len(peer["seeds"])
    ours = s["stability_ari"]
    margin = STEADIER_BY if other_seed_set is None else max(STEADIER_BY, abs(ours - other_seed_set))

    def against(other: float, who: str) -> str:
        how = _compare(ours, other, margin)
        word = {"more": "steadier than", "less": "less steady than"}.get(how, "about as steady as")
        return f"{word} {who} ({other:.2f})"

    seeds = ", ".join(str(x) for x in peer["seeds"])
    first = (
        f"One fit per seed on each side (like with like: the side-by-side's {n} seeds, "
        f"{seeds}, each side's outliers as it fitted them), this project's UMAP + HDBSCAN "
        f"agrees with itself at ARI {ours:.2f}: "
        f"{against(t['stability_ari_fitted'], 'BERTopic tuned')}, which reaches "
        f"{t['stability_ari']:.2f} once `reduce_outliers` leaves it no outlier to disagree on, "
        f"and {against(d['stability_ari'], 'BERTopic with its defaults, whose UMAP is unseeded')}."
    )
    if other_seed_set is not None:
        first += (
            f" The same setting's single fits agree at {other_seed_set:.2f} over the sweep's "
            f"seeds, so a gap under {margin:.2f} is read as none."
        )
    return [
        first,
        f"A run does not keep one fit: its themes are the consensus of {o['fits_per_run']} "
        f"fits, and {len(o['topics'])} runs from disjoint seed sets agree at ARI "
        f"{o['stability_ari']:.2f} ({value_span(o['topics'], 'd')} themes"
        f"{' each' if min(o['topics']) == max(o['topics']) else ''}). BERTopic has no such "
        "consensus, so this number is not set against it.",
    ]


def findings(
    sweep: pd.DataFrame,
    peer: dict,
    papers: pd.DataFrame,
    mini: pd.DataFrame,
    truncation: pd.DataFrame,
) -> list[str]:
    """What notebook 06 found."""
    n_out = int((papers["theme_id"] < 0).sum())
    moved = int((truncation["nearest_theme_full"] != truncation["nearest_theme_truncated"]).sum())
    dropped = truncation["tokens_dropped"].sum() / truncation["n_tokens"].sum()
    return [
        *findings_stability(peer, float(sweep.loc[sweep["is_default"], "stability_ari"].iloc[0])),
        f"{counted(n_out, 'paper')} ({n_out / len(papers):.1%}) belong to no theme; "
        + (
            f"{counted(len(mini), 'mini-topic')} of three or more mutually close papers "
            f"{'holds' if len(mini) == 1 else 'hold'} {int(mini['size'].sum())} of them."
            if len(mini)
            else "no three of them are mutually close enough to form a mini-topic."
        ),
        f"Embedding only the first window, as a plain `encode` does, would drop {dropped:.0%} "
        f"of all tokens and move {counted(moved, 'paper')} to a different nearest theme.",
    ]


def sweep_text(sweep: pd.DataFrame, peer: dict, fits: int, seeds: int = 5) -> str:
    default = sweep[sweep["is_default"]].iloc[0]
    q1, med, q3 = sweep["stability_ari"].quantile([0.25, 0.5, 0.75])
    top = sweep.iloc[0]  # sorted by stability
    in_range = sweep[sweep["themes"].between(10, 20) & (sweep["outliers"] <= 0.15)]
    ahead = int((in_range["stability_ari"] > default["stability_ari"]).sum())
    n_met = int(sweep["meets_targets"].sum())
    met = "none meets" if n_met == 0 else "1 meets" if n_met == 1 else f"{n_met} meet"
    o = peer["ours"]
    return (
        f"**Single fits are not stable; the consensus a run uses is.** Over {len(sweep)} "
        "settings (n_neighbors, n_components, min_cluster_size, min_samples, selection method), "
        f"each fitted once per UMAP seed 0-{seeds - 1}, {met} every "
        "target (10-20 themes, at most 15% outliers, mean pairwise ARI across seeds >= 0.8). "
        f"The median setting's seeds agree at an ARI of {med:.2f} (middle half "
        f"{q1:.2f}-{q3:.2f}). The most stable, {top['n_neighbors']}/{top['n_components']}/"
        f"{top['min_cluster_size']}/{top['min_samples']}/{top['selection']}, reaches "
        f"{top['stability_ari']:.3f} with {top['themes']:.1f} themes on average; of the "
        f"{len(in_range)} settings with 10-20 themes and at most 15% outliers, the best reaches "
        f"{in_range['stability_ari'].max():.3f}. The default's single fits agree at "
        f"{default['stability_ari']:.3f} ({default['themes']:.1f} themes, "
        f"{default['outliers']:.1%} outliers on average): a fixed seed makes a run repeatable, "
        f"not stable. A run therefore takes the consensus of {fits} fits (the share of fits in "
        "which two papers share a theme, grouped by average linkage), and "
        f"{len(o['topics'])} such runs from disjoint seed sets agree at ARI "
        f"{o['stability_ari']:.3f} ({value_span(o['topics'], 'd')} themes). {ahead} settings "
        "in range score higher than the default as single fits; the default was chosen before "
        "the consensus. The table below shows what the most stable settings do to the themes."
    )


def alternatives_text(alternatives: pd.DataFrame, papers: pd.DataFrame, n_themes: int) -> str:
    n_out = (papers["theme_id"] < 0).mean()
    return (
        "Refitted as a consensus: "
        + "; ".join(
            f"{r.setting} keeps {r.default_themes_kept} of the {n_themes} themes "
            f"({r.themes} themes, {r.outliers:.1%} outliers)"
            for r in alternatives.itertuples()
        )
        + f". The default gives {n_themes} themes with {n_out:.1%} outliers."
    )


def outliers_text(papers: pd.DataFrame) -> str:
    out = papers[papers["theme_id"] < 0]
    near = out["nearest_theme_name"].value_counts()
    hubs = int(out["hub"].sum())
    return (
        f"{len(out)} papers ({len(out) / len(papers):.1%}) belong to no theme. They are not "
        "lost: each keeps its nearest theme (by centroid similarity). By nearest theme: "
        + ", ".join(f"{k} {v}" for k, v in near.items())
        + "."
        + (
            f" {counted(hubs, 'of them is a hub', 'of them are hubs')}: near most of the "
            "corpus, left out of the fits."
            if hubs
            else " None is a hub (a paper near most of the corpus, left out of the fits)."
        )
    )


def mini_topics_text(mini: pd.DataFrame, n_outliers: int) -> str:
    return (
        f"**{counted(len(mini), 'mini-topic')}** "
        f"{'holds' if len(mini) == 1 else 'hold'} "
        f"{int(mini['size'].sum()) if len(mini) else 0} of the {n_outliers} outliers"
        + (":\n\n" if len(mini) else ".")
        + "\n".join(
            f"- {', '.join(t.keywords[:3])} ({t.size} papers): "
            + "; ".join(f"*{x}*" for x in t.titles)
            for t in mini.itertuples()
        )
    )


def outlier_distance_text(papers: pd.DataFrame, min_cluster_size: int) -> str:
    out = papers[papers["theme_id"] < 0]
    members = papers[papers["theme_id"] >= 0]
    o, m = out["centroid_similarity"].median(), members["centroid_similarity"].median()
    return (
        f"Outliers sit {'farther from' if o < m else 'as close to'} their nearest theme's "
        f"centroid than members sit to their own (median cosine {o:.2f} against {m:.2f}); a "
        f"theme needs at least {min_cluster_size} papers, so a topic with fewer papers here "
        "stays among them."
    )


def label_stop_share(setting: dict[str, Any]) -> float:
    """Share of the words in a BERTopic setting's labels ("3_the_decoding_of") that are English
    stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = [
        w for lab in setting["labels"] for part in lab["name"].split("_")[1:] for w in part.split()
    ]
    return sum(w in ENGLISH_STOP_WORDS for w in words) / max(len(words), 1)


def stop_word_clause(res: dict[str, Any]) -> str:
    """ "Stop words make 81% of the defaults' label words and 0% of the tuned ones'"."""
    return (
        f"Stop words make {label_stop_share(res['defaults']):.0%} of the defaults' label words "
        f"and {label_stop_share(res['tuned']):.0%} of the tuned ones'"
    )


def tuning_steadiness(res: dict[str, Any]) -> str:
    """Whether tuning made BERTopic steadier, in words, by `STEADIER_BY`."""
    t, d = res["tuned"]["stability_ari"], res["defaults"]["stability_ari"]
    fitted = res["tuned"]["stability_ari_fitted"]
    how = _compare(t, d)
    if how == "less":
        return f"less steady topics (ARI {t:.2f} against the defaults' {d:.2f})"
    if how == "about as much":
        return (
            f"topics about as steady as the defaults' (ARI {t:.2f} against {d:.2f}, a "
            f"difference under {STEADIER_BY})"
        )
    if _compare(fitted, d) == "more":
        return "steadier topics"
    return (
        "steadier topics only once its outliers are reassigned (as fitted, ARI "
        f"{fitted:.2f} against the defaults' {d:.2f})"
    )


def peer_table(res: dict[str, Any]) -> pd.DataFrame:
    """The stored side-by-side as a table a person reads: one row per setting."""
    rows = {}
    for key, label in PEER_ROWS.items():
        r = res[key]
        reported = value_span(r["outlier_share"], ".1%") + (
            " (reassigned)" if key == "tuned" else ""
        )
        note = {
            "defaults": " (unseeded draws)",
            "tuned": f" ({r['stability_ari_fitted']:.2f} before outlier reduction)",
        }.get(key, "")
        rows[label] = {
            f"topics / themes ({len(res['seeds'])} seeds)": value_span(r["topics"], "d"),
            "outliers as fitted": value_span(r["outlier_share_fitted"], ".1%"),
            "outliers reported": reported,
            "agreement across seeds (mean pairwise ARI)": f"{r['stability_ari']:.2f}{note}",
        }
    return pd.DataFrame(rows).T


def peer_text(res: dict[str, Any], themes: pd.DataFrame) -> str:
    """The side-by-side in words, each setting's first labels, and a warning when the stored
    result was made for other themes than `themes`."""
    d, t, s, o = res["defaults"], res["tuned"], res["single"], res["ours"]
    text = (
        f"Over the same {len(res['seeds'])} seeds, BERTopic's defaults find "
        f"{value_span(d['topics'], 'd')} topics and leave {value_span(d['outlier_share'], '.0%')} "
        f"of the papers as outliers; tuned, it finds {value_span(t['topics'], 'd')} topics with "
        f"{value_span(t['outlier_share_fitted'], '.0%')} outliers as fitted and "
        f"{value_span(t['outlier_share'], '.0%')} after `reduce_outliers`. One fit per seed, "
        f"this project finds {value_span(s['topics'], 'd')} themes with "
        f"{value_span(s['outlier_share'], '.0%')} outliers, and its seeds agree at ARI "
        f"{s['stability_ari']:.2f} against BERTopic's {d['stability_ari']:.2f} (defaults) and "
        f"{t['stability_ari']:.2f} (tuned). {stop_word_clause(res)}; tuning gives "
        + (
            "readable labels"
            if label_stop_share(t) < 0.1 <= label_stop_share(d)
            else "labels as they are below"
        )
        + f" and {tuning_steadiness(res)}. The runs this project makes (a consensus per seed) "
        f"agree at {o['stability_ari']:.2f}; that row has no BERTopic counterpart."
    )
    stored = [(lab["name"], lab["size"]) for lab in o["labels"]]
    current = list(zip(themes["theme_name"], themes["size"].astype(int), strict=True))
    if stored != current:
        text += (
            " **The stored result was made for other themes than these:** rerun "
            "`python -m benchmarks.bertopic_side_by_side`."
        )
    largest = {
        k: sorted(res[k]["labels"], key=lambda x: -x["size"])[:4] for k in ("defaults", "tuned")
    }
    text += "\n\nThe four largest topics of each BERTopic setting, first seed:\n\n" + "\n".join(
        f"- {PEER_ROWS[key]}: " + "; ".join(f"`{x['name']}` ({x['size']})" for x in largest[key])
        for key in largest
    )
    return text


def truncation_text(tr: pd.DataFrame) -> str:
    moved = int((tr["nearest_theme_full"] != tr["nearest_theme_truncated"]).sum())
    return (
        f"All {len(tr)} texts exceed the window (median {int(tr['n_tokens'].median())} tokens); "
        f"a plain `encode` would drop {int(tr['tokens_dropped'].sum()):,} of "
        f"{int(tr['n_tokens'].sum()):,} tokens "
        f"({tr['tokens_dropped'].sum() / tr['n_tokens'].sum():.0%}), all of them from the end "
        "of each text. The truncated vectors differ from the full-text ones (cosine median "
        f"{tr['cosine'].median():.3f}, minimum {tr['cosine'].min():.3f}), and "
        f"{counted(moved, 'paper')} would be nearest to a different theme."
    )
