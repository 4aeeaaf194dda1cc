"""The charts (`analysis.plots.charts`): no text on a bar, the overlap heatmap's colours span
the overlaps (not the dumps' own sizes), theme similarity as a dendrogram over an unannotated
matrix, and every figure titled with its axes labelled."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import QuadMesh

from analysis import plots
from analysis.analyses.explore import dump_overlap_matrix
from analysis.config import OUTLIER_NAME
from analysis.plots.style import OUTLIER_COLOR, theme_colors

from ..analyses.speedup_claims import claims_frame
from .helpers import corpus


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def occurrences() -> pd.DataFrame:
    """Four dumps of 30-50 papers that share a few."""
    rng = np.random.default_rng(0)
    rows = []
    for d, n in enumerate([40, 50, 30, 45]):
        for p in rng.choice(120, size=n, replace=False):
            rows.append({"paper_id": f"p{p}", "dump": f"00{d}_abc", "page_date": f"Mar {d + 1}"})
    return pd.DataFrame(rows)


def test_overlap_colours_span_the_off_diagonal():
    occ = occurrences()
    m = dump_overlap_matrix(occ).to_numpy()
    off = m[~np.eye(len(m), dtype=bool)]
    fig = plots.dump_overlap(occ)
    ax = fig.axes[0]
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert mesh.norm.vmax == off.max() < np.diag(m).min()
    values = np.ma.masked_invalid(mesh.get_array()).reshape(m.shape)
    assert values.mask[np.eye(len(m), dtype=bool)].all()  # the diagonal is not drawn
    assert not values.mask[~np.eye(len(m), dtype=bool)].any()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert all(t.endswith(f"({n})") for t, n in zip(ticks, np.diag(m), strict=True))
    assert len(ax.texts) == off.size  # every overlap, and only overlaps, written in its cell


def test_theme_sizes_text_never_meets_a_bar():
    """The longest theme name and every count stay off the bars; each theme's bar is in its
    colour, its misfits a lighter part of the same bar; the outliers come last, apart."""
    _, themes = corpus()
    themes = themes.assign(
        theme_name=themes["theme_name"].where(
            themes["theme_id"] != 0, "A theme with a very long name " * 3
        )
    )
    fig = plots.theme_sizes(themes, 25)
    fig.canvas.draw()
    ax = fig.axes[0]
    bars = [p.get_window_extent() for p in ax.patches]
    texts = [t.get_window_extent() for t in ax.texts]
    frame = ax.get_window_extent()
    assert len(bars) == 2 * len(themes) + 1  # fitting part, misfit part, the outliers
    for t in texts:
        assert not any(t.overlaps(b) for b in bars)
        assert frame.x0 <= t.x0 and t.x1 <= frame.x1
    for a, b in itertools.combinations(texts, 2):
        assert not a.overlaps(b)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:-1] == themes.sort_values("size", ascending=False)["theme_name"].tolist()
    assert labels[-1].startswith(OUTLIER_NAME)
    assert ax.get_yticks()[-1] - ax.get_yticks()[-2] > 1  # a gap before the outliers
    colors = {**theme_colors(themes), labels[-1]: OUTLIER_COLOR}
    at = dict(zip(np.round(ax.get_yticks(), 1), labels, strict=True))
    for bar in ax.patches:  # each bar in its theme's colour, on its theme's row
        name = at[round(bar.get_y() + bar.get_height() / 2, 1)]
        assert np.allclose(bar.get_facecolor()[:3], plt.matplotlib.colors.to_rgb(colors[name]))
    texts = [t.get_text() for t in ax.texts]
    assert f"{themes['size'][0]} ({themes['misfits'][0]} misfits)" in texts


def grouped_similarity() -> tuple[pd.DataFrame, list[set[str]]]:
    """Six themes in two clear groups of three (close within, far across)."""
    rng = np.random.default_rng(0)
    base = rng.normal(size=(2, 16))
    names = ["Alpha", "Delta", "Beta", "Echo", "Gamma", "Foxtrot"]
    group = [0, 1, 0, 1, 0, 1]
    c = np.array([base[g] + 0.15 * rng.normal(size=16) for g in group])
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    groups = [{n for n, g in zip(names, group, strict=True) if g == k} for k in (0, 1)]
    return pd.DataFrame(c @ c.T, index=names, columns=names), groups


def test_similarity_dendrogram_groups_themes_without_cell_numbers():
    sim, groups = grouped_similarity()
    themes = pd.DataFrame({"theme_id": range(6), "theme_name": sim.index})
    fig = plots.similarity_dendrogram(sim, themes)
    fig.canvas.draw()
    leaves = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() if t.get_text()]
    leaves = [t for t in leaves if t in sim.index]
    assert sorted(leaves) == sorted(sim.index)  # every theme named once
    assert {*leaves[:3]} in groups and {*leaves[3:]} in groups  # groups are contiguous
    assert not any(ax.texts for ax in fig.axes)  # no per-cell numbers
    (mesh,) = [
        c
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, QuadMesh) and c.get_array().size == 36
    ]
    off = sim.to_numpy()[~np.eye(6, dtype=bool)]
    assert mesh.norm.vmax == pytest.approx(off.max()) and off.max() < 1.0
    assert mesh.norm.vmin == pytest.approx(off.min())


def test_heatmap_cells_annotated_unless_asked_not_to():
    table = pd.DataFrame(np.arange(6.0).reshape(2, 3), index=["a", "b"], columns=["x", "y", "z"])
    assert len(plots.heatmap(table, "t", "x", "y").axes[0].texts) == 6
    assert len(plots.heatmap(table, "t", "x", "y", annot=False).axes[0].texts) == 0


def every_figure() -> dict[str, plt.Figure]:
    papers, themes = corpus()
    sim, _ = grouped_similarity()
    rng = np.random.default_rng(0)
    claims = claims_frame(
        [
            {"paper_id": "a", "family": "caching", "factor": 2.0},
            {"paper_id": "b", "family": "other speed-ups", "factor": 3.5},
            {"paper_id": "c", "family": "caching", "factor": 1.5},
        ]
    )
    sweep = pd.DataFrame(
        {
            "outliers": rng.uniform(0, 0.3, 8),
            "stability_ari": rng.uniform(0.5, 1, 8),
            "themes": rng.integers(5, 20, 8),
            "is_default": [True] + [False] * 7,
        }
    )
    table = pd.DataFrame({"model": [3, 1], "data": [0, 2]}, index=["A", "B"])
    return {
        "theme_map": plots.theme_map(papers, themes),
        "theme_sizes": plots.theme_sizes(themes, 25),
        "dump_overlap": plots.dump_overlap(occurrences()),
        "heatmap": plots.heatmap(table, "t", "x", "y", cbar_label="v"),
        "similarity_dendrogram": plots.similarity_dendrogram(sim),
        "histogram": plots.histogram(rng.normal(size=50), "t", "x", "y"),
        "speedup_factors": plots.speedup_factors(claims),
        "stacked_bars": plots.stacked_bars(table, "t", "x", "y"),
        "sweep_scatter": plots.sweep_scatter(sweep),
        "truncation_effect": plots.truncation_effect(
            rng.integers(200, 400, 50), rng.uniform(size=50), 256
        ),
    }


def test_every_figure_has_a_title_and_labelled_axes():
    """A title on the figure, and on every axes a label for each axis that shows tick labels."""
    for name, fig in every_figure().items():
        fig.canvas.draw()
        assert any(ax.get_title() for ax in fig.axes) or fig.get_suptitle(), name
        for ax in fig.axes:
            for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
                shown = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
                if shown and axis.get_visible():
                    assert label, f"{name}: an axis with tick labels but no axis label"


DENDROGRAM_ALONE = """
import numpy as np, pandas as pd, sys
import analysis
from analysis.plots import similarity_dendrogram
names = ["a", "b", "c"]
sim = pd.DataFrame(np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1.]]), index=names, columns=names)
similarity_dendrogram(sim)
print("seaborn" in sys.modules)
"""


def test_the_dendrogram_draws_in_a_process_that_imported_nothing_else():
    """Its colour map is seaborn's: it must not rely on another figure having imported it."""
    from ..conftest import run_python

    res = run_python("-c", DENDROGRAM_ALONE)
    assert res.returncode == 0, res.stderr
