"""What a listing's rank says, and what its over-represented themes are: the entries that hold
their dump's marking word (`analysis.analyses.listings`) against where they sit in the listing,
ranks by theme, the dumps that share a date, and each dump's most over-represented theme.
Units are entries, as in `listings`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..config import OUTLIER_NAME
from .explore import dump_label, dump_overlap_matrix, dump_theme_lift
from .listings import holding

__all__ = [
    "FOCUS_MARGIN",
    "KruskalTest",
    "focus_words",
    "holds_own_word",
    "listing_tops",
    "rank_and_word",
    "rank_by_theme",
    "rank_theme_test",
    "rank_word_link",
    "relative_rank",
    "same_date_pairs",
]


def relative_rank(entries: pd.DataFrame) -> pd.Series:
    """Each entry's place in its listing from 0 (first) to 1 (last): rank / (entries - 1), so
    that listings of different lengths compare."""
    last = entries.groupby("dump")["rank"].transform("max")
    return (entries["rank"] / last.where(last > 0, 1)).rename("relative_rank")


def listing_tops(entries: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The first `n` entries of every listing: dump, label, position (1 = first), title."""
    e = entries.sort_values(["dump", "rank"], kind="stable").groupby("dump").head(n)
    dates = e["page_date"] if "page_date" in e else pd.Series(None, index=e.index)
    return pd.DataFrame(
        {
            "dump": e["dump"],
            "label": [dump_label(d, p) for d, p in zip(e["dump"], dates, strict=True)],
            "position": e["rank"] + 1,
            "title": e["title"],
        }
    ).reset_index(drop=True)


def holds_own_word(entries: pd.DataFrame, verdict: pd.DataFrame) -> pd.Series:
    """Whether each entry holds its own dump's top marking word (`search_verdict`'s word);
    False for entries of a dump the verdict does not name."""
    out = pd.Series(False, index=entries.index, name="holds_own_word")
    for dump, word in zip(verdict["dump"], verdict["word"], strict=True):
        in_dump = entries["dump"] == dump
        out[in_dump] = holding(entries[in_dump], word)
    return out


def rank_and_word(entries: pd.DataFrame, verdict: pd.DataFrame) -> pd.DataFrame:
    """Do the entries holding their dump's top word come first, as a search ranked by
    relevance would put them? Per dump: the share holding it in the top and bottom halves of
    the listing, the median relative rank of holders and of the others, and the two-sided
    Mann-Whitney p of those ranks (NaN when everyone or no one holds it)."""
    rel = relative_rank(entries)
    held = holds_own_word(entries, verdict)
    rows = []
    for v in verdict.itertuples():
        in_dump = entries["dump"] == v.dump
        h, r = held[in_dump], rel[in_dump]
        top_half = r <= 0.5
        yes, no = r[h], r[~h]
        p = stats.mannwhitneyu(yes, no).pvalue if len(yes) and len(no) else np.nan
        rows.append(
            {
                "dump": v.dump,
                "label": v.label,
                "word": v.word,
                "entries": int(in_dump.sum()),
                "share_top_half": h[top_half].mean(),
                "share_bottom_half": h[~top_half].mean(),
                "median_rank_holding": yes.median(),
                "median_rank_other": no.median(),
                "p_value": p,
            }
        )
    return pd.DataFrame(rows)


def _ranked_themes(
    entries: pd.DataFrame,
    papers: pd.DataFrame,
    level: str,
    min_entries: int,
    verdict: pd.DataFrame | None = None,
) -> pd.DataFrame:
    e = entries[["paper_id", "dump", "rank"]].assign(relative_rank=relative_rank(entries))
    if verdict is not None:
        e["holds_own_word"] = holds_own_word(entries, verdict)
    e = e.merge(papers[["paper_id", level]], on="paper_id", how="left")
    e = e[e[level].notna() & (e[level] != OUTLIER_NAME)]
    size = e.groupby(level)[level].transform("size")
    return e[size >= min_entries]


def rank_by_theme(
    entries: pd.DataFrame,
    papers: pd.DataFrame,
    verdict: pd.DataFrame | None = None,
    level: str = "theme_name",
    min_entries: int = 5,
) -> pd.DataFrame:
    """Where each theme's entries sit in their listings: entries, median relative rank (0 =
    first, 1 = last), the share in the top half and, given `search_verdict`, the share holding
    their own dump's top word. Themes with fewer than `min_entries` entries and the outliers
    are left out; rows by median rank, ties by name."""
    e = _ranked_themes(entries, papers, level, min_entries, verdict)
    g = e.groupby(level)
    out = pd.DataFrame(
        {
            "entries": g.size(),
            "median_rank": g["relative_rank"].median(),
            "share_top_half": g["relative_rank"].apply(lambda r: float((r <= 0.5).mean())),
        }
    )
    if verdict is not None:
        out["share_holding"] = g["holds_own_word"].mean()
    out.index.name = level
    return out.reset_index().sort_values(["median_rank", level]).reset_index(drop=True)


def rank_word_link(by_theme: pd.DataFrame) -> tuple[float, float]:
    """Spearman rho (and p) across themes between median rank and the share holding their
    dump's word (`rank_by_theme` with a verdict): negative when the themes that hold the word
    more sit higher, i.e. when the word explains where themes sit."""
    res = stats.spearmanr(by_theme["median_rank"], by_theme["share_holding"])
    return float(res.statistic), float(res.pvalue)


@dataclass(frozen=True)
class KruskalTest:
    """Kruskal-Wallis test of relative rank by theme: H, its p-value, themes and entries."""

    statistic: float
    p_value: float
    groups: int
    entries: int


def rank_theme_test(
    entries: pd.DataFrame, papers: pd.DataFrame, level: str = "theme_name", min_entries: int = 5
) -> KruskalTest:
    """Does a theme's place in the listings differ from theme to theme more than chance?
    Kruskal-Wallis on relative rank over the themes `rank_by_theme` keeps. Entries of one paper
    in several dumps count as several, so the p-value is approximate."""
    e = _ranked_themes(entries, papers, level, min_entries)
    groups = [g.to_numpy() for _, g in e.groupby(level)["relative_rank"]]
    if len(groups) < 2:
        raise ValueError(f"need two or more themes with {min_entries}+ entries")
    res = stats.kruskal(*groups)
    return KruskalTest(float(res.statistic), float(res.pvalue), len(groups), len(e))


def same_date_pairs(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Pairs of dumps that carry the same page date, and how many papers they share: two
    copies of one day's list would share nearly all."""
    m = dump_overlap_matrix(occurrences)
    dates = occurrences.groupby("dump")["page_date"].first().sort_index()
    rows = []
    dumps = list(dates.index)
    for i, a in enumerate(dumps):
        for b in dumps[i + 1 :]:
            if dates[a] != dates[b]:
                continue
            la, lb = dump_label(a, dates[a]), dump_label(b, dates[b])
            rows.append(
                {
                    "page_date": dates[a],
                    "dump_a": a,
                    "dump_b": b,
                    "label_a": la,
                    "label_b": lb,
                    "papers_a": int(m.loc[la, la]),
                    "papers_b": int(m.loc[lb, lb]),
                    "shared": int(m.loc[la, lb]),
                }
            )
    cols = ["page_date", "dump_a", "dump_b", "label_a", "label_b", "papers_a", "papers_b", "shared"]
    return pd.DataFrame(rows, columns=cols)


def focus_words(
    entries: pd.DataFrame,
    papers: pd.DataFrame,
    marks: pd.DataFrame,
    words: int = 5,
    level: str = "theme_name",
    min_count: int = 3,
) -> pd.DataFrame:
    """A listing's "focus" re-read: per dump, the theme it over-represents most
    (`dump_theme_lift`, outliers left out) and, of the dump's top `words` marking words, the
    one that theme's entries in the dump hold most: ``share_holding`` of them, against
    ``share_in_dump`` of all the dump's entries."""
    occ = entries[["paper_id", "dump"]]
    lift = dump_theme_lift(papers, occ, level, min_count)
    lift = lift[lift[level] != OUTLIER_NAME]
    themes = entries[["paper_id"]].merge(papers[["paper_id", level]], on="paper_id", how="left")
    theme_of = pd.Series(themes[level].to_numpy(), index=entries.index)
    rows = []
    for dump, g in lift.groupby("dump", sort=True):
        best = g.iloc[0]
        in_dump = entries["dump"] == dump
        sel = in_dump & (theme_of == best[level])
        cands = marks.loc[marks["dump"] == dump, ["label", "word"]].head(words)
        shares = [(holding(entries[sel], w).mean(), w) for w in cands["word"]]
        share, word = min(shares, key=lambda s: (-s[0], s[1]))  # ties: alphabetical
        rows.append(
            {
                "dump": dump,
                "label": cands["label"].iloc[0],
                "theme": best[level],
                "entries": int(best["entries"]),
                "lift": float(best["lift"]),
                "word": word,
                "share_holding": float(share),
                "share_in_dump": float(holding(entries[in_dump], word).mean()),
            }
        )
    return pd.DataFrame(rows)


#: How much more often (share of entries) a dump's most over-represented theme must hold a
#: marking word than the whole dump does for the word to explain that theme's place there.
FOCUS_MARGIN = 0.2
