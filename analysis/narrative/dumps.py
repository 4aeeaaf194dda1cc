"""Notebook 05's sentences (and the README's "what the dumps are"): what marks each dump, the
verdict that they look like keyword searches, what the listing rank says, and each listing's
most over-represented theme re-read."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .wording import at_most, counted, joined, pct, pct_span

__all__ = [
    "classic_text",
    "findings",
    "focus_text",
    "marking_summary",
    "method_text",
    "overlap_text",
    "own_word_text",
    "rank_theme_text",
    "tops_text",
    "verdict_text",
]


def marking_summary(verdict: pd.DataFrame) -> str:
    """Each dump's top marking word, the share of its entries holding it and elsewhere."""
    return "; ".join(
        f'"{r.word}" in {pct(r.share)} of {r.label} ({pct(r.share_elsewhere)} elsewhere)'
        for r in verdict.itertuples()
    )


def verdict_text(verdict: pd.DataFrame, min_share: float) -> str:
    """What the dumps are, worded from `listings.search_verdict`: the keyword-search reading
    only when every dump passes; otherwise which do and which do not."""
    n = len(verdict)
    bar = (
        f"beats chance and is held by at least {min_share:.0%} of the dump's entries (a bar "
        "this analysis sets)"
    )
    like = verdict[verdict["search_like"]]
    words = [f'"{w}"' for w in like["word"]]
    if len(like) == n:
        minority = like[like["share"] < 0.5]
        caveat = (
            f"; in {joined(minority['label'].tolist())} the word is held by fewer than half the "
            f"entries ({joined([pct(x) for x in minority['share']])}), so the titles and "
            "abstracts alone do not show what selected the rest"
            if len(minority)
            else ""
        )
        return (
            f"In every one of the {n} dumps the top marking word {bar}: the dumps are "
            f"consistent with listings filtered by topic, e.g. keyword searches for "
            f"{joined(words)}, rather than one trending list{caveat}."
        )
    if like.empty:
        return (
            f"In none of the {n} dumps does the top marking word {bar}: the words do not single "
            "out keyword searches, and the dumps may as well be one listing on different days."
        )
    rest = verdict[~verdict["search_like"]]
    return (
        f"{len(like)} of the {n} dumps are consistent with keyword searches (for "
        f"{joined(words)}): their top marking word {bar}. In {joined(list(rest['label']))} it does "
        "not, so the data do not show that every dump is a search's results."
    )


def _theme_clause(kruskal: Any, rho_p: float) -> str:
    if kruskal.p_value >= 0.05:
        return f"where a theme sits tells nothing (Kruskal-Wallis p = {kruskal.p_value:.2f})"
    link = (
        "which goes with how often a theme holds the word"
        if rho_p < 0.05
        else f"with no clear link to how often a theme holds the word (p = {rho_p:.2f})"
    )
    bound = at_most(kruskal.p_value)
    return f"themes also sit at different heights (Kruskal-Wallis p ≤ {bound}), {link}"


def findings(
    verdict: pd.DataFrame,
    pairs: pd.DataFrame,
    ranks: pd.DataFrame,
    kruskal: Any,
    rho_p: float,
    focus: pd.DataFrame,
    min_share: float,
    focus_margin: float,
) -> list[str]:
    """What notebook 05 found, worded from its tables."""
    out = [
        "Each dump's top marking word and the share of its entries whose title or abstract "
        f"holds it, against the share in the other dumps: {marking_summary(verdict)}.",
        verdict_text(verdict, min_share),
    ]
    for p in pairs.itertuples():
        few = p.shared < min(p.papers_a, p.papers_b) / 2
        out.append(
            f"The two dumps dated {p.page_date} share {'only ' if few else ''}"
            f"{counted(p.shared, 'paper')} of their {p.papers_a} and {p.papers_b}, "
            + (
                "so they are not one day's list seen twice."
                if few
                else "much as one list seen twice would."
            )
        )
    first = ranks[
        (ranks["share_top_half"] > ranks["share_bottom_half"]) & (ranks["p_value"] < 0.05)
    ]
    clause = _theme_clause(kruskal, rho_p)
    if len(first):
        where = (
            f"all {len(ranks)}" if len(first) == len(ranks) else f"{len(first)} of the {len(ranks)}"
        )
        out.append(
            f"In {where} listings the entries holding their dump's word sit nearer the top, "
            "as a search ranked by relevance would put them "
            f"({pct_span(first['share_top_half'])} of the top half hold it, "
            f"{pct_span(first['share_bottom_half'])} of the bottom half; Mann-Whitney "
            f"p ≤ {at_most(first['p_value'].max())} in each); {clause}."
        )
    else:
        out.append(
            "In no listing do the entries holding the dump's word sit nearer the top more than "
            f"chance allows; {clause}."
        )
    out.append(focus_text(focus, focus_margin, short=True))
    return out


def focus_text(focus: pd.DataFrame, margin: float, short: bool = False) -> str:
    """Whether each listing's most over-represented theme co-occurs with its marking words:
    the theme's entries hold the word at least `margin` more often than the whole dump's."""
    explained = focus[focus["share_holding"] - focus["share_in_dump"] >= margin]
    rest = focus.drop(index=explained.index)
    if explained.empty:
        return (
            "In no dump does the most over-represented theme hold a marking word much more often "
            "than the dump as a whole: the words do not go with what each listing "
            "over-represents."
        )
    text = (
        f"A listing's most over-represented theme co-occurs with its marking words in "
        f"{len(explained)} of the {len(focus)} dumps, where that theme holds one of them at "
        f"least {100 * margin:.0f} percentage points more often than the dump does ("
        + "; ".join(
            f'{r.label}: "{r.word}" in {pct(r.share_holding)} against {pct(r.share_in_dump)}'
            for r in explained.itertuples()
        )
        + ")"
    )
    if len(rest):
        text += (
            f"; in {joined(rest['label'].tolist())} the word is about as common in the whole "
            "dump and tells nothing"
        )
    if short:
        return text + "."
    top = "; ".join(
        f"{r.label}: **{r.theme}** ({counted(r.entries, 'entry', 'entries')}, {r.lift:.1f}x)"
        for r in focus.itertuples()
    )
    return f"Each listing's most over-represented theme: {top}. {text}."


def method_text(prior_entries: float, shuffles: int, quantile: float, min_share: float) -> str:
    return f"""## How this was measured

**Words.** A word is a lower-case token of the project's keyword pattern, English and corpus
boilerplate stop words removed; each part of a hyphenated word counts too ("cross-attention"
holds "cross"), and a word's forms count as one ("decoder", "decoders", "decoding", "decode").
An entry holds a word when its title or abstract does; a paper listed in several dumps counts in
each, as each listing showed it.

**Log-odds ratio.** The odds of a word in a dump are its entries holding it against those not
holding it (30 of 90 entries: 30 to 60). The log-odds ratio is the logarithm of the dump's odds
divided by the other dumps' odds: 0 when the word is as common in both, positive when the dump
holds it more.

**Informative prior** (Monroe, Colaresi & Quinn 2008, "Fightin' Words"). Before counting, each
side gets {prior_entries:g} imaginary entries that hold the word at its share in all
dumps pooled. A word one side never holds still gets a finite ratio, and every ratio is pulled
a little towards "no difference".

**z-score.** The log-odds ratio divided by its standard error: how many times the difference
exceeds the wobble expected from that many entries. A word in a handful of entries gets a small
z even when its ratio is large.

**Chance.** Thousands of words are tried, so some z is high by luck alone. The entries were dealt
at random to dumps of the same sizes {shuffles} times; a word *beats chance* when its z is above
the {quantile:.0%} point of the top z a random dump of that size reached.

**Verdict.** A dump looks like the results of a keyword search when its top word beats chance
and is held by at least {min_share:.0%} of its entries: a search returns papers that hold its
word, a trending list has no reason to.

**Relative rank.** An entry's place in its listing from 0 (first) to 1 (last), so that listings
of different lengths compare."""


def own_word_text(verdict: pd.DataFrame, own: pd.DataFrame, min_share: float) -> str:
    """Whether each dump's top word is most common in its own dump (`own`: word x dump
    shares, `listings.word_shares`)."""
    pairs = zip(verdict["dump"], verdict["word"], strict=True)
    highest = [own.loc[w].idxmax() == d for d, w in pairs]
    if not all(highest):
        return (
            f"{sum(highest)} of the {len(verdict)} dumps' top words are more common in their own "
            "dump than in any other; the others are as common or more so elsewhere."
        )
    text = (
        "Every dump's top word is more common in that dump than in any other: the darkest "
        "cell of its row is in its own dump's column."
    )
    for r in verdict[verdict["share_elsewhere"] >= min_share].itertuples():
        text += (
            f' "{r.word}" ({r.label}) is common elsewhere too: {pct(r.share_elsewhere)} of the '
            "other dumps' entries hold it, so it marks its dump by degree, not by presence."
        )
    return text


def classic_text(
    verdict: pd.DataFrame,
    coding: pd.DataFrame,
    classic: pd.Series | None,
    holds: bool,
    n: int,
    label: str,
    min_share: float,
) -> str:
    """The verdict, the encoder/decoder words that run through every dump, and a classic's
    place (`classic`: its entry, or None when the corpus has none)."""
    lines = [
        verdict_text(verdict, min_share),
        "Whatever the searches were, encoder and decoder words run through all of them: a form "
        f'of "decoder" is in {pct_span(coding.loc["decoder"])} of each dump\'s entries, of '
        f'"encoder" in {pct_span(coding.loc["encoder"])} (no reference listing is at hand to '
        "say whether that is more than usual).",
    ]
    if classic is not None:
        word = verdict.set_index("dump").loc[classic["dump"], "word"]
        where = f"position {classic['rank'] + 1} of {n} in {label}"
        lines.append(
            f"Classics such as *{classic['title']}* ({where}) "
            + (
                f'fit the same reading: its abstract holds "{word}", the word of its dump.'
                if holds
                else f'do not fit it: its abstract does not hold "{word}", the word of its dump.'
            )
        )
    return "\n\n".join(lines)


def overlap_text(papers: pd.DataFrame, pairs: pd.DataFrame, n_dumps: int) -> str:
    single = int((papers["n_dumps"] == 1).sum())
    text = [
        f"{single} of the {len(papers)} papers are in one dump only; "
        f"{counted(int((papers['n_dumps'] == n_dumps).sum()), 'paper')} in all {n_dumps}."
    ]
    for p in pairs.itertuples():
        text.append(
            f"{p.label_a} and {p.label_b} carry the same date but share "
            f"{counted(p.shared, 'paper')} of {p.papers_a} and {p.papers_b} "
            f"({pct(p.shared / min(p.papers_a, p.papers_b))} of the smaller)."
        )
    return " ".join(text)


def tops_text(tops: pd.DataFrame) -> str:
    k = int(tops["holds_word"].sum())
    if k == len(tops):
        lead = f"All {len(tops)} of these first entries hold their dump's top word."
    elif k == 0:
        lead = f"None of these {len(tops)} first entries holds its dump's top word."
    else:
        lead = f"{k} of these {len(tops)} first entries hold their dump's top word."
    return lead + " Whether holders sit nearer the top through the whole listing:"


def rank_theme_text(by_theme: pd.DataFrame, kruskal: Any, rho: float, rho_p: float) -> str:
    hi, lo = by_theme.iloc[0], by_theme.iloc[-1]
    if kruskal.p_value < 0.05:
        theme_text = (
            f"Themes sit at different heights (Kruskal-Wallis H = {kruskal.statistic:.1f} over "
            f"{kruskal.groups} themes and {kruskal.entries} entries, p ≤ "
            f"{at_most(kruskal.p_value)}): {hi['theme_name']} highest (median "
            f"{hi['median_rank']:.2f} of the way down), {lo['theme_name']} lowest "
            f"({lo['median_rank']:.2f})."
        )
    else:
        theme_text = (
            f"Rank tells nothing about theme (Kruskal-Wallis H = {kruskal.statistic:.1f}, "
            f"p = {kruskal.p_value:.2f}): every theme sits, by the median, near the middle."
        )
    if rho_p < 0.05:
        link = "higher" if rho < 0 else "lower"
        word_text = (
            f"Themes whose entries hold their dump's word more sit {link} (Spearman rho = "
            f"{rho:.2f} across themes, p ≤ {at_most(rho_p)})."
        )
    else:
        word_text = (
            "There is no clear link between how often a theme's entries hold their dump's word "
            f"and where the theme sits (Spearman rho = {rho:.2f} across {len(by_theme)} themes, "
            f"p = {rho_p:.2f}): with this few themes, a link of that size could be chance."
        )
    return theme_text + " " + word_text
