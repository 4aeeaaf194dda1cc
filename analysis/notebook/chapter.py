"""What every notebook starts with: display options, and the run's papers and themes (made
first, silently, when the output folder holds none: `analysis.notebook.ensure`)."""

from __future__ import annotations

import pandas as pd

from ..config import DEFAULT, Config
from .ensure import ensure_run

__all__ = ["Chapter"]


class Chapter:
    """A notebook's data, loaded once; its methods return what a cell shows."""

    def __init__(self, config: Config = DEFAULT) -> None:
        pd.set_option("display.max_colwidth", None)  # text is never cut
        pd.set_option("display.max_rows", 500)
        self.config = config
        self.run = ensure_run(config)  # one set: a run finishing meanwhile changes nothing here
        self.papers, self.themes = self.run.papers, self.run.themes
        self.figures = config.figures_dir

    def occurrences(self) -> pd.DataFrame:
        return self.run.occurrences

    def dump_labels(self) -> dict[str, str]:
        """Each dump's one label everywhere: its file number and page date ("000 · Jul 11")."""
        from ..analyses.explore import dump_label

        occ = self.occurrences()
        dates = occ.groupby("dump")["page_date"].first()
        return {d: dump_label(d, dates[d]) for d in dates.index}
