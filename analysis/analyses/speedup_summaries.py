"""Speed-up claims (`analysis.analyses.speedups.extract_speedups`) summarised: one value per
paper, the spread per method family and what it decodes, the headline and what it leaves out,
and the factor axis of the figure.

A paper counts once, with the median of its claims, so that a paper that states three factors
does not weigh three times. Factors are compared on a ratio scale: medians and quartiles, not
means.
"""

from __future__ import annotations

import math

import pandas as pd

from .speedups import (
    AUTOREGRESSIVE_TEXT,
    DECODES,
    END_TO_END,
    FAMILY_ORDER,
    FAST,
    HEADLINE_FAMILIES,
    LEFT_OUT,
    OPERATION,
    OTHER_MODEL,
    PLAIN,
    UNSTATED,
)

__all__ = ["AXIS_ROOM", "family_summary", "headline_summary", "paper_speedups", "value_axis"]


def paper_speedups(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per paper with claims: its value (`factor`) is the median of its end-to-end
    claims against plain decoding when it states any (`basis` `PLAIN`), else of its end-to-end
    claims with no baseline (`UNSTATED`), else none (NaN: only one operation or another
    accelerated method). `used` counts the claims behind the value; `headline` marks the
    papers the headline median is taken over (their used claims are the claims' `headline`)."""
    rows = []
    for pid, d in claims.groupby("paper_id", sort=False):
        whole = d[d["scope"] == END_TO_END]
        plain = whole[whole["baseline_kind"] == PLAIN]
        used = plain if len(plain) else whole[whole["baseline_kind"] == UNSTATED]
        basis = PLAIN if len(plain) else UNSTATED if len(used) else None
        first = d.iloc[0]
        rows.append(
            {
                "paper_id": pid,
                "title": first["title"],
                "family": first["family"],
                "decodes": first["decodes"],
                "claims": len(d),
                "used": len(used),
                "basis": basis,
                "factor": float(used["factor"].median()) if len(used) else float("nan"),
                "min": float(used["factor"].min()) if len(used) else float("nan"),
                "max": float(used["factor"].max()) if len(used) else float("nan"),
                "headline": bool(d["headline"].any()),
            }
        )
    cols = ["paper_id", "title", "family", "decodes", "claims", "used", "basis", "factor"]
    return pd.DataFrame(rows, columns=[*cols, "min", "max", "headline"])


def _group_order(index: pd.MultiIndex) -> list[tuple[str, str]]:
    """(family, decodes) pairs in `FAMILY_ORDER`, autoregressive text first, then `DECODES`."""
    kinds = [AUTOREGRESSIVE_TEXT] + [k for k, _ in DECODES] + [""]
    return sorted(index, key=lambda fk: (FAMILY_ORDER.index(fk[0]), kinds.index(fk[1])))


def family_summary(claims: pd.DataFrame) -> pd.DataFrame:
    """Per family and what it decodes (`OTHER`'s decodes ""), over the papers with a value
    (`paper_speedups`): papers, claims behind them, how many papers state plain decoding as
    their baseline, and the spread of the per-paper values (min, quartiles, median, max).
    A family is split by what it decodes, never pooled across kinds; a paper counts once.
    Factors are compared on a ratio scale, so the median and quartiles, not the mean."""
    p = paper_speedups(claims).dropna(subset=["factor"])
    p = p.assign(decodes=p["decodes"].fillna(""))
    g = p.groupby(["family", "decodes"])
    out = pd.DataFrame(
        {
            "papers": g.size(),
            "claims": g["used"].sum(),
            "plain": g["basis"].apply(lambda b: int((b == PLAIN).sum())),
            "min": g["factor"].min(),
            "q1": g["factor"].quantile(0.25),
            "median": g["factor"].median(),
            "q3": g["factor"].quantile(0.75),
            "max": g["factor"].max(),
        }
    )
    if out.empty:
        return out
    return out.reindex(pd.MultiIndex.from_tuples(_group_order(out.index), names=out.index.names))


#: Room past the largest value of the decoding and serving papers before the axis ends.
AXIS_ROOM = 1.25


def value_axis(papers: pd.DataFrame) -> tuple[float, float]:
    """The factor axis of the speed-up figure, from `paper_speedups` rows: from 1 (or below the
    smallest value) to `AXIS_ROOM` past the largest value of the decoding and serving papers,
    rounded up to one significant digit, so that a far claim of another family does not squeeze
    them (it is drawn at the edge)."""
    values = papers["factor"].dropna()
    fam = papers.loc[papers["family"].isin(HEADLINE_FAMILIES), "factor"].dropna()
    top = float((fam if len(fam) else values).max()) if len(values) else 10.0
    x = top * AXIS_ROOM
    step = 10.0 ** math.floor(math.log10(x))
    hi = math.ceil(round(x / step, 9)) * step
    lo = min(1.0, float(values.min()) / AXIS_ROOM) if len(values) else 1.0
    return lo, hi


def headline_summary(claims: pd.DataFrame) -> pd.Series:
    """The headline and what it leaves out. `papers`, `claims` and the spread (`min`, `q1`,
    `median`, `q3`, `max`) of the headline papers' values; then, among the decoding and serving
    claims on autoregressive text, how many claims were left out as one operation
    (`operation`), against another accelerated method (`fast`), against another model
    (`other_model`) or with no baseline (`unstated`), and the papers with no claim against
    plain decoding (`papers_out`); the claims and papers of those families that decode
    something else (`other_output_claims`, `other_output_papers`); and how many headline
    claims say "up to" (`up_to`)."""
    p = paper_speedups(claims)
    head = p[p["headline"]]["factor"]
    fam = claims[claims["left_out"] != LEFT_OUT[0]]
    text = fam[fam["left_out"] != LEFT_OUT[1]]
    elsewhere = fam[fam["left_out"] == LEFT_OUT[1]]
    q = head.quantile([0, 0.25, 0.5, 0.75, 1]) if len(head) else pd.Series([float("nan")] * 5)
    return pd.Series(
        {
            "papers": len(head),
            "claims": int(claims["headline"].sum()),
            "min": float(q.iloc[0]),
            "q1": float(q.iloc[1]),
            "median": float(q.iloc[2]),
            "q3": float(q.iloc[3]),
            "max": float(q.iloc[4]),
            "operation": int((text["left_out"] == OPERATION).sum()),
            "fast": int((text["left_out"] == FAST).sum()),
            "other_model": int((text["left_out"] == OTHER_MODEL).sum()),
            "unstated": int((text["left_out"] == UNSTATED).sum()),
            "papers_out": int(text["paper_id"].nunique() - len(head)),
            "other_output_claims": len(elsewhere),
            "other_output_papers": int(elsewhere["paper_id"].nunique()),
            "up_to": int(claims.loc[claims["headline"], "up_to"].sum()),
        },
        dtype=object,
    )
