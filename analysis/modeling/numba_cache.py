"""Caching umap-learn's and pynndescent's numba kernels on disk: the one workaround kept.

Their jitted functions are not declared `cache=True`, so every new process recompiled them
(about 20 s here). No public option turns that on, so each of their dispatchers gets numba's
public `enable_caching()` before its first call; a later process's first UMAP fit then loads
the machine code in under a second, with identical coordinates. The test
`tests/modeling/test_numba_cache.py` fails if this stops writing or reusing the cache.
"""

from __future__ import annotations

import contextlib
import os
import sys

from ..config import PROJ_ROOT

__all__ = ["NUMBA_CACHE_DIR", "enable_numba_cache"]

#: Where the machine code goes unless NUMBA_CACHE_DIR is set (ignored by git).
NUMBA_CACHE_DIR = PROJ_ROOT / ".cache" / "numba"

_DONE = False


def enable_numba_cache() -> None:
    """Turn on disk caching for every umap / pynndescent dispatcher (once per process)."""
    global _DONE
    if _DONE:
        return
    # Only effective if numba is not imported yet; otherwise numba's default (__pycache__).
    os.environ.setdefault("NUMBA_CACHE_DIR", str(NUMBA_CACHE_DIR))
    import pynndescent  # noqa: F401 - its modules must be loaded to be patched
    import umap  # noqa: F401
    from numba.core.registry import CPUDispatcher

    for name in [m for m in list(sys.modules) if m.split(".")[0] in ("umap", "pynndescent")]:
        for obj in list(vars(sys.modules[name]).values()):
            if isinstance(obj, CPUDispatcher):
                with contextlib.suppress(Exception):  # caching is an optimisation only
                    obj.enable_caching()
    _DONE = True
