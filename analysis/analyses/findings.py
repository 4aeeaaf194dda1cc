"""Headline findings worded from the data, shared by the notebooks' "What we found" cells and the
README's generated blocks (`analysis.readme`), so the two can never tell different stories.

Every function takes the run's tables and returns sentences (`found` makes them a section);
numbers are formatted from the data and plurals and comparisons are chosen by them. The wording
helpers of `analysis.wording` are re-exported here for the notebooks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..narrative.wording import counted, found, joined, pct, pct_span, value_span
from .listing_rank import FOCUS_MARGIN
from .listings import describe_verdict

__all__ = [
    "COMPRESSION_WORDS",
    "MISSIONS",
    "LayoutTables",
    "compared",
    "corpus_facts",
    "corpus_findings",
    "counted",
    "found",
    "joined",
    "layout_tables",
    "layouts_and_compression_findings",
    "listings_findings",
    "marking_summary",
    "pct",
    "pct_span",
    "themes_findings",
    "themes_summary",
    "themes_table",
    "trust_findings",
]


def corpus_facts(papers: pd.DataFrame, entries: pd.DataFrame) -> list[str]:
    """The corpus in a few sentences: entries per dump, unique papers, repeats, lengths, code."""
    per_dump = entries.groupby("dump").size()
    n_dumps = len(per_dump)
    in_all = papers.loc[papers["n_dumps"] == n_dumps, "title"].sort_values().tolist()
    multi = int((papers["n_dumps"] > 1).sum())
    linked = int(papers["has_code"].sum())
    promised = int((papers["code_promised"] & ~papers["has_code"]).sum())
    if in_all and len(in_all) <= 2:
        short = [t.split(":")[0] for t in in_all]
        every = f", {['one', 'two'][len(in_all) - 1]} ({joined(short)}) in all {n_dumps}"
    else:
        every = f", {len(in_all)} in all {n_dumps}"
    return [
        f"{len(entries)} entries in {n_dumps} dumps "
        f"({joined([str(n) for n in per_dump])} entries), **{len(papers)} unique papers**",
        f"{counted(multi, 'paper')} appear in more than one dump{every}",
        f"abstracts have a median of {int(papers['n_words'].median())} words; "
        f"{linked} link a code repository and {promised} more promise code without a link",
    ]


def themes_summary(papers: pd.DataFrame, themes: pd.DataFrame, broad: pd.DataFrame) -> str:
    """One paragraph: how many themes and outliers, and which names fit their members poorly."""
    n_out = int((papers["theme_id"] < 0).sum())
    weak = themes[~themes["name_fits"].astype(bool)]
    least = themes.loc[themes["stability"].idxmin()]
    text = (
        f"The {len(papers)} papers fall into **{len(themes)} fine themes** grouped into "
        f"**{len(broad)} broad themes**; {counted(n_out, 'paper')} "
        f"({n_out / len(papers):.1%}) are outliers, each still placed by its nearest theme. "
    )
    if len(weak):
        text += (
            f"{counted(len(weak), 'name')} cover under half of their members and "
            f"{'is' if len(weak) == 1 else 'are'} flagged in `themes.csv` (`name_fits`): "
            f"{joined(weak['theme_name'].tolist())}. "
        )
    else:
        text += "Every theme's name describes at least half of its members. "
    text += f"The least stable theme is {least['theme_name']} (stability {least['stability']:.2f})."
    return text


def themes_table(themes: pd.DataFrame) -> str:
    """The themes as a Markdown table: id, name, broad theme, size, stability, name fit."""
    rows = [
        "| id | theme | broad theme | papers | stability | name coverage | name precision |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for t in themes.itertuples():
        cov = f"{t.name_coverage:.2f}" + ("" if t.name_fits else " (under half)")
        rows.append(
            f"| {t.theme_id} | {t.theme_name} | {t.broad_theme_name} | {t.size} | "
            f"{t.stability:.2f} | {cov} | {t.name_precision:.2f} |"
        )
    return "\n".join(rows)


def corpus_findings(papers: pd.DataFrame, entries: pd.DataFrame, window: int) -> list[str]:
    """Notebook 01's findings: the corpus, its repeats, its lengths against the model's window,
    and code."""
    facts = corpus_facts(papers, entries)
    multi = int((papers["n_windows"] > 1).sum())
    linked = int(papers["has_code"].sum())
    promised = int((papers["code_promised"] & ~papers["has_code"]).sum())
    return [
        f"{facts[0]}.",
        facts[1][0].upper()
        + facts[1][1:]
        + (
            ": most papers are listed once."
            if (papers["n_dumps"] == 1).mean() > 0.5
            else ": most papers are listed more than once."
        ),
        f"Abstracts are long (median {int(papers['n_words'].median())} words): "
        f"{'all' if multi == len(papers) else f'{multi} of the'} {len(papers)} titles + "
        f"abstracts need more than one {window}-token "
        "window, so each is embedded in sentence windows rather than cut at the model's "
        "limit.",
        f"{linked} abstracts ({linked / len(papers):.0%}) link a code repository and "
        f"{promised} more promise code without a link.",
    ]


def trust_findings(
    sweep: pd.DataFrame,
    peer: dict,
    papers: pd.DataFrame,
    mini: pd.DataFrame,
    truncation: pd.DataFrame,
) -> list[str]:
    """Notebook 06's findings: stability of the consensus against single fits and BERTopic,
    the outliers and their mini-topics, and what truncation would have done."""
    default = sweep[sweep["is_default"]].iloc[0]
    o, d, t = peer["ours"], peer["defaults"], peer["tuned"]
    n_out = int((papers["theme_id"] < 0).sum())
    moved = int((truncation["nearest_theme_full"] != truncation["nearest_theme_truncated"]).sum())
    dropped = truncation["tokens_dropped"].sum() / truncation["n_tokens"].sum()
    peer_best = max(d["stability_ari"], t["stability_ari"])
    sentences = [
        f"The themes hold across seeds: {len(o['topics'])} runs from disjoint seed sets agree at "
        f"ARI {o['stability_ari']:.2f} ({value_span(o['topics'], 'd')} themes"
        f"{' each' if min(o['topics']) == max(o['topics']) else ''}), where "
        f"single UMAP + HDBSCAN fits of the same setting agree at "
        f"{default['stability_ari']:.2f}.",
        f"BERTopic on the same texts agrees "
        f"{'less' if peer_best < o['stability_ari'] else 'as much or more'} "
        f"across seeds: {d['stability_ari']:.2f} with its defaults, {t['stability_ari']:.2f} "
        "tuned.",
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
    return sentences


#: Three topics of interest here, and how a theme's name says it holds one.
MISSIONS = {
    "decoding speedups": r"decoding",
    "encoder-decoder models": r"encoder[- ]decoder",
    "compression": r"compression",
}


def _sized(rows: pd.DataFrame) -> str:
    """ "**A** (61 papers), **B** (34 papers) and **C** (26 papers)"."""
    return joined([f"**{r.theme_name}** ({counted(r.size, 'paper')})" for r in rows.itertuples()])


def compared(a: pd.Series, b: pd.Series) -> str:
    """How theme a's size compares with theme b's, the verb chosen by the numbers."""
    if a["size"] == b["size"]:
        how = "is as large as"
    elif a["size"] >= 2 * b["size"]:
        how = f"is {a['size'] / b['size']:.1f} times the size of"
    elif a["size"] > b["size"]:
        how = "is larger than"
    elif 2 * a["size"] <= b["size"]:
        how = "is under half the size of"
    else:
        how = "is smaller than"
    return f"{a['theme_name']} {how} {b['theme_name']}"


def _spread(papers: pd.DataFrame, what: str, pattern: str) -> str:
    """For a topic no theme is named for: how its papers (abstracts that say it) spread."""
    says = papers[papers["abstract"].str.contains(pattern, case=False, regex=True)]
    held = says[says["theme_id"] >= 0]["theme_name"].value_counts()
    term = re.sub(r"\[(.)[^\]]*\]", r"\1", pattern)  # r"encoder[- ]decoder": "encoder-decoder"
    if held.empty:
        return f'{what} in no theme of that name, and no theme holds an abstract saying "{term}"'
    top = held.index[0]
    return (
        f"{what} in no theme of that name: the {counted(len(says), 'abstract')} that say "
        f'"{term}" are spread over {counted(len(held), "theme")}, at most '
        f"{counted(int(held.iloc[0]), 'paper')} ({pct(held.iloc[0] / len(says))}) in **{top}**"
    )


def themes_findings(papers: pd.DataFrame, themes: pd.DataFrame) -> list[str]:
    """Notebook 02's findings: how many themes and outliers, the largest themes, and where the
    mission's topics sit."""
    n_out = int((papers["theme_id"] < 0).sum())
    by_size = themes.sort_values(["size", "theme_id"], ascending=[False, True])
    where = {
        what: themes[themes["theme_name"].str.contains(pattern, case=False, regex=True)]
        for what, pattern in MISSIONS.items()
    }
    parts = [
        _spread(papers, what, MISSIONS[what])
        if rows.empty
        else f"{what} in {_sized(rows)}"
        if len(rows) == 1
        else f"{what} in {len(rows)} themes, {_sized(rows)}"
        for what, rows in where.items()
    ]
    sentences = [
        f"The {len(papers)} papers form **{counted(len(themes), 'fine theme')}** in "
        f"{counted(themes['broad_theme_name'].nunique(), 'broad theme')}; "
        f"{counted(n_out, 'paper')} ({n_out / len(papers):.1%}) "
        f"{'is an outlier' if n_out == 1 else 'are outliers'} that no theme claims.",
        f"The largest themes are {_sized(by_size.head(3))}.",
        "Where three topics of interest sit: " + "; ".join(parts) + ".",
    ]
    first, second = where["decoding speedups"], where["encoder-decoder models"]
    if len(first) == 1 and len(second) == 1:
        sentences.append(compared(first.iloc[0], second.iloc[0]) + ".")
    return sentences


def _outnumber(a: int, b: int) -> str:
    """The verb that sets count a against count b."""
    return "outnumber" if a > b else "are outnumbered by" if a < b else "match"


#: Words of compression in a text, whether or not the paper compresses anything.
COMPRESSION_WORDS = (
    r"compress|quantiz|codec|prun(?:e|ed|ing)|distill|low-rank|neural representation|bit-?rate"
)


@dataclass
class LayoutTables:
    """What notebook 04's findings and tables share: papers that name two or more layouts,
    papers per compression kind (overall and by theme), and whose text uses a word of
    compression."""

    versus: pd.DataFrame
    kinds: pd.Series
    by_kind: pd.DataFrame
    worded: pd.Series

    @property
    def both_text(self) -> str:
        n = int(self.kinds["both"])
        return "none does both" if n == 0 else f"{counted(n, 'paper')} do both"


def layout_tables(papers: pd.DataFrame, arch: pd.DataFrame, comp: pd.DataFrame) -> LayoutTables:
    """`LayoutTables` from `explore.architecture_mentions` and `explore.compression_kind`."""
    from ..text import paper_texts

    return LayoutTables(
        versus=arch[arch["explicit"].map(len) >= 2],
        kinds=comp["kind"].value_counts().reindex(["model", "data", "both", "none"], fill_value=0),
        by_kind=pd.crosstab(comp["theme_name"], comp["kind"]),
        worded=pd.Series(paper_texts(papers), index=papers.index).str.contains(
            COMPRESSION_WORDS, flags=re.IGNORECASE, regex=True
        ),
    )


def layouts_and_compression_findings(
    papers: pd.DataFrame, arch: pd.DataFrame, comp: pd.DataFrame, layouts: list[str]
) -> list[str]:
    """Notebook 04's findings: how often each Transformer layout is mentioned, and how the
    corpus' compression work splits between models and data (`explore.architecture_mentions`,
    `explore.compression_kind`)."""
    counts = arch[layouts].sum()
    tables = layout_tables(papers, arch, comp)
    versus, kinds, by_kind = tables.versus, tables.kinds, tables.by_kind

    def lead(kind: str) -> str:
        col = by_kind[kind] + by_kind.get("both", 0)
        top, n, total = col.idxmax(), int(col.max()), int(col.sum())
        where = "concentrated in" if n / total >= 0.5 else "led by"
        return f"{where} **{top}** ({n} of {total})"

    misleading = int((tables.worded & (comp["kind"] == "none")).sum())
    n_do, n_ed = int(counts["decoder-only"]), int(counts["encoder-decoder"])
    both = tables.both_text
    return [
        f"Of the {len(papers)} papers, {n_do} mention decoder-only models and {n_ed} "
        "encoder-decoder ones (an encoder reads the whole input, a decoder writes the output "
        "token by token; decoder-only models drop the encoder): decoder-only mentions "
        f"{_outnumber(n_do, n_ed)} encoder-decoder ones, and {int(counts['encoder-only'])} "
        f"papers mention encoder-only models. Only {counted(len(versus), 'paper')} name two "
        "or more layouts outright.",
        f"**{counted(int(kinds['model']), 'paper')}** compress models (make a trained model "
        "smaller: quantization to fewer bits, pruning, distillation into a smaller model, or "
        "compressing the KV cache, the attention keys and values a model keeps while "
        f"generating) and **{kinds['data']}** compress data (codecs and compressed "
        f"representations of images, video, audio or text, judged by bitrate); {both}.",
        f"Data compression is {lead('data')}; model compression is {lead('model')}.",
        f"{counted(misleading, 'paper')} use a word of compression (quantized, codec, "
        "pruning, neural representation) but compress neither, and count as neither; the "
        "tables below list them.",
    ]


def marking_summary(verdict: pd.DataFrame) -> str:
    """Each dump's top marking word, the share of its entries holding it and the share
    elsewhere (`listings.search_verdict` rows)."""
    return "; ".join(
        f'"{r.word}" in {pct(r.share)} of {r.label} ({pct(r.share_elsewhere)} elsewhere)'
        for r in verdict.itertuples()
    )


def listings_findings(
    verdict: pd.DataFrame,
    pairs: pd.DataFrame,
    ranks: pd.DataFrame,
    kruskal: Any,
    rho_p: float,
    focus: pd.DataFrame,
) -> list[str]:
    """Notebook 05's findings, worded from its tables: what marks each dump, the verdict on
    what the dumps are, the same-date pair, what rank says, and the focus re-read."""
    each = marking_summary(verdict)
    found = [
        "Each dump's top marking word and the share of its entries whose title or abstract holds "
        f"it, against the share in the other dumps: {each}.",
        describe_verdict(verdict),
    ]
    for p in pairs.itertuples():
        few = p.shared < min(p.papers_a, p.papers_b) / 2
        found.append(
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
    themes_differ = kruskal.p_value < 0.05
    theme_clause = (
        f"themes also sit at different heights (Kruskal-Wallis p = {kruskal.p_value:.1g}), "
        + (
            "which goes with how often a theme holds the word"
            if rho_p < 0.05
            else f"with no clear link to how often a theme holds the word (p = {rho_p:.2f})"
        )
        if themes_differ
        else f"where a theme sits tells nothing (Kruskal-Wallis p = {kruskal.p_value:.2f})"
    )
    if len(first):
        where = (
            f"all {len(ranks)}" if len(first) == len(ranks) else f"{len(first)} of the {len(ranks)}"
        )
        found.append(
            f"In {where} listings the entries holding their dump's word sit nearer the top, "
            "as a search ranked by relevance would put them "
            f"({pct_span(first['share_top_half'])} of the top half hold it, "
            f"{pct_span(first['share_bottom_half'])} of the bottom half; Mann-Whitney "
            f"p ≤ {first['p_value'].max():.1g} in each); {theme_clause}."
        )
    else:
        found.append(
            "In no listing do the entries holding the dump's word sit nearer the top more than "
            f"chance allows; {theme_clause}."
        )
    explained = focus[focus["share_holding"] - focus["share_in_dump"] >= FOCUS_MARGIN]
    rest = focus.drop(index=explained.index)
    if len(explained):
        text = (
            f"A listing's most over-represented theme is explained by its marking words in "
            f"{len(explained)} of the {len(focus)} dumps, where that theme holds one of them far "
            "more often than the dump does ("
            + "; ".join(
                f'{r.label}: "{r.word}" in {pct(r.share_holding)} against {pct(r.share_in_dump)}'
                for r in explained.itertuples()
            )
            + ")"
        )
        if len(rest):
            text += (
                f"; in {joined(rest['label'].tolist())} the word is about as common in the whole "
                "dump and explains nothing"
            )
        found.append(text + ".")
    else:
        found.append(
            "In no dump does the most over-represented theme hold a marking word much more often "
            "than the dump as a whole: the words do not explain what each listing "
            "over-represents."
        )
    return found
