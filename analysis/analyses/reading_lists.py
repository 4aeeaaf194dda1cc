"""Reading lists: every paper of every theme by title, so a theme's papers can be read without
hovering on the map. `reading_list` builds the table, `write_reading_list` writes it as a CSV
and as one static HTML page (no JavaScript) that open without Python, and `itable_frame` is
its display form for an interactive table in the notebooks.

Outliers are listed in a section of their own, last, under the run's outlier name; their
``nearest_theme`` column says which theme each sits closest to.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pandas as pd

from ..config import OUTLIER_NAME
from ..io import write_text_atomic
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
    "title",
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
    """One row per paper (columns `COLUMNS`): themes in theme-id order, outliers last, and
    within each by best listing rank, then title.

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
            "title": papers["title"],
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
    df = df.sort_values(
        ["_section", "theme_id", "best_rank", "title", "paper_id"], kind="stable"
    ).drop(columns="_section")
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
)


def reading_list_html(df: pd.DataFrame) -> str:
    """The reading list as one static page: a contents list, then a section per theme listing
    every member. Every text from the dumps is escaped; no script, no external resource."""
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
            near = f"<td>{html.escape(r.nearest_theme)}</td>" if outliers else ""
            rows.append(
                f'<tr><td class="n">{r.best_rank}</td><td>{_link(r.search_url, r.title)}</td>'
                f"<td>{html.escape(r.dumps)}</td><td>{code}</td>{near}</tr>"
            )
        near_head = "<th>nearest theme</th>" if outliers else ""
        note = "<p>Papers in no theme, each with the theme it sits nearest.</p>" if outliers else ""
        sections.append(
            f'<h2 id="{anchor}">{html.escape(theme)} ({count})</h2>{note}\n'
            "<table><thead><tr><th>best rank</th><th>title</th><th>listed in</th><th>code</th>"
            f"{near_head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
        )
    n_themes = df.loc[df["theme_id"] >= 0, "theme_id"].nunique()
    intro = (
        f"<p>{len(df)} papers in {n_themes} themes, each theme's papers by their best rank on "
        "any listing page (1: top of a page). A title links to arXiv's title search for it; "
        "<em>listed in</em> names the dumps (file number and page date).</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Reading lists by theme</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<h1>Reading lists by theme</h1>\n{intro}\n"
        "<ul>\n" + "\n".join(contents) + "\n</ul>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def write_reading_list(df: pd.DataFrame, folder: str | Path) -> list[Path]:
    """``reading_list.csv`` and ``reading_list.html`` in `folder`, each written atomically."""
    folder = Path(folder)
    return [
        write_text_atomic(folder / "reading_list.csv", df.to_csv(index=False, lineterminator="\n")),
        write_text_atomic(folder / "reading_list.html", reading_list_html(df)),
    ]


def itable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The reading list for an interactive table shown with HTML allowed: titles link to their
    search, code URLs are links, every text escaped here (the table itself escapes nothing)."""
    return pd.DataFrame(
        {
            "theme": df["theme"].map(html.escape),
            "title": [_link(u, t) for u, t in zip(df["search_url"], df["title"], strict=True)],
            "best rank": df["best_rank"],
            "listed in": df["dumps"].map(html.escape),
            "code": df["code_url"].map(_code_link),
        }
    )
