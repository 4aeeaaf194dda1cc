"""The cache of what a fit computes from the vectors: the neighbour graph, every seed's fit and
the map, stored by joblib's `Memory` under the output folder and keyed by their inputs.

joblib keys each call by its arguments (the vectors, the graph, the seeds, the settings). What
the arguments do not show, the code and the libraries that compute from them, keys the folder:
`code_key` hashes the sources of the modules that fit and the versions of the libraries they
call, and the portable-numerics environment (`analysis.numerics`); a change to any of them
starts an empty folder, and the folders of other keys are removed. So a rerun on the same
vectors and settings reads its fits back (bit for bit what it would compute), and nothing stale
is ever read.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
from pathlib import Path

from joblib import Memory

from ..numerics import PORTABLE_ENV

__all__ = ["MAX_ITEMS", "code_key", "fit_memory"]

#: Cached calls kept (the most recently used); a run makes three (graph, fits, map).
MAX_ITEMS = 30
#: The modules whose code decides what a cached call returns.
_SOURCES = ("neighbors.py", "reduce.py", "seeded_fits.py")
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "umap-learn", "pynndescent", "hdbscan", "numba")


def code_key() -> str:
    """A hash of the fitting code, the libraries' versions and the numerics environment."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _SOURCES:
        h.update((here / name).read_bytes())
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={importlib.metadata.version(lib)};".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{lib}=none;".encode())
    for var in sorted(PORTABLE_ENV):
        h.update(f"{var}={os.environ.get(var, '')};".encode())
    return h.hexdigest()[:16]


def fit_memory(folder: str | os.PathLike[str] | None) -> Memory:
    """The fits' cache in `folder` (made if missing; None: no caching), for the current
    `code_key`; folders of other keys are removed, and the cache is kept to `MAX_ITEMS`."""
    if folder is None:
        return Memory(None, verbose=0)
    folder = Path(folder)
    key = code_key()
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name != key and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
    memory = Memory(folder / key, verbose=0)
    memory.reduce_size(items_limit=MAX_ITEMS)
    return memory
