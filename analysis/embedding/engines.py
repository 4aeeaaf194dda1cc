"""The transformer on the run's engine (`analysis.engines`): in this process, or on Dask workers.

Both compute the batches `Embedder.batches` made, one model call per batch. A batch's vectors
depend only on its members, so both give bit-identical vectors (tested); which to use is a
question of speed and scale only:

- the in-process engine: torch in this process, with the threads torch picks (all usable
  cores; its worker pool is for the clustering's fits, not for torch);
- the Dask engine: each worker verifies and loads the model once (`load_on_worker`, started
  with `warm`), then batches are mapped over the workers and gathered in order.

`submit_batches` returns at once with a `Pending` whose `result` blocks, so a run can load its
clustering code while Dask workers embed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..config import EmbedConfig
from ..engines import Engine
from .encoder import Embedder

__all__ = ["Pending", "encode_on_worker", "load_on_worker", "submit_batches"]


class Pending(Protocol):
    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        """Window vectors in the order the batches list them (blocks until they are done)."""


class _Later:
    """torch in this process, computed when the result is asked for, with its progress bar."""

    def __init__(self, config: EmbedConfig, windows: Sequence[str], batches: Sequence) -> None:
        self._args = (config, list(windows), list(batches))

    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        config, windows, batches = self._args
        return Embedder(config, progress=progress).encode_batches(windows, batches, desc)


class _Mapped:
    """Batches mapped over the engine's workers, their vectors stacked in the batches' order."""

    def __init__(self, pending) -> None:
        self._pending = pending

    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        parts = self._pending.result(progress=progress, desc=desc, unit="batch")
        return np.concatenate(parts) if parts else np.zeros((0, 0))


def submit_batches(
    engine: Engine, config: EmbedConfig, windows: Sequence[str], batches: Sequence[np.ndarray]
) -> Pending:
    """Hand the batches of `windows` to `engine`; returns at once."""
    if engine.name == "in-process":
        return _Later(config, windows, batches)
    engine.warm(functools.partial(load_on_worker, config))
    payloads = [[windows[i] for i in idx] for idx in batches]
    return _Mapped(engine.map(encode_on_worker, payloads, config))


# --- on a Dask worker ----------------------------------------------------------------------------


@functools.cache
def _worker_embedder(config: EmbedConfig, threads: int) -> Embedder:
    """The worker's one Embedder per config: the model is verified and loaded once."""
    import torch

    torch.set_num_threads(threads)
    embedder = Embedder(config, progress=False)
    embedder.model  # noqa: B018 - load it now, not inside the first batch
    return embedder


def _worker_threads() -> int:
    from distributed import get_worker

    try:
        return max(1, int(get_worker().state.nthreads))
    except (ValueError, AttributeError):  # not on a worker (a test calling it directly)
        return 1


def load_on_worker(config: EmbedConfig) -> str:
    """Verify and load the model on this worker (run on every worker before the batches)."""
    _worker_embedder(config, _worker_threads())
    return "ready"


def encode_on_worker(windows: list[str], config: EmbedConfig) -> np.ndarray:
    """One batch's window vectors, computed on a Dask worker."""
    embedder = _worker_embedder(config, _worker_threads())
    return embedder.encode_batches(windows, [np.arange(len(windows))], progress=False)
