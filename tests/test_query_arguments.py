"""The query API checks its arguments before any work (`analysis.queries`): clear errors for
a bad `k`, a mistyped path, empty or malformed input; no model is loaded for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import DEFAULT
from analysis.queries import ThemeIndex


@pytest.fixture
def index() -> ThemeIndex:
    """An index whose embedding would fail: every call below must stop before it."""

    class NoEmbedding(ThemeIndex):
        def _embed(self, texts):
            raise AssertionError("embedded despite a bad argument")

    papers = pd.DataFrame({"paper_id": ["a", "b"], "title": ["A", "B"]})
    return NoEmbedding(papers, pd.DataFrame(), np.eye(2, dtype=np.float32), None, DEFAULT)


@pytest.mark.parametrize("k", [-1, 2.5, "3", True, None])
def test_k_must_be_a_non_negative_integer(index: ThemeIndex, k):
    with pytest.raises(ValueError, match="k must be a non-negative integer"):
        index.search("speculative decoding", k=k)
    with pytest.raises(ValueError, match="k must be a non-negative integer"):
        index.similar("a", k=k)


def test_search_and_assign_agree_on_empty_text(index: ThemeIndex):
    for call in (index.search, index.assign):
        for empty in ("", "   "):
            with pytest.raises(ValueError, match="must be a non-empty string"):
                call(empty)
    with pytest.raises(TypeError, match="query must be a string, got int"):
        index.search(123)
    with pytest.raises(TypeError, match="paper_id must be a string"):
        index.similar(7)


def test_a_path_that_is_not_a_dump_is_named(index: ThemeIndex, tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"no/such/file\.txt: no such dump file"):
        index.assign("no/such/file.txt")  # one line ending in .txt: a path, not a paper
    with pytest.raises(FileNotFoundError, match="no such dump file"):
        index.assign(tmp_path / "missing.txt")
    with pytest.raises(IsADirectoryError, match="a folder"):
        index.assign(tmp_path)
    (tmp_path / "papers.csv").write_text("title,abstract\n")
    with pytest.raises(ValueError, match=r"expected a dump file \(.txt\)"):
        index.assign(tmp_path / "papers.csv")
    with pytest.raises(ValueError, match=r"expected a dump file \(.txt\)"):
        index.assign(str(tmp_path / "papers.csv"))  # an existing file's name is a path too


def test_empty_and_malformed_inputs(index: ThemeIndex):
    with pytest.raises(ValueError, match="at least one paper"):
        index.assign([])
    with pytest.raises(ValueError, match="missing: title, abstract"):
        index.assign(pd.DataFrame())
    with pytest.raises(ValueError, match="at least one paper"):
        index.assign(pd.DataFrame(columns=["title", "abstract"]))
    with pytest.raises(TypeError, match="paper 1 must be a string, got int"):
        index.assign(["A title. An abstract.", 3])
    with pytest.raises(ValueError, match="paper 1 must be a non-empty string"):
        index.assign(["A title. An abstract.", ""])
    with pytest.raises(TypeError, match="assign takes a text"):
        index.assign(42)


@pytest.mark.parametrize("missing", [np.nan, None, pd.NA, "", "  "])
@pytest.mark.parametrize("column", ["title", "abstract"])
def test_missing_titles_and_abstracts_are_refused_naming_the_row(
    index: ThemeIndex, missing, column: str
):
    """Never embedded as the text "nan" or "None": a ValueError names the row and column."""
    new = pd.DataFrame(
        {"title": ["A title", "Another"], "abstract": ["An abstract.", "A second one."]},
        index=[10, 11],
        dtype=object,
    )
    new.loc[11, column] = missing
    with pytest.raises(ValueError, match=rf"^assign's paper at row 11: {column} is "):
        index.assign(new)
    new.loc[11, column] = 3.5
    with pytest.raises(ValueError, match=rf"row 11: {column} is float 3.5; expected a non-empty"):
        index.assign(new)


def test_a_long_one_line_text_is_a_paper_not_a_path(index: ThemeIndex):
    text = "Parallel decoding of several tokens per step. " * 20  # longer than a file name
    with pytest.raises(AssertionError, match="embedded"):  # reached the embedding: a text
        index.assign(text)
