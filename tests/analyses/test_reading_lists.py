"""Reading lists (`analysis.analyses.reading_lists`): every paper once, the most typical of each
theme first with its one-line summary, misfits marked, links encoded, titles escaped and
cells safe in a spreadsheet, on crafted inputs and on a real run."""

from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from analysis.analyses.reading_lists import (
    COLUMNS,
    itable_frame,
    reading_list,
    reading_list_html,
    search_url,
    write_reading_list,
)
from analysis.config import OUTLIER_NAME
from analysis.run_sets import current_set

from ..conftest import HOSTILE

SCRIPT_TITLE = '<script>window.__pwned = "title"</script> Hostile & Crafted'


FORMULA_TITLE = '=HYPERLINK("http://example.com","click")'


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Papers given out of order: an outlier first, theme 1 before theme 0, a tie on fit
    (Alpha and Beta, whose ids sort the other way); Gamma a misfit better in theme 1."""
    papers = pd.DataFrame(
        {
            "paper_id": ["p_out", "p_b", "p_y", "p_c", "p_d", "p_x"],
            "title": ["Lone Paper", "Beta", "Alpha", "Gamma", SCRIPT_TITLE, FORMULA_TITLE],
            "summary": ["We lone.", "We beta.", "We alpha.", "+cmd|' /C calc'!A0", "We d.", "Z."],
            "dumps": [["d0"], ["d0", "d1"], ["d1"], ["d0"], ["d1"], ["d0"]],
            "first_rank": [0, 5, 3, 2, 4, 1],
            "code_url": [None, "https://github.com/o/r", None, None, "javascript:alert(1)", None],
            "theme_id": [-1, 1, 1, 0, 0, 0],
            "nearest_theme_id": [1, 1, 1, 0, 0, 0],
            "fit": [float("nan"), 0.5, 0.5, 0.2, 0.6, 0.9],
            "misfit": [False, False, False, True, False, False],
            "better_theme_id": [-1, -1, -1, 1, -1, -1],
            "centroid_similarity": [0.4, 0.7, 0.8, 0.5, 0.6, 0.9],
        }
    )
    themes = pd.DataFrame(
        {
            "theme_id": [0, 1],
            "theme_name": ["Zero theme", "One theme"],
            "evidence": [["We zero all. [p_x]"], ["We one <b>all</b>. [p_y]"]],
        }
    )
    occ = pd.DataFrame(
        [
            ("p_out", "d0", 0),
            ("p_b", "d0", 5),  # first listed at 5, best at 3 in d1
            ("p_b", "d1", 3),
            ("p_y", "d1", 3),
            ("p_c", "d0", 2),
            ("p_d", "d1", 4),
            ("p_x", "d0", 1),
        ],
        columns=["paper_id", "dump", "rank"],
    )
    occ["page_date"] = occ["dump"].map({"d0": "Jul 11", "d1": "Oct 2"})
    return papers, themes, occ


def test_every_paper_once_with_its_columns_and_theme():
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ)
    assert list(df.columns) == COLUMNS
    assert sorted(df["paper_id"]) == sorted(papers["paper_id"])
    theme = dict(zip(df["paper_id"], df["theme"], strict=True))
    assert theme["p_out"] == OUTLIER_NAME and theme["p_y"] == "One theme"
    near = dict(zip(df["paper_id"], df["nearest_theme"], strict=True))
    assert near["p_out"] == "One theme"
    assert df.loc[df["paper_id"] == "p_b", "dumps"].item() == "d0 · Jul 11; d1 · Oct 2"
    assert df.loc[df["paper_id"] == "p_b", "n_dumps"].item() == 2


def test_order_is_theme_id_then_fit_then_title_with_outliers_last():
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ)
    # theme 0 by fit (0.9, 0.6, 0.2); theme 1 tied on fit: Alpha before Beta
    assert df["paper_id"].tolist() == ["p_x", "p_d", "p_c", "p_y", "p_b", "p_out"]
    gamma = df.set_index("paper_id").loc["p_c"]
    assert gamma["misfit"] and gamma["better_theme"] == "One theme"
    assert df.set_index("paper_id").loc["p_y", "summary"] == "We alpha."
    # the same order whatever order the papers come in
    shuffled = reading_list(papers.sample(frac=1, random_state=1), themes, occ)
    pd.testing.assert_frame_equal(shuffled, df)


def test_best_rank_is_the_best_over_all_dumps_one_based():
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ).set_index("paper_id")
    assert df.loc["p_b", "best_rank"] == 4  # rank 3 in d1, not first_rank 5 in d0
    assert df.loc["p_out", "best_rank"] == 1


def test_a_paper_without_occurrences_is_an_error():
    papers, themes, occ = _inputs()
    with pytest.raises(ValueError, match=r"^1 paper with no listing in the occurrences: p_y$"):
        reading_list(papers, themes, occ[occ["paper_id"] != "p_y"])


@pytest.mark.parametrize("title", ["Q&A: 100% #1? a+b=c / naïve", SCRIPT_TITLE, "  two  spaces"])
def test_search_url_is_urlencoded_and_decodes_to_the_title(title):
    url = search_url(title)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "arxiv.org", "/search/")
    assert parts.fragment == "" and " " not in url and "<" not in url
    assert parse_qs(parts.query, keep_blank_values=True, strict_parsing=True) == {
        "query": [title],
        "searchtype": ["title"],
    }


def test_html_escapes_titles_and_links_only_http_urls():
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ)
    page = reading_list_html(df, themes)
    assert "<script" not in page.lower() and "<b>" not in page
    assert "We one &lt;b&gt;all&lt;/b&gt;. [p_y]" in page  # the evidence, escaped
    assert "misfit: better in One theme" in page
    assert html.escape(SCRIPT_TITLE) in page
    # the crafted code URL is shown as text, never linked
    assert 'href="javascript' not in page and "<td>javascript:alert(1)</td>" in page
    assert 'href="https://github.com/o/r"' in page
    # the search link's & is escaped in the attribute
    assert html.escape(search_url("Lone Paper"), quote=True) in page
    # one section per theme plus the outliers, every paper one row
    assert page.count("<h2 ") == 3
    assert page.count("<tr><td") == len(papers)
    for t in ["Alpha", "Beta", "Gamma", html.escape(FORMULA_TITLE), "Lone Paper"]:
        assert f">{t}</a>" in page


def test_itable_frame_escapes_what_it_shows():
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ)
    shown = itable_frame(df)
    cells = " ".join(shown.astype(str).to_numpy().ravel())
    assert "<script" not in cells and 'href="javascript' not in cells
    crafted = int((df["paper_id"] == "p_d").to_numpy().nonzero()[0][0])
    assert shown.loc[crafted, "code"] == "javascript:alert(1)"  # its URL, as text
    assert html.escape(SCRIPT_TITLE) in cells
    assert len(shown) == len(papers)


def test_files_round_trip_and_leave_no_temp_file(tmp_path: Path):
    papers, themes, occ = _inputs()
    df = reading_list(papers, themes, occ)
    paths = write_reading_list(df, tmp_path, themes)
    assert sorted(p.name for p in paths) == ["reading_list.csv", "reading_list.html"]
    assert sorted(os.listdir(tmp_path)) == ["reading_list.csv", "reading_list.html"]
    back = pd.read_csv(tmp_path / "reading_list.csv", keep_default_na=False)
    assert list(back.columns) == COLUMNS and len(back) == len(df)
    # a cell a spreadsheet would run as a formula starts with an apostrophe (OWASP)
    assert "'" + FORMULA_TITLE in back["title"].tolist()
    assert "'+cmd|' /C calc'!A0" in back["summary"].tolist()
    risky = back.map(lambda v: isinstance(v, str) and v.startswith(tuple("=+-@\t\r")))
    assert not risky.any().any()
    assert back.set_index("paper_id").loc["p_y", "title"] == "Alpha"  # others as they are
    page = (tmp_path / "reading_list.html").read_text(encoding="utf-8")
    assert page == reading_list_html(df, themes)


@pytest.mark.slow
def test_a_real_run_writes_the_reading_list_of_every_paper(run_a: Path):
    papers = pd.read_parquet(current_set(run_a) / "papers.parquet")
    occ = pd.read_parquet(current_set(run_a) / "occurrences.parquet")
    df = pd.read_csv(run_a / "figures" / "reading_list.csv", keep_default_na=False)
    assert len(df) == len(papers) and set(df["paper_id"]) == set(papers["paper_id"])
    got = df.set_index("paper_id")
    want = papers.set_index("paper_id")
    assert (got["title"] == want.loc[got.index, "title"]).all()
    assert (got["theme"] == want.loc[got.index, "theme_name"]).all()
    best = occ.groupby("paper_id")["rank"].min() + 1
    assert (got["best_rank"] == best.loc[got.index]).all()
    members = df[df["theme_id"] >= 0]
    for _, g in members.groupby("theme_id"):  # most typical first
        assert g["fit"].is_monotonic_decreasing
    assert (df["theme_id"] < 0).to_numpy()[-int((df["theme_id"] < 0).sum()) :].all()
    assert (got["summary"] != "").all()
    page = (run_a / "figures" / "reading_list.html").read_text(encoding="utf-8")
    assert page.count("<tr><td") == len(papers)
    assert page.count("<h2 ") == df["theme_id"].nunique()


@pytest.mark.slow
def test_a_run_with_crafted_titles_writes_them_as_text(run_with_new_dump: Path):
    fig = run_with_new_dump / "figures"
    page = (fig / "reading_list.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    for title, _ in HOSTILE:
        assert html.escape(title) in page
    df = pd.read_csv(fig / "reading_list.csv", keep_default_na=False)
    assert {t for t, _ in HOSTILE} <= set(df["title"])
