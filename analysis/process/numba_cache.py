"""Caching umap-learn's and pynndescent's numba kernels on disk: the one workaround kept.

Their jitted functions are not declared `cache=True`, so every new process recompiled them
(about 20 s here). No public option turns that on, so each of their dispatchers gets numba's
public `enable_caching()` as its module is imported: `install` (called once per process, at an
entry point: `analysis.process`) adds an import hook that does it, and imports nothing
itself, so a process that never fits never loads umap-learn. A later process's first UMAP fit
then loads the machine code in under a second, with identical coordinates. The test
`tests/modeling/test_numba_cache.py` fails if this stops writing or reusing the cache.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import sys

from ..config import PROJ_ROOT

__all__ = ["NUMBA_CACHE_DIR", "install"]

#: Where the machine code goes unless NUMBA_CACHE_DIR is set (ignored by git).
NUMBA_CACHE_DIR = PROJ_ROOT / ".cache" / "numba"
#: The packages whose kernels get cached.
PACKAGES = ("umap", "pynndescent")


def _cache_dispatchers(module) -> None:
    from numba.core.registry import CPUDispatcher

    for obj in list(vars(module).values()):
        if isinstance(obj, CPUDispatcher):
            with contextlib.suppress(Exception):  # caching is an optimisation only
                obj.enable_caching()


class _Loader(importlib.abc.Loader):
    """The package module's own loader, then caching for the dispatchers it defined."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        _cache_dispatchers(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] not in PACKAGES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def install() -> None:
    """Cache the kernels of umap-learn and pynndescent, in this process, from now on (modules
    imported already get theirs at once). Idempotent."""
    # Only effective if numba is not imported yet; otherwise numba's default (__pycache__).
    os.environ.setdefault("NUMBA_CACHE_DIR", str(NUMBA_CACHE_DIR))
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
    for name in [m for m in list(sys.modules) if m.split(".")[0] in PACKAGES]:
        _cache_dispatchers(sys.modules[name])
