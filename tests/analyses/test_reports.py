"""What other choices would have given (`analysis.analyses.reports`), on a real run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.artifacts import load_artifacts
from analysis.config import DEFAULT


@pytest.mark.slow
def test_alternatives_report_measures_what_each_setting_keeps(run_a: Path):
    from analysis.analyses.reports import alternatives_report

    cfg = DEFAULT.replace(processed_dir=run_a, figures_dir=run_a / "figures")
    papers, themes = load_artifacts(run_a)
    c = cfg.cluster
    rows = pd.DataFrame(
        [
            [c.n_neighbors, c.n_components, mcs, c.min_samples, c.cluster_selection_method]
            for mcs in (c.min_cluster_size, 2 * c.min_cluster_size)
        ],
        columns=["n_neighbors", "n_components", "min_cluster_size", "min_samples", "selection"],
    )
    rep = alternatives_report(rows, papers, themes, cfg)
    assert rep["is_default"].tolist() == [True, False]
    default, bigger = rep.iloc[0], rep.iloc[1]
    # the default refitted is the run itself: every theme kept, none lost
    assert default["themes"] == default["default_themes_kept"] == len(themes)
    assert default["lost"] == "-"
    # doubling min_cluster_size cannot keep more themes than it has; what it drops is named
    assert bigger["default_themes_kept"] <= min(bigger["themes"], len(themes))
    lost = [] if bigger["lost"] == "-" else bigger["lost"].split("; ")
    assert len(lost) == len(themes) - bigger["default_themes_kept"]
    assert set(lost) <= set(themes["theme_name"])
