"""Notebook 02's sentences (`analysis.narrative.themes`): portraits with evidence, start-here and
misfits; the plain start-here table escaped; topics found by name."""

from __future__ import annotations

import pandas as pd

from analysis.modeling.vocabulary import Vocabulary
from analysis.narrative.themes import findings, portrait, start_here_html, topics_text

VOCAB = Vocabulary({"Alpha": "About alpha.", "Beta": "About beta."}, {})
THEMES = pd.DataFrame(
    {
        "theme_id": [0, 1],
        "theme_name": ["Alpha", "Decoding speedups"],
        "size": [3, 1],
        "keywords": [["a", "b"], ["c"]],
        "evidence": [["We do alpha things. [p0]", "Alpha again here. [p1]"], []],
        "start_here_ids": [["p1", "p0"], ["p3"]],
        "heldout_coverage": [0.8, 1.0],
        "heldout_precision": [0.9, 0.5],
        "name_fits": [True, True],
    }
)
PAPERS = pd.DataFrame(
    {
        "paper_id": ["p0", "p1", "p2", "p3"],
        "title": ["Zero", "One <b>", "Two", "Three"],
        "summary": ["We zero.", "We <i>one</i>.", "We two.", "We three."],
        "theme_id": [0, 0, 0, 1],
        "fit": [0.5, 0.9, 0.1, 1.0],
        "misfit": [False, False, True, False],
        "better_theme_name": ["", "", "Decoding speedups", ""],
        "has_code": [True, False, False, False],
    }
)


def test_a_portrait_quotes_members_and_lists_start_here_and_misfits():
    text = portrait(THEMES.iloc[0], PAPERS, VOCAB)
    assert "**What the name means:** About alpha." in text
    assert "“We do alpha things.” (p0) “Alpha again here.” (p1)" in text
    assert "1. *One <b>* (fit 0.90): We <i>one</i>." in text  # typical first
    assert text.index("*One <b>*") < text.index("*Zero*")
    assert "**Misfits** (1): *Two* (better in Decoding speedups)." in text
    assert "1 of 3 abstracts link a repository" in text


def test_the_start_here_table_is_plain_escaped_html():
    page = start_here_html(THEMES, PAPERS)
    assert "<script" not in page and "<b>" not in page and "<i>" not in page
    assert "One &lt;b&gt;" in page and "We &lt;i&gt;one&lt;/i&gt;." in page
    assert page.count("<tr>") == 1 + 3  # the head and one row per start-here paper
    assert '<td rowspan="2">Alpha</td>' in page


def test_topics_are_found_by_name_or_said_missing():
    text = topics_text(THEMES)
    assert "decoding speed-ups in **Decoding speedups** (1 paper)" in text
    assert "compression: no theme is named for it (notebook 04 lists its papers)" in text


def test_findings_count_misfits_among_members():
    said = findings(PAPERS.assign(better_theme_id=[-1, -1, 1, -1]), THEMES.assign(size=[3, 1]))
    assert said[-1].startswith("1 member (25%) is a misfit")
    assert "1 fit another theme's name or centre better, 0 fit no theme" in said[-1]


def test_misfits_are_counted_with_those_no_theme_is_about():
    from analysis.narrative.themes import misfits_text

    papers = PAPERS.assign(
        theme_name=["Alpha", "Alpha", "Alpha", "Beta"],
        misfit=[False, True, True, False],
        better_theme_id=[-1, -1, 1, -1],
    )
    text = misfits_text(papers)
    assert text.startswith("2 misfits of 4 members: a misfit is a member its own theme's name")
    assert "while a research area does (1 of them: no theme is about it)" in text
    assert "Most are in **Alpha** (2)" in text
    assert "each with its better theme where there is one" in text
