"""The stored BERTopic side-by-side (benchmarks/results/bertopic_side_by_side.json) and the
report notebook 06 builds from it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.analyses.reports import peer_report
from analysis.artifacts import load_artifacts
from analysis.config import PEER_RESULT


def _setting(topics, outliers, ari, names, fitted=None, ari_fitted=None):
    return {
        "topics": topics,
        "outlier_share": outliers,
        "outlier_share_fitted": fitted or outliers,
        "stability_ari": ari,
        "stability_ari_fitted": ari_fitted if ari_fitted is not None else ari,
        "labels": [{"name": n, "size": 10} for n in names],
    }


def _result(tmp_path: Path, tuned_ari: float, tuned_ari_fitted: float = 0.7) -> Path:
    res = {
        "bertopic_version": "0.0",
        "seeds": [1, 2, 3, 4, 5],
        "defaults": _setting([8, 9, 8, 8, 8], [0.25] * 4 + [0.31], 0.67, ["0_the_of"]),
        "tuned": _setting(
            [6, 9, 8, 8, 7], [0.0] * 5, tuned_ari, ["0_kv cache"], [0.2] * 5, tuned_ari_fitted
        ),
        "ours": _setting([13] * 5, [0.069] * 5, 0.96, ["Decoding speedups", "Code models"]),
    }
    p = tmp_path / "peer.json"
    p.write_text(json.dumps(res))
    return p


THEMES = pd.DataFrame({"theme_name": ["Decoding speedups", "Code models"], "size": [10, 10]})


def test_peer_report_words_what_its_numbers_say(tmp_path: Path):
    table, text, _ = peer_report(THEMES, _result(tmp_path, 0.62))
    assert list(table.columns) == ["BERTopic defaults", "BERTopic tuned", "this project"]
    assert table.loc["topics / themes (5 seeds)", "BERTopic tuned"] == "6-9"
    assert table.loc["outliers reported", "BERTopic defaults"] == "25.0%-31.0%"
    assert table.loc["outliers as fitted", "BERTopic tuned"] == "20.0%"
    assert "the most stable is this project" in text
    assert (
        "topics about as steady as the defaults' (ARI 0.62 against 0.67, a difference under" in text
    )
    assert "Stop words make 100% of the defaults' label words and 0% of the tuned" in text
    assert "readable labels" in text
    assert "other themes than these" not in text
    _, text, _ = peer_report(THEMES, _result(tmp_path, 0.99, tuned_ari_fitted=0.9))
    assert "the most stable is BERTopic tuned" in text and "and steadier topics." in text
    _, text, _ = peer_report(THEMES, _result(tmp_path, 0.5))
    assert "less steady topics (ARI 0.50 against the defaults' 0.67)" in text
    # steadier only after its outliers are reassigned: said so, with the fitted agreement
    _, text, _ = peer_report(THEMES, _result(tmp_path, 0.99, tuned_ari_fitted=0.6))
    assert "steadier topics only once its outliers are reassigned (as fitted, ARI 0.60" in text


def test_peer_report_says_when_the_stored_result_is_for_other_themes(tmp_path: Path):
    other = THEMES.assign(size=[11, 9])
    _, text, _ = peer_report(other, _result(tmp_path, 0.62))
    assert "other themes than these" in text


@pytest.mark.slow
def test_the_stored_result_is_for_the_themes_a_run_makes(run_a: Path):
    """Rerun `python -m benchmarks.bertopic_side_by_side` when the themes change."""
    _, themes = load_artifacts(run_a)
    stored = json.loads(PEER_RESULT.read_text())["ours"]
    assert [(x["name"], x["size"]) for x in stored["labels"]] == list(
        zip(themes["theme_name"], themes["size"], strict=True)
    )
    assert stored["seed_42_is_the_stored_run"]
