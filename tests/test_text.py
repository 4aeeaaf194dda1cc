"""A paper's text and its sentences (`analysis.text`): what every stage reads."""

from __future__ import annotations

import pandas as pd
import pytest
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
    word_count,
)

#: A Chinese abstract: 60 Han characters and 5 punctuation marks, no spaces.
CHINESE = (
    "我们提出了一种新的方法\uff0c用于高效地压缩大型语言模型。实验表明\uff0c该方法在多个基准测试上优于现有的"
    "基线\uff0c同时显著减少了计算资源的消耗。"
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


# --- words ------------------------------------------------------------------------------------


def test_word_count_counts_chinese_by_character():
    assert len(CHINESE.split()) == 1  # what counting by spaces made of it
    assert word_count(CHINESE) == 60  # one word per Han character, none for the punctuation


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("基于GPT-4的模型", 6),  # 基 于 GPT-4 的 模 型
        ("本研究では、手法を提案する。", 12),  # Japanese: kanji and kana, by character
        ("\uff2c\uff2c\uff2d\uff08大模型\uff09", 4),  # fullwidth "LLM(" is a word, ")" none
        ("우리는 새로운 방법을 제안한다.", 4),  # Korean is written with spaces
        ("We propose X - a method (fast).", 7),  # as str.split counts: "-" too
        ("", 0),
    ],
)
def test_word_count_of_mixed_scripts(text: str, n: int):
    assert word_count(text) == n


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF)))
def test_word_count_is_split_outside_chinese_and_japanese(text: str):
    """Below U+3000 there is no Han or kana: the count is str.split's, as it always was."""
    assert word_count(text) == len(text.split())


def test_word_count_of_every_real_abstract_is_its_split():
    abstracts = load_papers()["abstract"]
    assert [word_count(a) for a in abstracts] == [len(a.split()) for a in abstracts]
