"""Where the transformer runs: in this process, or on Dask workers.

Both compute the batches `Embedder.batches` made, one model call per batch. A batch's vectors
depend only on its members, so both give bit-identical vectors (tested); which to use is a
question of speed and scale only:

- `InProcessEngine`: torch in this process, on all its cores;
- `DaskEngine`: Dask distributed. With no scheduler address it starts a `LocalCluster` of one
  single-threaded worker process per usable core; with one (``tcp://HOST:PORT``) it uses that
  cluster, whose workers must have this package installed. Each worker loads and verifies the
  model once; batches are mapped over the workers and gathered in order.

`submit` returns at once with a `Pending` whose `result` blocks, so a run can load its
clustering code while Dask workers embed.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..config import ENGINES, EmbedConfig
from ..progress import progress_bar
from .encoder import Embedder

__all__ = ["ENGINES", "DaskEngine", "Engine", "InProcessEngine", "make_engine", "usable_cores"]

#: Environment of LocalCluster workers: one thread per library (as Dask's default). Dask's
#: default MALLOC_TRIM_THRESHOLD_ is left out: the embedding sets glibc's heap itself
#: (`analysis.embedding.allocator`).
WORKER_ENV = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Pending(Protocol):
    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        """Window vectors in the order the batches list them (blocks until they are done)."""


class Engine(Protocol):
    name: str

    def submit(
        self, config: EmbedConfig, windows: Sequence[str], batches: Sequence[np.ndarray]
    ) -> Pending: ...

    def close(self) -> None: ...


class _Done:
    def __init__(self, vectors: np.ndarray) -> None:
        self._vectors = vectors

    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        return self._vectors


class _Later:
    """The in-process engine computes when the result is asked for, with its progress bar."""

    def __init__(self, config: EmbedConfig, windows: Sequence[str], batches: Sequence) -> None:
        self._args = (config, list(windows), list(batches))

    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        config, windows, batches = self._args
        return Embedder(config, progress=progress).encode_batches(windows, batches, desc)


class InProcessEngine:
    """torch in this process, with the threads torch picks (all usable cores)."""

    name = "in-process"

    def submit(
        self, config: EmbedConfig, windows: Sequence[str], batches: Sequence[np.ndarray]
    ) -> Pending:
        return _Later(config, windows, batches)

    def close(self) -> None:
        pass


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


# --- in this process -----------------------------------------------------------------------------


class _Gather:
    def __init__(self, client, futures: list, sizes: list[int]) -> None:
        self._client, self._futures = client, futures
        self._sizes = {f.key: n for f, n in zip(futures, sizes, strict=True)}

    def result(self, progress: bool = True, desc: str = "Embedding") -> np.ndarray:
        from distributed import as_completed

        total = sum(self._sizes.values())
        with progress_bar(total=total, desc=desc, unit="window", disable=not progress) as bar:
            for fut in as_completed(self._futures):
                bar.update(self._sizes[fut.key])
        parts = self._client.gather(self._futures)  # in submission order
        return np.concatenate(parts) if parts else np.zeros((0, 0))


class DaskEngine:
    """Embedding on Dask workers: a `LocalCluster` here, or an existing cluster's scheduler.

    The cluster starts on construction (its workers then start while this process goes on);
    `close` shuts down a cluster this engine started and leaves an external one running.

    The workers of a `LocalCluster` do not outlive this process, however it ends. Dask gives
    each worker process the read end of a pipe whose only write end this process holds. When
    this process dies, even by SIGKILL, the kernel closes that end, and the worker reads EOF and
    exits at once (Dask's own guard, dask/distributed#1345; well under a second, tested). So no
    `death_timeout`, parent-death signal or watchdog is added here. Without the guard, the
    workers would linger about a minute after losing their scheduler, until Dask's close
    timeouts ended them.
    """

    name = "dask"

    def __init__(self, workers: int = 0, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        if workers < 0:
            raise ValueError(f"workers={workers}: expected 0 (one per core) or more")
        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
        else:
            import dask

            with dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_ENV}):
                self._cluster = LocalCluster(
                    n_workers=workers or usable_cores(),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self.client = Client(self._cluster)
        self._loaded: set[EmbedConfig] = set()
        self._warming: list = []

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def warm(self, config: EmbedConfig) -> None:
        """Have every worker verify and load the model now, without waiting for it."""
        if config not in self._loaded:
            # one task per worker; a failure here is raised again by the first batch
            # kept: a future nobody holds may be cancelled before it runs
            self._warming += [
                self.client.submit(
                    load_on_worker,
                    config,
                    workers=[address],
                    allow_other_workers=False,
                    pure=False,
                )
                for address in self.client.scheduler_info(n_workers=-1)["workers"]
            ]
            self._loaded.add(config)

    def submit(
        self, config: EmbedConfig, windows: Sequence[str], batches: Sequence[np.ndarray]
    ) -> Pending:
        self.warm(config)
        payloads = [[windows[i] for i in idx] for idx in batches]
        futures = self.client.map(encode_on_worker, payloads, config=config, pure=False)
        return _Gather(self.client, futures, [len(p) for p in payloads])

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str, workers: int = 0, scheduler: str | None = None) -> Engine:
    """The engine called `name` (one of `ENGINES`); a scheduler address implies "dask"."""
    if scheduler or name == "dask":
        return DaskEngine(workers, scheduler)
    if name == "in-process":
        return InProcessEngine()
    raise ValueError(f"engine {name!r}: expected one of {ENGINES}")
