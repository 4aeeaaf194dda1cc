"""What the notebooks call: one chapter per notebook, each loading the run once and returning
what a cell shows (Markdown worded by `analysis.narrative`, tables a person reads, figures
saved under their stable names). Notebooks import from here and from `analysis` only.

Importing it is the notebooks' entry point: the process-wide settings are applied here."""

from ..process import apply as _apply

_apply(embeds_corpus=False)

from .chapter import Chapter  # noqa: E402
from .corpus import Corpus  # noqa: E402
from .dumps import Dumps  # noqa: E402
from .ensure import ensure_run, ensure_sweep  # noqa: E402
from .explore import Explore  # noqa: E402
from .layouts import Layouts  # noqa: E402
from .speedups import Speedups  # noqa: E402
from .themes import Themes  # noqa: E402
from .trust import Trust  # noqa: E402

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
