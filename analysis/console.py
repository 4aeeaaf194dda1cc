"""What `python -m analysis run` prints: the corpus it loaded and the themes it made, in the
words of the README's corpus block (`analysis.narrative.corpus`)."""

from __future__ import annotations

import pandas as pd

__all__ = ["corpus_lines", "theme_lines"]


def corpus_lines(papers: pd.DataFrame, entries: pd.DataFrame) -> str:
    """A few lines describing the loaded corpus, the same facts the README states."""
    per_dump = entries.groupby("dump").size()
    linked = int(papers["has_code"].sum())
    promised = int((papers["code_promised"] & ~papers["has_code"]).sum())
    lines = [
        f"{len(entries)} entries in {len(per_dump)} dumps, {len(papers)} unique papers",
        "entries per dump: " + ", ".join(f"{d} {n}" for d, n in per_dump.items()),
        f"papers in more than one dump: {int((papers['n_dumps'] > 1).sum())}",
        f"abstract length: median {int(papers['n_words'].median())} words",
        f"code linked: {linked}; promised without a link: {promised}",
    ]
    return "\n".join(lines)


def theme_lines(papers: pd.DataFrame, themes: pd.DataFrame) -> str:
    """The themes made: counts, then one line per theme."""
    n_out = int((papers["theme_id"] < 0).sum())
    hubs = int(papers["hub"].sum())
    lines = [
        f"{len(themes)} themes, {n_out} outliers ({n_out / len(papers):.1%})"
        + (f", {hubs} of them hubs left out of the fits" if hubs else "")
        + f"; {int(papers['misfit'].sum())} misfits"
    ]
    lines += [f"  {t.theme_id:>2}  {t.size:>3}  {t.theme_name}" for t in themes.itertuples()]
    return "\n".join(lines)
