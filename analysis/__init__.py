"""Exploratory analysis of a trending-papers corpus.

Load the dumps (`load_papers`), embed every abstract in full, cluster into named themes and
draw the figures; `python -m analysis run` does it all and writes `data/processed/`.
"""

# Before anything imports numpy: its CPU dispatch (and numba's, OpenBLAS') is read at import.
from .numerics import apply_portable_env, warn_if_not_portable

apply_portable_env()

from .config import DEFAULT, PROJ_ROOT, Config  # noqa: E402
from .dataset import (  # noqa: E402
    CorpusFormatError,
    DumpFormatError,
    DumpWarning,
    load_entries,
    load_occurrences,
    load_papers,
    read_dump,
    write_dump,
)
from .queries import assign, search, similar  # noqa: E402

warn_if_not_portable()

__all__ = [
    "DEFAULT",
    "PROJ_ROOT",
    "Config",
    "CorpusFormatError",
    "DumpFormatError",
    "DumpWarning",
    "assign",
    "load_entries",
    "load_occurrences",
    "load_papers",
    "read_dump",
    "search",
    "similar",
    "write_dump",
]
__version__ = "0.1.0"
