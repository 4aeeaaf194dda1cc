"""A paper's text and its sentences (`analysis.text`): what every stage reads."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.dataset import load_papers
from analysis.text import (
    TITLE_SEPARATOR,
    paper_text,
    paper_texts,
    sentences,
    split_sentences,
    title_of,
)


def test_split_sentences():
    text = "First one. Second (with e.g. an aside) here! Third? 4 is a number."
    assert sentences(text) == [
        "First one.",
        "Second (with e.g. an aside) here!",
        "Third?",
        "4 is a number.",
    ]
    assert sentences(text) == [text[a:b] for a, b in split_sentences(text)]


_pieces = st.lists(
    st.one_of(
        st.sampled_from([". ", "! ", "? ", ".\n", "  ", " A", " (", ' "', "e.g. the", "3.5x"]),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(pieces=_pieces)
def test_sentence_spans_cover_the_text(pieces: list[str]):
    """In order, never empty, never overlapping; only whitespace falls between them."""
    text = "".join(pieces)
    spans = split_sentences(text)
    at = 0
    for a, b in spans:
        assert at <= a < b <= len(text)
        assert text[at:a].strip() == ""
        at = b
    assert text[at:].strip() == ""
    if text.strip():
        assert spans


def test_paper_texts_are_title_full_stop_abstract():
    df = pd.DataFrame({"title": ["A", "B"], "abstract": ["x y.", "z."]})
    assert paper_texts(df) == ["A. x y.", "B. z."]


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(min_size=1).filter(lambda t: TITLE_SEPARATOR not in t),
    abstract=st.text(),
)
def test_title_of_gives_back_the_title(title: str, abstract: str):
    assert title_of(paper_text(title, abstract)) == title


def test_title_of_gives_back_every_real_title():
    papers = load_papers()
    texts = paper_texts(papers)
    assert [title_of(t) for t in texts] == papers["title"].tolist()
