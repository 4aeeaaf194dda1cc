"""Notebook 05's sentences (`analysis.narrative.dumps`): worded from what holds."""

from __future__ import annotations

import pandas as pd

from analysis.narrative.dumps import verdict_text


def verdict_table(search_like: list[bool], share: list[float] | None = None) -> pd.DataFrame:
    n = len(search_like)
    return pd.DataFrame(
        {
            "dump": [f"d{i}" for i in range(n)],
            "label": [f"00{i} · Jan {i + 1}" for i in range(n)],
            "word": [f"word{i}" for i in range(n)],
            "search_like": search_like,
            "share": share or [0.6] * n,
        }
    )


def test_the_verdict_is_worded_from_what_holds():
    all_pass = verdict_text(verdict_table([True, True, True]), 1 / 3)
    assert 'consistent with listings filtered by topic, e.g. keyword searches for "word0", ' in (
        all_pass
    )
    assert '"word1" and "word2", rather than one trending list.' in all_pass
    assert "at least 33% of the dump's entries" in all_pass
    assert "fewer than half" not in all_pass
    minority = verdict_text(verdict_table([True, True, True], [0.6, 0.41, 0.9]), 1 / 3)
    assert "in 001 · Jan 2 the word is held by fewer than half the entries (41%)" in minority
    some = verdict_text(verdict_table([True, False, True]), 0.5)
    assert some.startswith("2 of the 3 dumps are consistent with keyword searches")
    assert "In 001 · Jan 2 it does not" in some and "rather than" not in some
    assert "at least 50%" in some
    none = verdict_text(verdict_table([False, False]), 1 / 3)
    assert none.startswith("In none of the 2 dumps") and "keyword searches for" not in none
