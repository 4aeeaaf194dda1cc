"""The stored BERTopic side-by-side (benchmarks/results/bertopic_side_by_side.json) is for the
themes a run makes (its wording: tests/narrative/test_trust.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.artifacts import load_artifacts
from analysis.config import PEER_RESULT


@pytest.mark.slow
def test_the_stored_result_is_for_the_themes_a_run_makes(run_a: Path):
    """Rerun `python -m benchmarks.bertopic_side_by_side` when the themes change."""
    _, themes = load_artifacts(run_a)
    stored = json.loads(PEER_RESULT.read_text())["ours"]
    assert [(x["name"], x["size"]) for x in stored["labels"]] == list(
        zip(themes["theme_name"], themes["size"], strict=True)
    )
    assert stored["seed_42_is_the_stored_run"]
    single = json.loads(PEER_RESULT.read_text())["single"]  # like with like, one fit per seed
    assert 0 < single["stability_ari"] < 1 and stored["fits_per_run"] >= 2
