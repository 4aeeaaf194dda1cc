"""Agreement between labelings and the parameter sweep (`analysis.modeling.stability`)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import ClusterConfig
from analysis.modeling import DEFAULT_GRID, matched_themes, stability_ari, sweep


def test_stability_ari_ignores_label_names():
    a = np.array([0, 0, 1, 1, -1])
    assert stability_ari([a, np.array([3, 3, 0, 0, -1]), a]) == pytest.approx(1.0)
    assert stability_ari([a, np.array([0, 1, 0, 1, -1])]) < 0.5


def test_matched_themes_follows_renames_and_grown_themes():
    ref = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, -1, -1])
    renamed = np.array([2, 2, 2, 0, 0, 0, 1, 1, 1, -1, -1])
    assert matched_themes(ref, renamed) == {0: 2, 1: 0, 2: 1}
    # theme 1 takes in both reference outliers and loses no member: still the same theme
    grown = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 1])
    assert matched_themes(ref, grown) == {0: 0, 1: 1, 2: 2}


def test_matched_themes_loses_merged_split_and_dissolved_themes():
    ref = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    merged = np.array([0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2])  # 0 and 1 become one theme
    assert matched_themes(ref, merged) == {0: None, 1: None, 2: 2}
    split = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])  # 2 becomes two halves
    assert matched_themes(ref, split)[2] is None
    dissolved = np.array([0, 0, 0, -1, -1, -1, 2, 2, 2, 2, 2, 2])  # 1 becomes outliers
    assert matched_themes(ref, dissolved) == {0: 0, 1: None, 2: 2}
    # a two-thirds majority is enough: one member of 0 strays, to a theme or to the outliers
    assert matched_themes(ref, np.array([0, 0, 5, 1, 1, 1, 2, 2, 2, 2, 2, 2]))[0] == 0
    assert matched_themes(ref, np.array([0, 0, -1, 1, 1, 1, 2, 2, 2, 2, 2, 2]))[0] == 0
    # but not less: four of 2's six members go to theme 7, which is then mostly theme 1
    mixed = np.array([0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 2, 2])
    assert matched_themes(ref, mixed) == {0: 0, 1: None, 2: None}
    with pytest.raises(ValueError, match="length"):
        matched_themes(ref, ref[:-1])


def test_the_default_setting_is_in_the_grid():
    c = ClusterConfig()
    for field, values in DEFAULT_GRID.items():
        assert getattr(c, field) in values, field


@pytest.mark.slow
def test_sweep_reports_every_metric(corpus_vectors: np.ndarray):
    c = ClusterConfig()  # the default setting alone
    grid = {k: [getattr(c, k)] for k in DEFAULT_GRID}
    df = sweep(corpus_vectors, grid=grid, seeds=(0, 1), progress=False)
    assert len(df) == 1
    row = df.iloc[0]
    assert bool(row["is_default"])
    for col in ["themes", "outliers", "validity", "silhouette", "stability_ari"]:
        assert np.isfinite(row[col]), col
    assert 0 <= row["outliers"] <= 1 and -1 <= row["stability_ari"] <= 1
