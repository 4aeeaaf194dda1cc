"""Notebook 01's sentences, and the README's corpus block: the dumps, their repeats, the
abstracts' lengths against the model's window, and code links."""

from __future__ import annotations

import pandas as pd

from .wording import counted, joined

__all__ = ["code_text", "facts", "findings", "lengths_text", "overlap_text", "repeats_text"]


def facts(papers: pd.DataFrame, entries: pd.DataFrame) -> list[str]:
    """The corpus in three statements: entries per dump and unique papers, repeats, lengths
    and code (the README's corpus block and the run's console summary say the same)."""
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


def findings(papers: pd.DataFrame, entries: pd.DataFrame, window: int) -> list[str]:
    """What notebook 01 found: the corpus, its repeats, lengths against the window, code."""
    f = facts(papers, entries)
    multi = int((papers["n_windows"] > 1).sum())
    single = int((papers["n_dumps"] == 1).sum())
    linked = int(papers["has_code"].sum())
    promised = int((papers["code_promised"] & ~papers["has_code"]).sum())
    most = "most papers are" if single > len(papers) / 2 else "fewer than half of the papers are"
    return [
        f"{f[0]}.",
        f"{f[1][0].upper()}{f[1][1:]}: {most} listed once ({single} of {len(papers)}).",
        f"Abstracts are long (median {int(papers['n_words'].median())} words): "
        f"{'all' if multi == len(papers) else f'{multi} of the'} {len(papers)} titles + "
        f"abstracts need more than one {window}-token window, so each is embedded in sentence "
        "windows rather than cut at the model's limit.",
        f"{linked} abstracts ({linked / len(papers):.0%}) link a code repository and "
        f"{promised} more promise code without a link.",
    ]


def repeats_text(papers: pd.DataFrame, entries: pd.DataFrame) -> str:
    n_dumps = entries["dump"].nunique()
    multi = int((papers["n_dumps"] > 1).sum())
    return (
        f"**{len(entries)} entries** in {n_dumps} dumps hold **{len(papers)} unique papers** "
        "(titles matched after normalising case, spacing and punctuation). "
        f"{counted(multi, 'paper')} appear in more than one dump and "
        f"{int((papers['n_dumps'] == n_dumps).sum())} in all {n_dumps}. The page dates carry no "
        "year, so the dumps are compared as separate listings, not as a time series."
    )


def overlap_text(papers: pd.DataFrame) -> str:
    """What the overlap heatmap does not show: how many papers are in one dump only."""
    single = int((papers["n_dumps"] == 1).sum())
    return (
        f"{single} of the {len(papers)} papers ({single / len(papers):.0%}) are in one dump "
        "only; the heatmap above shows only the papers two dumps share (its diagonal, each "
        "dump's own size, is in the labels). The papers listed most often:"
    )


def lengths_text(papers: pd.DataFrame, model_window: int) -> str:
    n = papers["n_words"]
    return (
        f"Abstracts run from {n.min()} to {n.max()} words (median {int(n.median())}). With its "
        f"title, every one is longer than the embedding model's {model_window}-token window, "
        "which is why the analysis embeds them in windows (see notebook 06)."
    )


def code_text(papers: pd.DataFrame) -> str:
    linked = int(papers["has_code"].sum())
    hosts = papers["code_url"].dropna().str.extract(r"https://([^/]+)/")[0].value_counts()
    return (
        f"{linked} abstracts ({linked / len(papers):.1%}) link a repository, by host: "
        + ", ".join(f"{h} {n}" for h, n in hosts.items())
        + '. Links hidden behind the listing\'s "this https URL" placeholder cannot be counted, '
        "so the linked share is a lower bound."
    )
