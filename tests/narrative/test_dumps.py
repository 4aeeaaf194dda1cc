"""Notebook 05's sentences (`analysis.narrative.dumps`): worded from what holds."""

from __future__ import annotations

import pandas as pd

from analysis.narrative.dumps import verdict_text


def verdict_table(search_like: list[bool]) -> pd.DataFrame:
    n = len(search_like)
    return pd.DataFrame(
        {
            "dump": [f"d{i}" for i in range(n)],
            "label": [f"00{i} · Jan {i + 1}" for i in range(n)],
            "word": [f"word{i}" for i in range(n)],
            "search_like": search_like,
        }
    )


def test_the_verdict_is_worded_from_what_holds():
    all_pass = verdict_text(verdict_table([True, True, True]), 1 / 3)
    assert 'keyword searches for "word0", "word1" and "word2" rather than one trending' in (
        all_pass
    )
    assert "at least 33% of the dump's entries" in all_pass
    some = verdict_text(verdict_table([True, False, True]), 0.5)
    assert some.startswith("2 of the 3 dumps look like")
    assert "In 001 · Jan 2 it does not" in some and "rather than" not in some
    assert "at least 50%" in some
    none = verdict_text(verdict_table([False, False]), 1 / 3)
    assert none.startswith("In none of the 2 dumps") and "keyword searches for" not in none
