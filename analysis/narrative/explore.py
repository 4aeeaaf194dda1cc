"""Notebook 07's sentences: what a search finds, which papers are like one, where new papers
land, and how often `assign` gives the members their own theme back."""

from __future__ import annotations

import pandas as pd

from .wording import counted, joined, pct

__all__ = ["agreement_text", "findings", "placed_text"]


def _placed(placed: pd.DataFrame) -> str:
    landed = placed[placed["theme_id"] >= 0]
    left = placed[placed["theme_id"] < 0]
    return "; ".join(
        [f"*{r.title}* in **{r.theme_name}**" for r in landed.itertuples()]
        + [f"*{r.title}* in none (nearest {r.nearest_theme_name})" for r in left.itertuples()]
    )


def findings(
    query: str,
    hits: pd.DataFrame,
    like_title: str,
    like: pd.DataFrame,
    placed: pd.DataFrame,
    members: pd.DataFrame,
) -> list[str]:
    """What notebook 07 found (`members`: `ThemeIndex.placed_members()`)."""
    top = hits["theme_name"].value_counts()
    same = like["theme_name"].value_counts()
    tied = same[same == same.iloc[0]].index.tolist()
    landed = int((placed["theme_id"] >= 0).sum())
    return [
        f"Searching *{query}* returns "
        + (f"all {len(hits)}" if top.iloc[0] == len(hits) else f"{top.iloc[0]} of the {len(hits)}")
        + f" nearest papers from **{top.index[0]}**.",
        f"The {len(like)} papers most like *{like_title.split(':')[0]}* come from "
        f"{counted(len(same), 'theme')}, "
        + (
            f"{same.iloc[0]} each from " + joined([f"**{t}**" for t in tied])
            if len(tied) > 1
            else f"most ({same.iloc[0]}) from **{tied[0]}**"
        )
        + ".",
        f"{landed} of {len(placed)} new papers {'lands' if landed == 1 else 'land'} in a theme: "
        f"{_placed(placed)}.",
        agreement_text(members, short=True),
    ]


def agreement_text(members: pd.DataFrame, short: bool = False) -> str:
    """How often `assign` of a member's own title and abstract gives its fitted theme."""
    agree = members["agrees"]
    text = (
        f"`assign` on each member's own title and abstract gives back the theme the fit gave it "
        f"for {int(agree.sum())} of {len(members)} members ({pct(agree.mean())})"
    )
    if short:
        return text + "."
    off = members[~agree]
    where = off["theme_name"].value_counts()
    return (
        text
        + f"; the other {len(off)} sit nearer another theme's centre than their own"
        + (f", most of them in **{where.index[0]}** ({where.iloc[0]})" if len(off) else "")
        + ". They are the theme's members the centroid rule places elsewhere; each is listed "
        "below with the theme `assign` gives it."
    )


def placed_text(placed: pd.DataFrame) -> str:
    landed = placed[placed["theme_id"] >= 0]
    left = placed[placed["theme_id"] < 0]
    return (
        f"{len(landed)} of {len(placed)} new papers {'lands' if len(landed) == 1 else 'land'} "
        "in a theme: "
        + (
            "; ".join(
                f"*{r.title}* in **{r.theme_name}** ({r.confidence:.2f})"
                for r in landed.itertuples()
            )
            or "none"
        )
        + ". Unassigned, with the theme they are nearest to: "
        + (
            "; ".join(
                f"*{r.title}* (nearest {r.nearest_theme_name}, {r.confidence:.2f})"
                for r in left.itertuples()
            )
            or "none"
        )
        + ". `confidence` is the cosine to the theme's centroid; read `nearest_theme_name` and "
        "`margin` (the lead over the second-nearest theme) with it. A paper is placed when it "
        "is at least as close to its nearest theme as the least typical member is to its own."
    )
