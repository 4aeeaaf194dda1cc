"""The figures a run makes, drawn into its set (`analysis.run_sets`), and published from there to
the figures folder the README and notebooks link to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["publish_figures", "write_run_figures"]


def write_run_figures(
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    figures_dir: Path,
    occurrences: pd.DataFrame | None = None,
) -> list[Path]:
    """The figures `python -m analysis run` makes: theme map, sizes, interactive map, and with
    `occurrences` (their ranks give the best listing rank) the reading lists."""
    import matplotlib.pyplot as plt

    from .plots import save, theme_map, theme_sizes, write_interactive_map

    fig = theme_map(papers, themes)
    out = save(fig, figures_dir, "theme_map", svg=True)
    plt.close(fig)
    fig = theme_sizes(themes, int((papers["theme_id"] < 0).sum()))
    out += save(fig, figures_dir, "theme_sizes")
    plt.close(fig)
    out.append(write_interactive_map(papers, themes, Path(figures_dir) / "paper_map.html"))
    if occurrences is not None:
        from .analyses.reading_lists import reading_list, write_reading_list

        out += write_reading_list(reading_list(papers, themes, occurrences), figures_dir, themes)
    return out


def publish_figures(source: Path, figures_dir: Path) -> list[Path]:
    """Copy the set's figures that differ to `figures_dir` (the set is the record; this folder
    is what the README and notebooks link to). Every copy is made in a staging folder first,
    where a full device stops it before any figure is replaced; then each is renamed into
    place. A run killed among the renames is finished by the next run's publish."""
    import os
    import shutil

    from .run_sets import remove_stale_staging, staging

    figures_dir = Path(figures_dir)
    changed = []
    for p in sorted(Path(source).iterdir()) if Path(source).is_dir() else []:
        target = figures_dir / p.name
        if not (target.is_file() and target.read_bytes() == p.read_bytes()):
            changed.append(p)
    if not changed:
        return []
    remove_stale_staging(figures_dir)
    with staging(figures_dir) as folder:
        for p in changed:
            shutil.copyfile(p, folder / p.name)
        for p in changed:
            os.replace(folder / p.name, figures_dir / p.name)
        os.rmdir(folder)
    return [figures_dir / p.name for p in changed]
