"""Reading lists: every paper of every theme, the most typical first, each with a one-line
summary, so a reader knows where to start. `reading_list` builds the table,
`write_reading_list` writes it as a CSV and as one static HTML page (no JavaScript) that open
without Python, and `itable_frame` is its display form for an interactive table in the
notebooks.

Within a theme papers go by `fit` (how typical of the theme, best first); misfits, members
their theme's name does not describe, are marked and name the theme that fits them better where
one does. Outliers are listed in a
section of their own, last, under the run's outlier name, nearest their theme first; their
``nearest_theme`` column says which theme each sits closest to.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np
import pandas as pd

from ..config import OUTLIER_NAME
from ..io import csv_text, write_text_atomic
from ..modeling.typicality import misfit_note
from .explore import dump_label

__all__ = [
    "COLUMNS",
    "itable_frame",
    "reading_list",
    "reading_list_html",
    "search_url",
    "write_reading_list",
]

#: The reading list's columns, in order. ``best_rank`` is 1-based (1: top of a listing page).
COLUMNS = [
    "theme_id",
    "theme",
    "fit",
    "misfit",
    "better_theme",
    "title",
    "summary",
    "dumps",
    "n_dumps",
    "best_rank",
    "code_url",
    "search_url",
    "nearest_theme",
    "paper_id",
]

#: arXiv's title search: most papers of a trending listing are arXiv preprints, and the search
#: needs no account and no API key.
SEARCH_BASE = "https://arxiv.org/search/"


def search_url(title: str) -> str:
    """arXiv's title search for `title`, the title URL-encoded (spaces as ``+``)."""
    return f"{SEARCH_BASE}?{urlencode({'query': title, 'searchtype': 'title'})}"


def reading_list(
    papers: pd.DataFrame, themes: pd.DataFrame, occurrences: pd.DataFrame
) -> pd.DataFrame:
    """One row per paper (columns `COLUMNS`): themes in theme-id order, outliers last; within a
    theme by `fit`, best first (outliers: by their similarity to their nearest theme), then
    by title.

    The best rank comes from `occurrences` (``paper_id, dump, rank, page_date``, as in
    ``occurrences.parquet``, or the run's entries): the paper's best position over every dump
    it is in. ``papers.first_rank`` is only its position in the first dump it appears in.
    ``dumps`` are short labels ("000 · Jul 11"), joined with "; ".
    """
    occ = occurrences[occurrences["paper_id"].isin(papers["paper_id"])]
    missing = set(papers["paper_id"]) - set(occ["paper_id"])
    if missing:
        n, ids = len(missing), ", ".join(sorted(missing)[:5])
        raise ValueError(
            f"{n} paper{'' if n == 1 else 's'} with no listing in the occurrences: {ids}"
        )
    best = occ.groupby("paper_id")["rank"].min() + 1
    dates = occ.groupby("dump")["page_date"].first()
    name = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    outlier = papers["theme_id"] < 0
    df = pd.DataFrame(
        {
            "theme_id": papers["theme_id"].astype("int64"),
            "theme": papers["theme_id"].map(lambda t: name.get(int(t), OUTLIER_NAME)),
            "fit": papers["fit"],
            "misfit": papers["misfit"].astype(bool),
            "better_theme": papers["better_theme_id"].map(lambda t: name.get(int(t), "")),
            "title": papers["title"],
            "summary": papers["summary"],
            "dumps": papers["dumps"].map(
                lambda ds: "; ".join(dump_label(d, dates.get(d)) for d in sorted(ds))
            ),
            "n_dumps": papers["dumps"].map(len).astype("int64"),
            "best_rank": papers["paper_id"].map(best).astype("int64"),
            "code_url": papers["code_url"].fillna("").astype(str),
            "search_url": papers["title"].map(search_url),
            "nearest_theme": papers["nearest_theme_id"].map(lambda t: name[int(t)]),
            "paper_id": papers["paper_id"],
        }
    )
    df["_section"] = outlier.to_numpy()
    # members by fit, outliers by how near their nearest theme: both "most at home first"
    df["_order"] = np.where(outlier, -papers["centroid_similarity"], -papers["fit"].fillna(0))
    df = df.sort_values(
        ["_section", "theme_id", "_order", "title", "paper_id"], kind="stable"
    ).drop(columns=["_section", "_order"])
    return df.reset_index(drop=True)[COLUMNS]


def _link(url: str, text: str) -> str:
    """An escaped link; a URL that is not http(s) is shown as text, never as a link."""
    if urlsplit(url).scheme not in ("http", "https"):
        return html.escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _code_link(url: str) -> str:
    """A code URL linked under its host and path ("github.com/owner/repo"); "" for none."""
    return _link(url, url.split("://", 1)[-1]) if url else ""


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;"
    "line-height:1.4}table{border-collapse:collapse;width:100%;margin-bottom:1.5em}"
    "th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}"
    "td.n{text-align:right;white-space:nowrap}th{background:#f4f4f4}"
    ".sum{color:#555;font-size:.9em;margin-top:.2em}.mis{color:#a33}.why{margin-bottom:.2em}"
)


def reading_list_html(df: pd.DataFrame, themes: pd.DataFrame | None = None) -> str:
    """The reading list as one static page: a contents list, then a section per theme: why its
    name is right (the theme's quoted `evidence`, from `themes`), then every member, the most
    typical first, each with its one-line summary; misfits are marked with the theme that
    describes them better, or as fitting none. Every text from the dumps is escaped; no script,
    no external resource."""
    quotes = (
        {} if themes is None else dict(zip(themes["theme_id"], themes["evidence"], strict=True))
    )
    sections, contents = [], []
    for i, (tid, g) in enumerate(df.groupby("theme_id", sort=False)):
        anchor = f"t{i}"
        theme, outliers = g["theme"].iloc[0], int(tid) < 0
        n = len(g)
        count = f"{n} paper" if n == 1 else f"{n} papers"
        contents.append(f'<li><a href="#{anchor}">{html.escape(theme)}</a> ({count})</li>')
        rows = []
        for r in g.itertuples(index=False):
            code = _code_link(r.code_url)
            if outliers:
                where = f"<td>{html.escape(r.nearest_theme)}</td>"
                score = ""
            else:
                where = (
                    f'<td class="mis">misfit: {html.escape(misfit_note(r.better_theme))}</td>'
                    if r.misfit
                    else "<td></td>"
                )
                score = f'<td class="n">{r.fit:.2f}</td>'
            rows.append(
                f"<tr>{score}<td>{_link(r.search_url, r.title)}"
                f'<div class="sum">{html.escape(r.summary)}</div></td>'
                f"<td>{html.escape(r.dumps)}</td><td>{code}</td>{where}</tr>"
            )
        head = "<th>nearest theme</th>" if outliers else "<th>another theme fits better</th>"
        fit_head = "" if outliers else "<th>fit</th>"
        note = (
            "<p>Papers in no theme, each with the theme it sits nearest, nearest first.</p>"
            if outliers
            else ""
        )
        said = "".join(
            f"<li>{html.escape(q)}</li>" for q in quotes.get(tid, []) if isinstance(q, str)
        )
        why = (
            f'<p class="why">Why the name fits, in the members\' words:</p><ul>{said}</ul>'
            if said
            else ""
        )
        sections.append(
            f'<h2 id="{anchor}">{html.escape(theme)} ({count})</h2>{note}{why}\n'
            f"<table><thead><tr>{fit_head}<th>title and summary</th><th>listed in</th>"
            f"<th>code</th>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
        )
    n_themes = df.loc[df["theme_id"] >= 0, "theme_id"].nunique()
    intro = (
        f"<p>{len(df)} papers in {n_themes} themes. Within a theme the papers go by "
        "<em>fit</em>, how typical of the theme each is (1: the most typical), so the first "
        "rows are where to start; a <em>misfit</em> is a member its theme's name does not "
        "describe (another theme's name or centre may fit it better). A title links to "
        "arXiv's title search for it; "
        "<em>listed in</em> names the dumps (file number and page date).</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Reading lists by theme</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>Reading lists by theme</h1>\n{intro}\n"
        "<ul>\n" + "\n".join(contents) + "\n</ul>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def write_reading_list(
    df: pd.DataFrame, folder: str | Path, themes: pd.DataFrame | None = None
) -> list[Path]:
    """``reading_list.csv`` (safe to open in a spreadsheet) and ``reading_list.html`` in
    `folder`, each written atomically."""
    folder = Path(folder)
    return [
        write_text_atomic(folder / "reading_list.csv", csv_text(df)),
        write_text_atomic(folder / "reading_list.html", reading_list_html(df, themes)),
    ]


def itable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The reading list for an interactive table shown with HTML allowed: titles link to their
    search, code URLs are links, every text escaped here (the table itself escapes nothing)."""
    return pd.DataFrame(
        {
            "theme": df["theme"].map(html.escape),
            "fit": ["" if pd.isna(f) else f"{f:.2f}" for f in df["fit"]],
            "title": [_link(u, t) for u, t in zip(df["search_url"], df["title"], strict=True)],
            "in one line": df["summary"].map(html.escape),
            "misfit": [
                html.escape(misfit_note(b)) if m else ""
                for m, b in zip(df["misfit"], df["better_theme"], strict=True)
            ],
            "listed in": df["dumps"].map(html.escape),
            "code": df["code_url"].map(_code_link),
        }
    )
