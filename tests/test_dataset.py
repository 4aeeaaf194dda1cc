"""The dump loader (`analysis.dataset`): counts on the real dumps, every error case with its
line, every tolerance."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis.config import RAW_DIR
from analysis.dataset import (
    CorpusFormatError,
    DumpFormatError,
    DumpWarning,
    IgnoredFilesWarning,
    code_promised,
    dump_paths,
    find_code_url,
    load_entries,
    load_occurrences,
    load_papers,
    normalize_title,
    read_dump,
    write_dump,
)

from .conftest import run_python
from .test_text import CHINESE

REAL = sorted(RAW_DIR.glob("*.txt"))
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "dumps"

ABSTRACT = (
    "We study a problem that matters. Our method improves over strong baselines on three "
    "benchmarks while using fewer resources. Extensive experiments and ablations confirm the "
    "design choices, and a study of failure cases shows where the approach still falls short "
    "of human performance. Code is available."
)
CLEAN = [
    ("First Paper: A Study", ABSTRACT.replace("problem", "first problem")),
    ("Second <script>alert(1)</script> Paper", ABSTRACT.replace("problem", "second problem")),
    ("Third Paper", ABSTRACT.replace("problem", "third problem")),
]


def clean_text() -> str:
    head = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    head += "byAK and the research community\n\nJul 11\n\n"
    return head + "\n\n".join(f"{t}\n\n{a}" for t, a in CLEAN) + "\n"


@pytest.fixture
def dump(tmp_path: Path):
    """Write bytes or text to a dump file and return its path."""

    def make(content: str | bytes, name: str = "crafted.txt") -> Path:
        p = tmp_path / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        p.write_bytes(content)
        return p

    return make


# --- the real data -----------------------------------------------------------------------------


def test_raw_dumps_are_byte_identical_copies():
    if not SHARED.is_dir():
        pytest.skip("../shared/dumps not beside this checkout")
    originals = sorted(SHARED.glob("*.txt"))
    assert [p.name for p in originals] == [p.name for p in REAL]
    for o, r in zip(originals, REAL, strict=True):
        assert o.read_bytes() == r.read_bytes(), r.name


def test_entries_per_dump():
    counts = [len(read_dump(p)) for p in REAL]
    assert counts == [86, 65, 101, 63, 96]


def test_read_dump_columns_and_values():
    df = read_dump(REAL[0])
    assert list(df.columns) == ["title", "abstract", "dump", "rank", "page_date", "line"]
    assert df["rank"].tolist() == list(range(len(df)))
    assert (df["dump"] == REAL[0].stem).all()
    assert df["page_date"].unique().tolist() == ["Jul 11"]
    first = df.iloc[0]
    assert first["title"] == (
        "Decoder-Hybrid-Decoder Architecture for Efficient Reasoning with Long Generation"
    )
    assert first["line"] == 11
    assert first["abstract"].startswith("Recent advances in language modeling")
    assert first["abstract"].endswith("https://github.com/microsoft/ArchScale.")
    # every stored line number really points at the title in the file
    lines = REAL[0].read_text(encoding="utf-8").split("\n")
    for t, ln in zip(df["title"], df["line"], strict=True):
        assert lines[ln - 1] == t


def test_daily_papers_header_line_is_boilerplate():
    df = read_dump(REAL[3])
    assert len(df) == 63
    assert df["page_date"].iloc[0] == "Oct 2"
    assert "Daily Papers" not in set(df["title"])


def test_load_papers_counts_and_duplicates():
    entries = load_entries()
    papers = load_papers()
    assert len(entries) == 411
    assert len(papers) == 333
    assert papers["paper_id"].is_unique
    assert papers["n_dumps"].sum() == 411
    assert (papers["n_dumps"] == papers["dumps"].str.len()).all()
    assert all(d == sorted(d) for d in papers["dumps"])
    # 58 papers appear in more than one dump; one (UniXcoder) in all five.
    assert papers["n_dumps"].value_counts().sort_index().to_dict() == {
        1: 275,
        2: 42,
        3: 13,
        4: 2,
        5: 1,
    }
    assert papers.loc[papers["n_dumps"] == 5, "title"].str.startswith("UniXcoder").all()
    # The entries of a paper_id all share one normalised title.
    norm = entries.assign(n=entries["title"].map(normalize_title)).groupby("paper_id")["n"]
    assert (norm.nunique() == 1).all()


def test_known_cross_dump_paper():
    papers = load_papers().set_index("title")
    row = papers.loc[
        "SpeechT5: Unified-Modal Encoder-Decoder Pre-Training for Spoken Language Processing"
    ]
    assert row["n_dumps"] >= 2
    assert row["code_url"] == "https://github.com/microsoft/SpeechT5"


def test_occurrences_table():
    occ = load_occurrences()
    assert list(occ.columns) == ["paper_id", "dump", "rank", "page_date", "line"]
    assert len(occ) == 411
    assert occ.groupby("dump").size().tolist() == [86, 65, 101, 63, 96]
    assert set(occ["paper_id"]) == set(load_papers()["paper_id"])


def test_derived_columns_on_real_data():
    papers = load_papers()
    assert papers["n_words"].between(150, 400).all()
    assert papers["has_code"].sum() > 20
    urls = papers["code_url"].dropna()
    assert urls.str.match(r"^https://(github\.com|gitlab\.com|huggingface\.co)/[^/]+/[^/.]").all()
    assert not urls.str.endswith((".", ".git", ",")).any()
    assert papers["code_promised"].sum() > 5


def test_package_top_level_api():
    """Nine names, each defined once in its stage's module; `import analysis` alone loads
    none of the stack (a worker process that needs one module pays for that module only)."""
    assert len(analysis.load_papers()) == 333
    assert len(analysis.__all__) <= 10
    assert {"load_papers", "run", "ThemeIndex", "search", "similar", "assign"} <= set(
        analysis.__all__
    )
    assert all(getattr(analysis, name) is not None for name in analysis.__all__)
    from analysis.dataset import load_papers
    from analysis.pipeline import run
    from analysis.queries import ThemeIndex

    assert analysis.load_papers is load_papers and analysis.run is run
    assert analysis.ThemeIndex is ThemeIndex
    assert issubclass(DumpFormatError, ValueError)
    with pytest.raises(AttributeError, match="no attribute 'load_entries'"):
        analysis.load_entries  # noqa: B018 - in analysis.dataset, not at the top
    res = run_python(
        "-c", "import sys, analysis; print(sorted({'pandas', 'torch', 'umap'} & set(sys.modules)))"
    )
    assert res.stdout.strip() == "[]", res.stderr


# --- derived-column helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("See https://github.com/microsoft/ArchScale.", "https://github.com/microsoft/ArchScale"),
        (
            "at https://github.com/zeyuliu1037/LMUFormer.git.",
            "https://github.com/zeyuliu1037/LMUFormer",
        ),
        (
            "https://www.github.com/LeapLabTHU/Dynamic_Perceiver.",
            "https://github.com/LeapLabTHU/Dynamic_Perceiver",
        ),
        (
            "https://github.com/PaddlePaddle/PaddleOCR/blob/dygraph/doc/x.md{this https URL}.",
            "https://github.com/PaddlePaddle/PaddleOCR",
        ),
        (
            "https://huggingface.co/declare-lab/flacuna-13b-v1.0.",
            "https://huggingface.co/declare-lab/flacuna-13b-v1.0",
        ),
        (
            "demo at https://huggingface.co/spaces/cis-lmu/Mexa, try it",
            "https://huggingface.co/spaces/cis-lmu/Mexa",
        ),
        ("project page https://ma-lab-berkeley.github.io/CRATE", None),
        ("Code is available at {this https URL}.", None),
        ("No link here.", None),
    ],
)
def test_find_code_url(text: str, url: str | None):
    assert find_code_url(text) == url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The code will be released upon acceptance.", True),
        ("Codes and models will be made publicly available.", True),
        ("Our code and models will be publicly released at https://github.com/x/y.", True),
        ("The code used in our experiments will be publicly available.", True),
        ("Code is available at https://github.com/x/y.", False),
        ("Results will be better with more data.", False),
    ],
)
def test_code_promised(text: str, expected: bool):
    assert code_promised(text) is expected


# --- tolerated variations: each parses to exactly the clean file's records ---------------------


def records(df: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    return list(zip(df["title"], df["abstract"], df["rank"], df["page_date"], strict=True))


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda s: s.encode("utf-8-sig"), id="bom"),
        pytest.param(lambda s: s.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda s: s.replace("\n", "  \t\n").encode(), id="trailing-spaces"),
        pytest.param(lambda s: s.replace("\n\n", "\n\n\n\n").encode(), id="extra-blank-lines"),
        pytest.param(
            lambda s: s.replace("Subscribe", "Subscribe\n\nDaily Papers").encode(),
            id="extra-header-line",
        ),
        pytest.param(lambda s: s.rstrip("\n").encode(), id="no-final-newline"),
        pytest.param(lambda s: ("\ufeff" + s.replace("\n", "\r\n  ")).encode(), id="all-at-once"),
    ],
)
def test_tolerated_variants(dump, variant):
    expected = records(read_dump(dump(clean_text(), "clean.txt")))
    assert len(expected) == 3
    got = read_dump(dump(variant(clean_text())))
    assert records(got) == expected


#: A real-looking abstract far shorter than any in the dumps (71 characters).
SHORT_ABSTRACT = "We show that scaling laws hold for sparse models too. Code is released."


@pytest.mark.parametrize("at", [0, 1, 2], ids=["first", "middle", "last"])
def test_short_abstract_after_its_title_is_an_abstract(tmp_path: Path, at: int):
    """Shorter than `LoadConfig.abstract_min_chars`, but the lines after it pair up as title,
    abstract only if it is an abstract: so it is one."""
    assert 60 <= len(SHORT_ABSTRACT) <= 80
    entries = [(t, SHORT_ABSTRACT if i == at else a) for i, (t, a) in enumerate(CLEAN)]
    df = read_dump(write_dump(entries, tmp_path / "short.txt"))
    assert list(zip(df["title"], df["abstract"], strict=True)) == entries


def test_short_abstract_in_a_real_dump(dump):
    text = REAL[0].read_text(encoding="utf-8")
    ref = read_dump(REAL[0])
    text = text.replace(ref["abstract"].iloc[10], SHORT_ABSTRACT)
    df = read_dump(dump(text))
    assert df["title"].tolist() == ref["title"].tolist()
    assert df["abstract"].iloc[10] == SHORT_ABSTRACT
    assert df["line"].tolist() == ref["line"].tolist()


def test_chinese_abstract_is_read_and_counted_by_character(tmp_path: Path):
    """A 65-character Chinese abstract: an abstract (not a second title), of 60 words."""
    entries = [*CLEAN, ("一种高效压缩大型语言模型的新方法", CHINESE)]
    write_dump(entries, tmp_path / "zh.txt")
    papers = load_papers(tmp_path).set_index("title").loc[[t for t, _ in entries]]
    assert papers["abstract"].tolist() == [a for _, a in entries]
    assert papers["n_words"].tolist() == [len(a.split()) for _, a in CLEAN] + [60]


def test_markup_is_kept_verbatim(dump):
    df = read_dump(dump(clean_text()))
    assert df["title"].iloc[1] == "Second <script>alert(1)</script> Paper"


# --- errors: a one-line DumpFormatError naming the file and line -------------------------------


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def line_of(text: str, needle: str) -> int:
    return next(i for i, s in enumerate(lines_of(text), 1) if needle in s)


def assert_error(path: Path, line: int, fragment: str) -> DumpFormatError:
    with pytest.raises(DumpFormatError) as info:
        read_dump(path)
    err = info.value
    assert err.path == path
    assert err.line == line
    msg = str(err)
    assert "\n" not in msg
    assert msg.startswith(f"{path.name}:{line}: ")
    assert fragment in msg
    return err


def test_error_empty_file(dump):
    assert_error(dump(b""), 1, "empty")


def test_error_whitespace_only_file(dump):
    assert_error(dump("\n\n  \n"), 1, "empty")


def test_error_header_without_entries(dump):
    text = clean_text().split("Jul 11")[0] + "Jul 11\n"
    assert_error(dump(text), line_of(text, "Jul 11") + 1, "no entries follow")


def test_error_no_date_line(dump):
    text = clean_text().replace("Jul 11", "Julyish")
    assert_error(dump(text), 1, "no date line")


def test_error_truncated_title_without_abstract(dump):
    text = clean_text().rsplit("\n\n", 1)[0] + "\n"  # drop the last abstract
    assert_error(dump(text), line_of(text, "Third Paper"), "has no abstract")


def test_error_two_titles_in_a_row(dump):
    text = clean_text()
    second_abstract = CLEAN[1][1]
    text = text.replace(second_abstract + "\n\n", "")
    # The second title is followed directly by the third: the error points at the third title.
    err = assert_error(dump(text), line_of(text, "Third Paper"), "two titles in a row")
    assert f"line {line_of(text, 'Second <script>')}" in str(err)


def test_error_two_titles_in_a_row_after_a_short_abstract(dump):
    """The first abstract is short, and the second title lost its abstract: the error names the
    third title, where the file breaks, not the short abstract."""
    text = clean_text().replace(CLEAN[0][1], SHORT_ABSTRACT).replace(CLEAN[1][1] + "\n\n", "")
    err = assert_error(dump(text), line_of(text, "Third Paper"), "two titles in a row")
    assert f"line {line_of(text, 'Second <script>')}" in str(err)


def test_error_two_titles_in_a_row_in_a_real_dump(dump):
    """A real dump with one abstract deleted: refused at the title after the gap, as before."""
    text = REAL[0].read_text(encoding="utf-8")
    df = read_dump(REAL[0])
    gone, after = df.iloc[10], df.iloc[11]
    text = text.replace(gone["abstract"] + "\n\n", "")
    err = assert_error(dump(text), line_of(text, after["title"]), "two titles in a row")
    assert f"(line {gone['line']})" in str(err)


def test_error_abstract_without_title(dump):
    text = clean_text().replace("Second <script>alert(1)</script> Paper\n\n", "")
    # Entry 2's abstract now sits where a title belongs.
    assert_error(dump(text), line_of(text, "second problem"), "expected a title")


def test_error_invalid_utf8(dump):
    text = clean_text()
    ln = line_of(text, "third problem")
    data = text.encode().replace(b"third problem", b"third \xff problem")
    assert_error(dump(data), ln, "not valid UTF-8")


def test_error_latin1_file(dump):
    text = clean_text().replace("Third Paper", "Th\u00e9orie Paper")
    assert_error(dump(text.encode("latin-1")), line_of(text, "Th\u00e9orie"), "UTF-8")


def test_error_binary_file(dump):
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert_error(dump(data, "image.txt"), 3, "binary")  # \\r\\n and \\n end lines 1-2


def test_error_bom_only(dump):
    assert_error(dump(b"\xef\xbb\xbf"), 1, "empty")


def test_load_papers_names_every_bad_file(tmp_path: Path):
    write_dump(CLEAN, tmp_path / "a_good.txt")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\x01")
    with pytest.raises(CorpusFormatError) as info:
        load_papers(tmp_path)
    msg = str(info.value)
    assert "b_empty.txt:1:" in msg and "c_binary.txt:1:" in msg
    assert [e.path.name for e in info.value.errors] == ["b_empty.txt", "c_binary.txt"]


def test_load_papers_single_bad_file_raises_dump_error(tmp_path: Path):
    write_dump(CLEAN, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_bytes(b"")
    with pytest.raises(DumpFormatError, match=r"^b\.txt:1: "):
        load_papers(tmp_path)


def test_load_papers_skip_bad_files_with_warning(tmp_path: Path):
    write_dump(CLEAN, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_bytes(b"")
    with pytest.warns(DumpWarning, match=r"skipped b\.txt:1: "):
        papers = load_papers(tmp_path, on_error="skip")
    assert len(papers) == 3
    assert papers["dumps"].tolist() == [["a"]] * 3


def test_conflicting_abstracts_keep_longest_and_warn(tmp_path: Path):
    longer = CLEAN[0][1] + " An extra closing sentence."
    write_dump(CLEAN, tmp_path / "a.txt")
    write_dump([("first paper -- a study", longer)], tmp_path / "b.txt")
    with pytest.warns(DumpWarning, match="different abstracts in a, b"):
        papers = load_papers(tmp_path)
    assert len(papers) == 3
    row = papers.set_index("title").loc["First Paper: A Study"]  # as most entries write it
    assert row["abstract"] == longer
    assert row["dumps"] == ["a", "b"]
    assert papers.attrs["conflicts"][0]["dumps"] == ["a", "b"]


def test_no_warning_on_real_data():
    assert sorted(RAW_DIR.iterdir()) == REAL  # nothing in the raw folder is ignored
    with warnings.catch_warnings():
        warnings.simplefilter("error", DumpWarning)
        load_papers()


def test_ignored_entries_of_the_raw_folder_are_listed_in_one_warning(tmp_path: Path):
    write_dump(CLEAN, tmp_path / "a.txt")
    (tmp_path / "x.txt").symlink_to(tmp_path / "gone.txt")  # dangles
    (tmp_path / "README.TXT").write_text("notes", encoding="utf-8")
    (tmp_path / "old.txt").mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        papers = load_papers(tmp_path)
    assert len(papers) == 3
    assert [w.category for w in caught] == [IgnoredFilesWarning]
    msg = str(caught[0].message)
    assert "ignored 3 entries" in msg
    assert "README.TXT (not *.txt; names are case-sensitive)" in msg
    assert "x.txt (a symlink to nothing)" in msg
    assert "old.txt (a folder)" in msg
    assert issubclass(IgnoredFilesWarning, DumpWarning)


def test_a_folder_of_ignored_files_says_what_it_ignored(tmp_path: Path):
    (tmp_path / "x.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(FileNotFoundError, match=r"no dump files .*ignored x\.txt \(a symlink"):
        load_papers(tmp_path)


def test_dump_paths_are_the_txt_files_in_name_order(tmp_path: Path):
    assert dump_paths(RAW_DIR) == REAL
    for name in ("b.txt", "a.txt", "notes.md"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "c.txt").mkdir()  # a folder is not a dump, whatever its name
    assert [p.name for p in dump_paths(tmp_path)] == ["a.txt", "b.txt"]


def test_missing_folder_is_clear(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_papers(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no dump files"):
        load_papers(tmp_path)


# --- property: records written in the dump format parse back identically -----------------------

_chars = st.characters(
    blacklist_categories=("Cs",),  # surrogates cannot be UTF-8 encoded
    blacklist_characters="\x00\r\n",
)
_title = st.text(_chars, min_size=1, max_size=300).map(str.strip).filter(bool)
_abstract = (
    st.text(_chars, min_size=200, max_size=600)
    .map(str.strip)
    .filter(lambda s: len(s) >= 200 and "\x00" not in s)
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(st.tuples(_title, _abstract), min_size=1, max_size=6),
    date=st.sampled_from(["Jul 11", "Mar 1", "Oct 2", "Dec 31"]),
)
def test_round_trip(tmp_path_factory, entries, date):
    path = write_dump(entries, tmp_path_factory.mktemp("rt") / "rt.txt", page_date=date)
    df = read_dump(path)
    assert list(zip(df["title"], df["abstract"], strict=True)) == entries
    assert df["rank"].tolist() == list(range(len(entries)))
    assert (df["page_date"] == date).all()


_any_abstract = st.text(_chars, min_size=1, max_size=400).map(str.strip).filter(bool)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(st.tuples(_title, _any_abstract), min_size=1, max_size=6))
def test_round_trip_whatever_the_abstracts_lengths(tmp_path_factory, entries):
    """A file that alternates title, abstract throughout reads so, however short an abstract."""
    path = write_dump(entries, tmp_path_factory.mktemp("rt") / "rt.txt", page_date="Jul 11")
    df = read_dump(path)
    assert list(zip(df["title"], df["abstract"], strict=True)) == entries


_short_title = st.text(_chars, min_size=1, max_size=199).map(str.strip).filter(bool)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(st.tuples(_short_title, _abstract), min_size=2, max_size=6),
    data=st.data(),
)
def test_a_missing_abstract_is_two_titles_in_a_row(tmp_path_factory, entries, data):
    """Titles shorter than and abstracts at least `abstract_min_chars`, as in the real dumps:
    an abstract left out is refused at the next title, naming the one before."""
    gap = data.draw(st.integers(0, len(entries) - 2))
    lines = [s for i, (t, a) in enumerate(entries) for s in ((t,) if i == gap else (t, a))]
    path = write_dump([], tmp_path_factory.mktemp("gap") / "gap.txt")  # the header alone
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "\n\n".join(lines) + "\n")
    with pytest.raises(DumpFormatError, match="two titles in a row") as info:
        read_dump(path)
    assert info.value.line == 11 + 4 * gap + 2  # the title after the gap
    assert f"(line {11 + 4 * gap})" in str(info.value)
