"""The cold run's embedding workers, their memory accounting, and the CLI's fast exit.

Workers are forks, so a monkeypatched `Embedder` is what the real worker code runs: these
tests check the sharing and plumbing (every batch once, errors, death, interruption) without
a model. That the workers' vectors and themes equal in-process ones is checked bit for bit on
real runs in test_pipeline, and batch-for-batch in test_embed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analysis import embed as E
from analysis.config import EmbedConfig
from analysis.pipeline import StageTimer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork worker")


# A plan of 3 texts in 4 windows (text 0 has two).
PLAN = E.WindowPlan(
    windows=[],
    owner=np.array([0, 0, 1, 2]),
    weight=np.array([3, 1, 5, 2]),
    lengths=np.array([3, 1, 5, 2]),
    n_tokens=np.array([4, 5, 2]),
    n_texts=3,
)
TEXTS = ["text a", "text b", "text c"]


def _window_vecs(rows) -> np.ndarray:
    """A distinct vector per window, whichever process computes it."""
    return np.stack([np.arange(4, dtype=np.float32) + 10 * r for r in rows])


class FakeEmbedder:
    """Stands in for the model inside the real worker processes: one window per text, one
    batch per window; `BEHAVIOUR` says what a worker does on a batch."""

    BEHAVIOUR = "ok"

    def __init__(self, config, progress=False):
        if self.BEHAVIOUR == "model-error":
            raise E.ModelError("model 'x' is neither a local folder nor in the local cache")

    def plan(self, texts):
        n = len(texts)
        one = np.ones(n, dtype=np.int64)
        return E.WindowPlan(list(texts), np.arange(n), one, one, one, n)

    def batches(self, plan):
        return [np.array([i]) for i in range(len(plan.windows))]

    def encode_batches(self, windows, batches, desc=""):
        import multiprocessing as mp

        follower = mp.current_process().name != "analysis-embed-0"
        with open(os.environ["WORKER_LOG"], "a") as f:
            f.write(f"{os.getpid()} {follower} {batches[0][0]}\n")
        if follower and self.BEHAVIOUR == "follower-raises":
            raise RuntimeError("disk full")
        if follower and self.BEHAVIOUR == "follower-dies":
            os._exit(7)  # e.g. the OOM killer
        if self.BEHAVIOUR == "slow":
            for _ in range(1200):  # busy for 2 min, back in Python often, as between batches
                time.sleep(0.1)
        time.sleep(0.02)  # long enough for both workers to take some batches
        return _window_vecs([b[0] for b in batches])


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORKER_LOG", str(tmp_path / "log"))
    monkeypatch.setattr(E, "Embedder", FakeEmbedder)
    monkeypatch.setattr(FakeEmbedder, "BEHAVIOUR", "ok")
    return tmp_path / "log"


def test_workers_share_the_batches_and_pool_in_the_parent(fake: Path):
    texts = [f"text {i}" for i in range(40)]
    enc = E.ShardedEncoder([texts, []], EmbedConfig(), workers=2, progress=False)
    assert enc.encode_seconds is None
    papers, empty = enc.wait()
    assert enc.encode_seconds is not None and enc.encode_seconds > 0
    vecs, nwin, ntok = papers(["text 7", "text 0"])  # any subset, any order
    want = _window_vecs([7, 0])
    np.testing.assert_allclose(vecs, want / np.linalg.norm(want, axis=1, keepdims=True))
    assert nwin.tolist() == [1, 1] and ntok.tolist() == [1, 1]
    assert [len(a) for a in empty([])] == [0, 0, 0]  # a job with nothing left to embed
    log = [line.split() for line in fake.read_text().splitlines()]
    assert sorted(int(b) for _, _, b in log) == list(range(40))  # every batch exactly once
    pids = {pid for pid, _, _ in log}
    assert len(pids) == 2 and str(os.getpid()) not in pids  # two workers, neither is us
    assert {f for _, f, _ in log} == {"True", "False"}


def test_window_plan_pools_in_any_row_order():
    rows = np.arange(4)
    ref = PLAN.pool(rows, _window_vecs(rows))
    perm = np.array([3, 1, 0, 2])
    np.testing.assert_array_equal(PLAN.pool(perm, _window_vecs(perm)), ref)
    assert np.allclose(np.linalg.norm(ref, axis=1), 1)
    for bad in (np.array([0, 1, 2]), np.array([0, 1, 1, 3])):  # a window lost or doubled
        with pytest.raises(ValueError, match="exactly one vector"):
            PLAN.pool(bad, _window_vecs(bad))


def test_model_error_stays_a_model_error(fake: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(FakeEmbedder, "BEHAVIOUR", "model-error")
    with pytest.raises(E.ModelError, match="neither a local folder"):
        E.ShardedEncoder([TEXTS], EmbedConfig(), workers=2).wait()


def test_a_failing_worker_is_reported(fake: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(FakeEmbedder, "BEHAVIOUR", "follower-raises")
    with pytest.raises(E.EmbeddingWorkerError, match="RuntimeError: disk full"):
        E.ShardedEncoder([TEXTS * 10], EmbedConfig(), workers=2).wait()


def test_a_dying_worker_is_reported(fake: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(FakeEmbedder, "BEHAVIOUR", "follower-dies")
    with pytest.raises(E.EmbeddingWorkerError, match="died with exit code 7"):
        E.ShardedEncoder([TEXTS * 10], EmbedConfig(), workers=2).wait()


def test_stop_interrupts_busy_workers(fake: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(FakeEmbedder, "BEHAVIOUR", "slow")
    # whatever SIGINT handler the forking process has (here: ignored, as an event loop or a
    # kernel may leave it), the workers must still unwind on stop()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        enc = E.ShardedEncoder([TEXTS], EmbedConfig(), workers=2)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        not fake.exists() or len(fake.read_text().splitlines()) < 2
    ):
        time.sleep(0.05)  # until both workers are busy
    pids = [int(line.split()[0]) for line in fake.read_text().splitlines()]
    t = time.monotonic()
    enc.stop()
    assert time.monotonic() - t < 10  # ended by SIGINT, not by the 10 s SIGTERM fallback
    assert enc._process.exitcode == 1  # it unwound (KeyboardInterrupt) rather than being killed
    time.sleep(0.5)
    for pid in pids:  # and the worker it forked is gone with it
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_negative_workers_are_refused():
    with pytest.raises(ValueError, match="workers=-1"):
        E.ShardedEncoder([TEXTS], EmbedConfig(), workers=-1)


def test_workers_are_not_forked_once_torch_is_loaded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "torch", object())
    assert not E.worker_supported()
    monkeypatch.delitem(sys.modules, "torch")
    assert E.worker_supported() == (sys.platform == "linux")


def test_uncached_texts_needs_no_model(tmp_path: Path):
    cache = tmp_path / "e.npz"
    texts = ["first text", "second text"]
    assert E.uncached_texts(texts, cache) == texts
    key = E.cache_key(E.resolve_model(None), EmbedConfig())
    vec = np.ones((1, 4), np.float32) / 2
    E.EmbeddingCache(cache).write(
        key, "m", [E.sha256_text(texts[0])], vec, np.array([1]), np.array([2])
    )
    assert E.uncached_texts(texts, cache) == ["second text"]
    assert E.uncached_texts(texts, cache, force=True) == texts
    assert E.uncached_texts(texts, cache, EmbedConfig(window_tokens=100)) == texts  # other key
    # and it never loads torch: workers are forked only from a process without it
    code = (
        "import sys; from analysis.embed import uncached_texts; "
        "uncached_texts(['a text'], None); print('torch' in sys.modules)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.stdout.strip() == "False", res.stderr


def test_stage_timer_counts_a_watched_process(tmp_path: Path):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = bytearray(300 << 20); time.sleep(30)"]
    )
    try:
        time.sleep(1.0)  # let it allocate and touch its 300 MB
        timer = StageTimer()
        with timer.stage("alone"):
            time.sleep(0.1)
        with timer.stage("watched"), timer.watching([child.pid]):
            time.sleep(0.1)
        with timer.stage("none"), timer.watching([]):
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()
    assert timer.peak_mb["watched"] >= timer.peak_mb["alone"] + 290
    assert timer.peak_mb["none"] < timer.peak_mb["alone"] + 100
    assert timer.pids == []


def test_exit_now_runs_atexit_flushes_and_keeps_the_status():
    code = (
        "import atexit, sys\n"
        "from analysis.__main__ import exit_now\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "print('unflushed', end='')\n"
        "sys.stderr.write('err')\n"
        "exit_now(3)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 3
    assert res.stdout == "unflushedatexit ran\n"
    assert res.stderr == "err"
