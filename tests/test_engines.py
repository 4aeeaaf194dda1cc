"""Where the work runs (`analysis.engines`, and the transformer on it:
`analysis.embedding.engines`): Dask workers give the in-process vectors bit for bit, an engine
starts only when asked for, and it leaves no worker process behind, even when the process that
started it is killed."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from analysis import engines as G
from analysis.config import PROJ_ROOT
from analysis.dataset import load_papers
from analysis.embedding import EmbeddingResult, embed_texts
from analysis.text import paper_texts


def _alive(pids: set[int]) -> list[psutil.Process]:
    """This process' children (at any depth) among `pids`, or that are spawned workers."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.pid in pids or "spawn_main" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            pass  # ended while we looked
    return out


@pytest.fixture(scope="module")
def dask_run() -> tuple[EmbeddingResult, set[int], list[psutil.Process]]:
    """The first 24 papers embedded on a 2-worker LocalCluster; the worker processes' ids; and
    which of them were still alive once the engine was closed."""
    texts = paper_texts(load_papers())[:24]
    engine = G.DaskEngine(workers=2)
    try:
        assert engine.n_workers == 2
        pids = set(engine.client.run(os.getpid).values())
        result = embed_texts(texts, None, progress=False, engine=engine)
    finally:
        engine.close()
    return result, pids, _alive(pids)


@pytest.mark.slow
def test_dask_workers_give_the_in_process_vectors_bit_for_bit(dask_run):
    on_dask, _, _ = dask_run
    texts = paper_texts(load_papers())[:24]
    here = embed_texts(texts, None, progress=False, engine=G.InProcessEngine(workers=1))
    assert here.n_embedded == on_dask.n_embedded == 24
    assert here.vectors.dtype == np.float32 and here.vectors.shape == (24, 384)
    assert np.array_equal(on_dask.vectors, here.vectors)
    assert np.array_equal(on_dask.n_windows, here.n_windows)
    assert (here.n_windows >= 2).all()  # every text is pooled from several windows
    assert on_dask.key == here.key  # the engine is not part of the cache key


@pytest.mark.slow
def test_closing_the_engine_ends_its_workers(dask_run):
    _, pids, left = dask_run
    assert len(pids) == 2 and os.getpid() not in pids  # two processes, neither is this one
    assert left == []


@pytest.mark.slow
def test_an_external_cluster_is_used_and_left_running():
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        engine = G.make_engine("in-process", scheduler=cluster.scheduler_address)
        assert isinstance(engine, G.DaskEngine)
        assert engine.n_workers == 1
        engine.close()
        with Client(cluster.scheduler_address, timeout="10s") as client:
            assert len(client.scheduler_info()["workers"]) == 1  # still there


def test_make_engine_rejects_an_unknown_name():
    with pytest.raises(ValueError, match=r"engine 'gpu': expected one of \('in-process', 'dask'\)"):
        G.make_engine("gpu")
    assert isinstance(G.make_engine("in-process"), G.InProcessEngine)


def test_a_scheduler_address_selects_dask(monkeypatch: pytest.MonkeyPatch):
    made = []

    class FakeDask:
        def __init__(self, workers: int = 0, scheduler: str | None = None) -> None:
            made.append((workers, scheduler))

    monkeypatch.setattr(G, "DaskEngine", FakeDask)
    assert isinstance(G.make_engine("in-process", 3, "tcp://10.0.0.1:8786"), FakeDask)
    assert isinstance(G.make_engine("dask", 2), FakeDask)
    assert made == [(3, "tcp://10.0.0.1:8786"), (2, None)]


def test_an_engine_on_demand_starts_only_when_asked_for(monkeypatch: pytest.MonkeyPatch):
    """A run whose every stage is cached never starts one (and records none); one asked for
    is made once and closed with the block."""
    from analysis.config import ComputeConfig

    made, closed = [], []

    class Fake:
        name = "fake"

        def close(self) -> None:
            closed.append(self)

    monkeypatch.setattr(G, "make_engine", lambda *a: made.append(a) or Fake())
    with G.OnDemand(ComputeConfig("dask", 2)) as lazy:
        assert not lazy.used
    assert made == [] and closed == []
    with G.OnDemand(ComputeConfig("dask", 2)) as lazy:
        first = lazy.get()
        assert lazy.get() is first and lazy.used
    assert made == [("dask", 2, None)] and closed == [first]


def _pid_after_a_pause(_item: int, _shared: np.ndarray) -> int:
    time.sleep(0.5)
    return os.getpid()


@pytest.mark.slow
def test_the_in_process_engine_hands_out_one_item_at_a_time():
    """Each item travels with the shared arguments (a fit's vectors and graph); handed out one
    at a time, a worker holds one copy of them, and even 4 items spread over both workers
    (Dask's default batches of 6 sent all 4 to one, with 4 copies of the arguments)."""
    engine = G.InProcessEngine(workers=2)
    try:
        pids = engine.map(_pid_after_a_pause, range(4), np.zeros(1000)).result()
    finally:
        engine.close()
    assert len(pids) == 4 and os.getpid() not in pids
    assert len(set(pids)) == 2


def test_negative_workers_are_refused():
    with pytest.raises(ValueError, match="workers=-1"):
        G.DaskEngine(workers=-1)


# --- no process outlives the run ------------------------------------------------------------------

#: Seconds the processes of a killed embedding run may outlive it. Dask's workers exit at once
#: when the process holding their cluster dies (in well under a second); were that lost, they
#: would linger about a minute, until their own close timeouts end them.
EXIT_DEADLINE = 10.0

#: A cold embedding of every paper on the engine named by argv[1], started as `python -c`. On
#: Dask it loads the model on both workers, submits the batches, then prints the workers' pids:
#: from that line on the workers are embedding (the whole corpus takes them far longer than the
#: test waits). In-process it embeds a few texts and prints its own child processes.
EMBEDDING_RUN = """
import os, sys
import analysis
import psutil
from analysis.config import EmbedConfig
from analysis.dataset import load_papers
from analysis import engines as G
from analysis.embedding import EmbeddingJob, engines as E
from analysis.text import paper_texts

texts, config = paper_texts(load_papers()), EmbedConfig()
if sys.argv[1] == "dask":
    engine = G.DaskEngine(workers=2)
    pids = engine.client.run(os.getpid)
    loads = [
        engine.client.submit(E.load_on_worker, config, workers=[w], pure=False) for w in pids
    ]
    engine.client.gather(loads)
    job = EmbeddingJob(texts, None, config).submit(engine)
    print(*pids.values(), flush=True)
    job.finish(progress=False)
else:
    EmbeddingJob(texts[:24], None, config).submit(G.InProcessEngine(1)).finish(progress=False)
    print(*(p.pid for p in psutil.Process().children(recursive=True)), flush=True)
"""


def _start_run(engine: str, log: Path) -> subprocess.Popen:
    """`EMBEDDING_RUN` in a session of its own (whose id is its pid), its stderr in `log`."""
    with open(log, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-c", EMBEDDING_RUN, engine],
            cwd=PROJ_ROOT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            start_new_session=True,
        )


def _read_line(proc: subprocess.Popen, timeout: float, log: Path) -> str:
    """The run's first line of output, waiting at most `timeout` seconds for it."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line.endswith("\n"):
        pytest.fail(f"the run printed nothing in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
    return line


def _running(p: psutil.Process) -> bool:
    """Alive and not a zombie (an ended process its new parent has not reaped yet)."""
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _cpu(p: psutil.Process) -> float:
    times = p.cpu_times()
    return times.user + times.system


def _wait_until_busy(workers: list[psutil.Process], timeout: float) -> None:
    """Wait until every worker has computed for a second more (they are embedding)."""
    start = {w.pid: _cpu(w) for w in workers}
    deadline = time.monotonic() + timeout
    while any(_cpu(w) < start[w.pid] + 1 for w in workers):
        if time.monotonic() > deadline:
            pytest.fail(f"the workers did not compute for {timeout:.0f} s")
        time.sleep(0.1)


def _in_session(sid: int) -> list[psutil.Process]:
    """The running processes of session `sid`: the run and everything it started, including
    orphans that were moved to a new parent."""
    out = []
    for p in psutil.process_iter():
        try:
            if p.pid != sid and os.getsid(p.pid) == sid and _running(p):
                out.append(p)
        except (psutil.NoSuchProcess, OSError):
            pass  # ended while we looked
    return out


def _end_session(proc: subprocess.Popen) -> None:
    """Kill whatever is left of the run (its session is its process group too)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="sessions and signals as on Linux")
def test_killing_the_main_process_mid_embedding_ends_every_worker(tmp_path: Path):
    """SIGKILL, which no handler can catch: the workers must notice on their own (the command
    line turns SIGTERM into Ctrl-C, which unwinds through the engine's close)."""
    sig = signal.SIGKILL
    log = tmp_path / "stderr.txt"
    proc = _start_run("dask", log)
    try:
        workers = [psutil.Process(int(pid)) for pid in _read_line(proc, 600, log).split()]
        descendants = psutil.Process(proc.pid).children(recursive=True)
        assert len(workers) == 2
        assert {w.pid for w in workers} <= {d.pid for d in descendants}
        _wait_until_busy(workers, timeout=120)
        os.kill(proc.pid, sig)  # the main process only, not its group
        assert proc.wait(timeout=30) == -sig
        start = time.monotonic()
        left = [d for d in descendants if _running(d)] + _in_session(proc.pid)
        while left and time.monotonic() - start < EXIT_DEADLINE:
            time.sleep(0.1)
            left = [d for d in descendants if _running(d)] + _in_session(proc.pid)
        name = signal.Signals(sig).name
        assert left == [], f"still running {EXIT_DEADLINE:.0f} s after {name} of the run"
    finally:
        _end_session(proc)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="sessions as on Linux")
def test_an_in_process_embedding_starts_no_process(tmp_path: Path):
    """torch and tokenizers compute in threads: a cold in-process embedding (model load and all)
    has no child process, and nothing of its session is left once it ends."""
    log = tmp_path / "stderr.txt"
    proc = _start_run("in-process", log)
    try:
        assert _read_line(proc, 600, log).split() == []  # its children, once it has embedded
        assert proc.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert _in_session(proc.pid) == []
    finally:
        _end_session(proc)
