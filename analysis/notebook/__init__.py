"""What the notebooks call: one chapter per notebook, each loading the run once and returning
what a cell shows (Markdown worded by `analysis.narrative`, tables a person reads, figures
saved under their stable names). Notebooks import from here and from `analysis` only."""

from .chapter import Chapter
from .corpus import Corpus
from .dumps import Dumps
from .ensure import ensure_run, ensure_sweep
from .explore import Explore
from .layouts import Layouts
from .speedups import Speedups
from .themes import Themes
from .trust import Trust

__all__ = [
    "Chapter",
    "Corpus",
    "Dumps",
    "Explore",
    "Layouts",
    "Speedups",
    "Themes",
    "Trust",
    "ensure_run",
    "ensure_sweep",
]
