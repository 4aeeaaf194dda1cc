"""Where a run's heavy work runs: on this machine's cores, or on Dask workers.

An engine maps a function over items (`map`), every call given the same shared arguments, and
hands back a `Pending` whose `result` is the list of results in the items' order. A result
depends only on its item and the shared arguments, never on the process that computes it, so
every engine gives the same results bit for bit (tested); which to use is a question of speed
and scale only.

- `InProcessEngine` ("in-process", the default): this machine. `map` runs on a pool of
  `workers` spawned processes (one per usable core; 1 = in this process), scheduled by Dask's
  local multiprocessing scheduler: UMAP's layout holds Python's lock, so threads would not run
  side by side. The embedding runs torch in this process instead, on all its cores
  (`analysis.embedding.engines`).
- `DaskEngine` ("dask"): Dask distributed. With no scheduler address it starts a
  `LocalCluster` of one single-threaded worker process per usable core; with one
  (``tcp://HOST:PORT``) it uses that cluster, whose workers must have this package installed.
  Shared arguments are scattered to every worker once.

Engines start their workers on construction and `warm` has them load code while this process
goes on, so a run can start them before it needs them. `OnDemand` starts one only when a stage
asks for it: a run whose embeddings are cached and whose engine is never needed records none.
An engine that cannot start (scheduler unreachable within `CONNECT_TIMEOUT`, no workers) is one
`EngineError` line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, Protocol

from .config import ENGINES, usable_cores
from .progress import progress_bar

__all__ = [
    "CONNECT_TIMEOUT",
    "ENGINES",
    "DaskEngine",
    "Engine",
    "EngineError",
    "InProcessEngine",
    "OnDemand",
    "Pending",
    "check_reachable",
    "make_engine",
    "usable_cores",
]

#: Environment of worker processes: one thread per library (as Dask's default). Dask's default
#: MALLOC_TRIM_THRESHOLD_ is left out: the embedding sets glibc's heap itself
#: (`analysis.process.heap`, at worker setup).
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
#: Seconds to wait for an external Dask scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 10


class EngineError(RuntimeError):
    """The engine cannot start (scheduler unreachable, no workers); its message is one line."""


class Pending(Protocol):
    def result(self, progress: bool = False, desc: str = "", unit: str = "it") -> list:
        """The results in the items' order (blocks until they are done)."""


class Engine(Protocol):
    name: str

    def map(self, func: Callable[..., Any], items: Sequence[Any], *shared: Any) -> Pending: ...

    def warm(self, func: Callable[[], Any]) -> None: ...

    def close(self) -> None: ...


# --- this machine ---------------------------------------------------------------------------


def _init_worker() -> None:
    """A pool process (an entry point: it fits) takes one thread per library, as a Dask worker
    does, and the process-wide settings."""
    os.environ.update(WORKER_ENV)
    from .process import apply

    apply(embeds_corpus=False)


def _worker_settings() -> Any:
    """A Dask worker plugin: every worker, of a LocalCluster or an external cluster, takes the
    process-wide settings as it joins (it embeds and fits)."""
    from distributed import WorkerPlugin

    class ProcessSettings(WorkerPlugin):
        name = "analysis-process-settings"

        def setup(self, worker: Any) -> None:
            from analysis.process import apply

            apply(embeds_corpus=True)

    return ProcessSettings()


class _Local:
    """`map` on this machine: computed when the result is asked for, with its progress bar."""

    def __init__(self, engine: InProcessEngine, func: Callable, items: Sequence, shared: tuple):
        self._engine, self._args = engine, (func, list(items), shared)

    def result(self, progress: bool = False, desc: str = "", unit: str = "it") -> list:
        func, items, shared = self._args
        with progress_bar(total=len(items), desc=desc, unit=unit, disable=not progress) as bar:
            pool = self._engine.pool() if len(items) > 1 else None
            if pool is None:
                out = []
                for item in items:
                    out.append(func(item, *shared))
                    bar.update()
                return out
            import dask
            from dask.callbacks import Callback
            from dask.utils import funcname

            tasks = [dask.delayed(func, pure=False)(item, *shared) for item in items]
            mine = f"{funcname(func)}-"

            def done(key: Any, *_: Any) -> None:
                if isinstance(key, str) and key.startswith(mine):  # an item's, not an argument's
                    bar.update()

            with Callback(posttask=done):
                # one task at a time per worker: each task carries the shared arguments, so
                # Dask's default batches (6 per worker) would hold 12 copies of them at once
                return list(dask.compute(*tasks, scheduler="processes", pool=pool, chunksize=1))


class InProcessEngine:
    """This machine: `map` on `workers` spawned processes (0: one per usable core)."""

    name = "in-process"

    def __init__(self, workers: int = 0) -> None:
        if workers < 0:
            raise ValueError(f"workers={workers}: expected 0 (one per core) or more")
        self.workers = workers or usable_cores()
        self._pool: Executor | None = None

    def pool(self) -> Executor | None:
        """The worker processes (started on first use); None when there is one worker."""
        if self.workers <= 1:
            return None
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
            )
        return self._pool

    def map(self, func: Callable[..., Any], items: Sequence[Any], *shared: Any) -> Pending:
        return _Local(self, func, items, shared)

    def warm(self, func: Callable[[], Any]) -> None:
        """Start the worker processes and have each run `func` (imports), without waiting."""
        pool = self.pool()
        if pool is not None:
            for _ in range(self.workers):
                pool.submit(func)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# --- Dask distributed -----------------------------------------------------------------------


class _Gather:
    def __init__(self, client: Any, futures: list) -> None:
        self._client, self._futures = client, futures

    def result(self, progress: bool = False, desc: str = "", unit: str = "it") -> list:
        from distributed import as_completed

        total = len(self._futures)
        with progress_bar(total=total, desc=desc, unit=unit, disable=not progress) as bar:
            for _ in as_completed(self._futures):
                bar.update()
        return self._client.gather(self._futures)  # in submission order


class DaskEngine:
    """Dask workers: a `LocalCluster` here, or an existing cluster's scheduler.

    The cluster starts on construction (its workers then start while this process goes on);
    `close` shuts down a cluster this engine started and leaves an external one running.

    The workers of a `LocalCluster` do not outlive this process, however it ends. Dask gives
    each worker process the read end of a pipe whose only write end this process holds. When
    this process dies, even by SIGKILL, the kernel closes that end, and the worker reads EOF and
    exits at once (Dask's own guard, dask/distributed#1345; well under a second, tested). So no
    `death_timeout`, parent-death signal or watchdog is added here.
    """

    name = "dask"

    def __init__(self, workers: int = 0, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        if workers < 0:
            raise ValueError(f"workers={workers}: expected 0 (one per core) or more")
        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            self.client = _connect(scheduler)
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
        self.client.register_plugin(_worker_settings())
        self._warming: list = []

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def workers(self) -> list[str]:
        return list(self.client.scheduler_info(n_workers=-1)["workers"])

    def map(self, func: Callable[..., Any], items: Sequence[Any], *shared: Any) -> Pending:
        scattered = [self.client.scatter(s, broadcast=True) for s in shared]
        futures = [self.client.submit(func, item, *scattered, pure=False) for item in items]
        return _Gather(self.client, futures)

    def warm(self, func: Callable[[], Any]) -> None:
        """Have every worker run `func` now (load code), without waiting for it."""
        # kept: a future nobody holds may be cancelled before it runs
        self._warming += [
            self.client.submit(func, workers=[w], allow_other_workers=False, pure=False)
            for w in self.workers()
        ]

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Open one TCP connection to a scheduler's address (checked by the config), before any
    work: an `EngineError` line when nothing answers within `timeout` seconds."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(address)
    try:
        socket.create_connection((where.hostname, where.port), timeout=timeout).close()
    except OSError as e:
        raise EngineError(
            f"Dask scheduler {address} cannot be reached within {timeout:g} s "
            f"({e.strerror or type(e).__name__}); is it running, and is the address right?"
        ) from None


def _connect(scheduler: str):  # -> distributed.Client
    """A client of the scheduler at `scheduler`, or an `EngineError` line within about
    `CONNECT_TIMEOUT` seconds. Dask bounds the connection by its timeout but not the
    handshake after it (a server that accepts and stays silent holds it for ever), so the
    client is made in a thread of its own that is given up on at the deadline."""
    import threading

    from distributed import Client

    made: dict = {}

    def connect() -> None:
        try:
            made["client"] = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
        except BaseException as e:  # reported below, in the caller's thread
            made["error"] = e

    worker = threading.Thread(target=connect, name="dask-connect", daemon=True)
    worker.start()
    worker.join(CONNECT_TIMEOUT + 2)
    if "client" in made:
        return made["client"]
    e = made.get("error")
    if e is None:
        raise EngineError(
            f"Dask scheduler {scheduler} did not answer within {CONNECT_TIMEOUT} s; is a Dask "
            "scheduler listening there?"
        )
    if isinstance(e, (OSError, TimeoutError)) and "Timed out" in str(e):
        raise EngineError(
            f"Dask scheduler {scheduler} cannot be reached within {CONNECT_TIMEOUT} s; is it "
            "running, and is the address right?"
        )
    raise EngineError(
        f"Dask scheduler {scheduler} answered, but not as a Dask scheduler does "
        f"({type(e).__name__}); is the address right?"
    )


class OnDemand:
    """The run's engine, started the first time a stage maps or warms on it (or asks for it:
    `get`) and closed when the block ends; `used` says whether it ever started (only then is
    it recorded with the run). A stage whose work is cached never starts it."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._engine: Engine | None = None
        self._started = False

    @property
    def name(self) -> str:
        """The engine's name, known without starting it."""
        c = self._compute
        return "dask" if c.scheduler or c.engine == "dask" else c.engine

    @property
    def used(self) -> bool:
        return self._started

    def map(self, func: Callable[..., Any], items: Sequence[Any], *shared: Any) -> Pending:
        return self.get().map(func, items, *shared)

    def warm(self, func: Callable[[], Any]) -> None:
        self.get().warm(func)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def get(self) -> Engine:
        if self._engine is None:
            c = self._compute
            self._engine = make_engine(c.engine, c.workers, c.scheduler)
            self._started = True
        return self._engine

    def __enter__(self) -> OnDemand:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def make_engine(name: str, workers: int = 0, scheduler: str | None = None) -> Engine:
    """The engine called `name` (one of `ENGINES`); a scheduler address implies "dask"."""
    if scheduler or name == "dask":
        return DaskEngine(workers, scheduler)
    if name == "in-process":
        return InProcessEngine(workers)
    raise ValueError(f"engine {name!r}: expected one of {ENGINES}")
