"""Process-wide settings, applied once at each entry point and never by a library function:
the command line (`analysis.cli`), the engines' worker processes (`analysis.engines`), the
notebooks (`analysis.notebook`) and the test session.

- `numba_cache`: numba's disk cache for umap-learn's and pynndescent's kernels, in every
  process that may fit;
- `heap`: glibc keeping the transformer's large buffers mapped, in processes that embed a
  corpus (the command line, Dask workers), not in a notebook's long-lived kernel, whose few
  query embeddings do not need it.
"""

from __future__ import annotations

__all__ = ["apply"]


def apply(embeds_corpus: bool) -> None:
    """Set this process up; `embeds_corpus`: it may embed a whole corpus."""
    from .numba_cache import install

    install()
    if embeds_corpus:
        from .heap import keep_large_buffers

        keep_large_buffers()
