"""README.md's generated blocks (`analysis.readme`): filled from the artifacts, and a test that
fails when the committed README has drifted from what the data says."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.readme import README, blocks, fill, stale_blocks

TEXT = """# Title
kept as it is
<!-- readme:a -->
old a
<!-- /readme:a -->
between
<!-- readme:b -->
<!-- /readme:b -->
"""


def test_fill_rewrites_only_the_blocks():
    makers = {"a": lambda: "new a", "b": lambda: "new b\n"}
    got = fill(TEXT, makers)
    assert got == TEXT.replace("old a", "new a").replace(
        "<!-- readme:b -->\n", "<!-- readme:b -->\nnew b\n"
    )
    assert stale_blocks(TEXT, makers) == ["a", "b"]
    assert stale_blocks(got, makers) == []
    assert fill(got, makers) == got


def test_an_unknown_block_is_an_error():
    with pytest.raises(KeyError, match="README block 'b' has no maker"):
        fill(TEXT, {"a": lambda: "x"})


@pytest.mark.slow
def test_the_committed_readme_says_what_the_data_says(run_a: Path):
    """Run `make readme` (after `make run`) when this fails."""
    text = README.read_text(encoding="utf-8")
    makers = blocks(run_a)
    assert {"corpus", "themes", "bertopic"} <= set(makers)
    assert "<!-- readme:corpus -->" in text and "<!-- readme:themes -->" in text
    assert stale_blocks(text, makers) == []
