"""Notebook 02's sentences, and the README's themes block: how many themes, where the three topics
of interest are, how well the names fit (judged on members they were not chosen from), each
theme's portrait with its evidence, "start here" papers and misfits."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..modeling.typicality import misfit_note
from .wording import counted, joined, pct, pct_span

__all__ = [
    "TOPICS",
    "findings",
    "misfits_text",
    "names_text",
    "portrait",
    "relations_text",
    "start_here_html",
    "summary",
    "table_markdown",
    "topics_text",
]

#: The three topics of interest, and how a theme's name says it holds one. The layouts
#: (encoder-decoder, decoder-only) are no theme's topic: papers mention them in every area,
#: so notebook 04 counts them per theme instead of naming a theme for them.
TOPICS = {
    "decoding speed-ups": r"decoding",
    "language-model pretraining": r"language model pretraining",
    "compression": r"compression",
}


def _sized(rows: pd.DataFrame) -> str:
    """ "**A** (61 papers), **B** (34 papers) and **C** (26 papers)"."""
    return joined([f"**{r.theme_name}** ({counted(r.size, 'paper')})" for r in rows.itertuples()])


def topic_themes(themes: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The themes whose names hold each topic of interest."""
    return {
        what: themes[themes["theme_name"].str.contains(pattern, case=False, regex=True)]
        for what, pattern in TOPICS.items()
    }


def topics_text(themes: pd.DataFrame) -> str:
    """Where the three topics of interest sit, by name; a topic no name holds says so and
    points to notebook 04's lists."""
    parts = []
    for what, rows in topic_themes(themes).items():
        if rows.empty:
            parts.append(f"{what}: no theme is named for it (notebook 04 lists its papers)")
        else:
            parts.append(f"{what} in {_sized(rows)}")
    return (
        "Themes named for three topics of interest: "
        + "; ".join(parts)
        + "; a name says what most of a theme is about, not where every paper on the topic "
        "sits (notebook 04 counts where papers mentioning each layout and kind of compression "
        "sit)."
    )


def findings(papers: pd.DataFrame, themes: pd.DataFrame) -> list[str]:
    """What notebook 02 found."""
    members = papers[papers["theme_id"] >= 0]
    n_out = int((papers["theme_id"] < 0).sum())
    by_size = themes.sort_values(["size", "theme_id"], ascending=[False, True])
    n_mis = int(members["misfit"].sum())
    n_better = int((members["misfit"] & (members["better_theme_id"] >= 0)).sum())
    return [
        f"The {len(papers)} papers form **{counted(len(themes), 'theme')}**; "
        f"{counted(n_out, 'paper')} ({n_out / len(papers):.1%}) "
        f"{'is an outlier' if n_out == 1 else 'are outliers'} that no theme claims.",
        f"The largest themes are {_sized(by_size.head(3))}.",
        topics_text(themes),
        names_text(themes),
        f"{counted(n_mis, 'member')} ({n_mis / len(members):.0%}) "
        f"{'is a misfit' if n_mis == 1 else 'are misfits'}, members their theme's name does "
        f"not describe: {n_better} fit another theme's name or centre better, "
        f"{n_mis - n_better} fit no theme; each theme's portrait in notebook 02 lists its "
        "misfits with the better theme where there is one.",
    ]


def names_text(themes: pd.DataFrame) -> str:
    """How well the names fit, judged on the members they were not chosen from."""
    weak = themes[~themes["name_fits"].astype(bool)]
    low = themes.loc[themes["heldout_coverage"].idxmin()]
    text = (
        "Each name was chosen on half of its theme's members and judged on the other half: "
        f"it describes {pct_span(themes['heldout_coverage'])} of those held-out members "
        f"(least: {low['theme_name']}, {pct(low['heldout_coverage'])}), and "
        f"{pct_span(themes['heldout_precision'])} of the held-out papers it describes are "
        "members."
    )
    if len(weak):
        its = "its" if len(weak) == 1 else "their"
        text += (
            f" {counted(len(weak), 'name')} describe under half of {its} held-out members: "
            f"{joined(weak['theme_name'].tolist())}."
        )
    return text


def summary(papers: pd.DataFrame, themes: pd.DataFrame) -> str:
    """The README's paragraph above the themes table."""
    n_out = int((papers["theme_id"] < 0).sum())
    least = themes.loc[themes["stability"].idxmin()]
    return (
        f"The {len(papers)} papers fall into **{counted(len(themes), 'theme')}**; "
        f"{counted(n_out, 'paper')} ({n_out / len(papers):.1%}) are outliers, each still "
        f"placed by its nearest theme. {names_text(themes)} The least stable theme is "
        f"{least['theme_name']} (stability {least['stability']:.2f})."
    )


def table_markdown(themes: pd.DataFrame) -> str:
    """The themes as a Markdown table: size, stability, misfits, name fit held out."""
    rows = [
        "| id | theme | papers | misfits | stability | held-out coverage | held-out precision |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for t in themes.itertuples():
        rows.append(
            f"| {t.theme_id} | {t.theme_name} | {t.size} | {t.misfits} | {t.stability:.2f} | "
            f"{t.heldout_coverage:.2f} | {t.heldout_precision:.2f} |"
        )
    return "\n".join(rows)


def _quote(q: str) -> str:
    """A quoted sentence with its paper's id, as Markdown: the sentence in italics."""
    sentence, pid = q.rsplit(" [", 1)
    return f"“{sentence}” ({pid.rstrip(']')})"


def portrait(theme: pd.Series, papers: pd.DataFrame, vocab, n: int = 5) -> str:
    """A theme in Markdown, every fact from its papers: what its name means, the members'
    own words that show it, where to start, its misfits, its terms and code."""
    members = papers[papers["theme_id"] == theme["theme_id"]]
    desc = vocab.describe(theme["theme_name"])
    what = desc if desc else f"Named from its keyphrases: {', '.join(theme['keywords'][:3])}."
    by_id = members.set_index("paper_id")
    start = [
        f"  {i + 1}. *{by_id.loc[pid, 'title']}* (fit {by_id.loc[pid, 'fit']:.2f}): "
        f"{by_id.loc[pid, 'summary']}"
        for i, pid in enumerate(theme["start_here_ids"][:n])
    ]
    mis = members[members["misfit"]].sort_values(["better_theme_name", "title"])
    misfit = (
        "none"
        if mis.empty
        else "; ".join(
            f"*{r.title}* ({misfit_note(r.better_theme_name)})" for r in mis.itertuples()
        )
    )
    code = int(members["has_code"].sum())
    lines = [
        f"#### {theme['theme_name']} ({len(members)} papers)",
        f"- **What the name means:** {what}",
        "- **In the members' words:** "
        + (" ".join(_quote(q) for q in theme["evidence"]) if theme["evidence"] else "none"),
        "- **Start here** (the most typical members the name describes):\n" + "\n".join(start),
        f"- **Misfits** ({len(mis)}): {misfit}.",
        f"- **Terms:** {', '.join(theme['keywords'][:8])}.",
        f"- **Code:** {code} of {len(members)} abstracts link a repository.",
    ]
    return "\n".join(lines)


def start_here_html(themes: pd.DataFrame, papers: pd.DataFrame) -> str:
    """Each theme's "start here" papers as one plain HTML table: it reads where no
    JavaScript runs (a rendered notebook on a code host). Every text is escaped."""
    by_id = papers.set_index("paper_id")
    rows = []
    for t in themes.itertuples():
        for i, pid in enumerate(t.start_here_ids):
            head = (
                f'<td rowspan="{len(t.start_here_ids)}">{html.escape(t.theme_name)}</td>'
                if i == 0
                else ""
            )
            p = by_id.loc[pid]
            rows.append(
                f"<tr>{head}<td>{i + 1}</td><td>{html.escape(p['title'])}</td>"
                f"<td>{html.escape(p['summary'])}</td></tr>"
            )
    return (
        "<table><thead><tr><th>theme</th><th>#</th><th>title</th><th>in one line</th></tr>"
        "</thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def misfits_text(papers: pd.DataFrame) -> str:
    members = papers[papers["theme_id"] >= 0]
    mis = members[members["misfit"]]
    share = mis.groupby("theme_name").size().sort_values(ascending=False, kind="stable")
    most = share.index[0]
    alien = int((mis["better_theme_id"] < 0).sum())
    return (
        f"{counted(len(mis), 'misfit')} of {len(members)} members: a misfit is a member its own "
        "theme's name does not describe, and another theme's name or centre describes better, "
        f"or that its name does not describe at all while a research area does ({alien} of "
        "them: no theme is about it). "
        f"Most are in **{most}** ({share[most]}); they stay members (the themes are what the "
        "consensus found) and are shown apart, each with its better theme where there is one."
    )


def relations_text(sim: pd.DataFrame) -> str:
    """The closest pairs of themes by centroid, and the most isolated theme."""
    mask = np.triu(np.ones(sim.shape, dtype=bool))
    pairs = sim.where(~mask).stack().sort_values(ascending=False)
    nearest = sim.where(~np.eye(len(sim), dtype=bool)).max()
    lonely = nearest.idxmin()
    return (
        "The closest pairs of themes: "
        + "; ".join(f"**{a}** and **{b}** ({v:.2f})" for (a, b), v in pairs.head(3).items())
        + f". The most isolated is **{lonely}**: its closest theme, "
        f"{sim.loc[lonely].drop(lonely).idxmax()}, is at {nearest[lonely]:.2f}."
    )
