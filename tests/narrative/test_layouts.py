"""Notebook 04's layout sentences: like counted with like, papers mentioning both layouts
counted for neither side of the sign test."""

from __future__ import annotations

import pandas as pd

from analysis.analyses.explore import architecture_mentions, compression_kind, layout_tables
from analysis.narrative.layouts import findings


def _papers(abstracts: list[str]) -> pd.DataFrame:
    n = len(abstracts)
    return pd.DataFrame(
        {
            "paper_id": [f"p{i}" for i in range(n)],
            "title": [f"Paper {i}" for i in range(n)],
            "abstract": abstracts,
            "theme_name": ["Alpha"] * n,
        }
    )


def _first_finding(abstracts: list[str]) -> str:
    papers = _papers(abstracts)
    arch, comp = architecture_mentions(papers), compression_kind(papers)
    return findings(papers, arch, comp, layout_tables(papers, arch, comp))[0]


def test_model_names_and_layout_names_are_counted_apart():
    text = _first_finding(
        ["We tune GPT-4 on math."] * 3
        + ["A decoder-only model."]
        + ["An encoder-decoder model."] * 2
        + ["We compare an encoder-decoder and a decoder-only model."]
    )
    assert "5 mention decoder-only models and 3 encoder-decoder ones" in text
    # the paper with both counts for neither side
    assert "4 against 2 papers that mention only one of the two" in text
    assert "3 of the decoder-only mentions come from a model's name or a phrase alone, 0 of" in text
    assert "2 papers say decoder-only and 3 encoder-decoder" in text
    assert "1 against 2 papers that name only one of the two" in text
    assert "1 paper names two or more layouts outright" in text


def test_no_compression_paper_is_said_not_failed():
    papers = _papers(["A decoder-only model."])
    arch, comp = architecture_mentions(papers), compression_kind(papers)
    said = findings(papers, arch, comp, layout_tables(papers, arch, comp))
    assert "Data compression is in no theme: no paper does it" in said[2]


def test_a_clear_gap_is_called_more_with_its_bound():
    text = _first_finding(["A decoder-only model."] * 30 + ["An encoder-decoder model."] * 2)
    assert "more decoder-only (30 against 2 papers that mention only one" in text
    assert "sign test p ≤ " in text
