"""The cold run's embedding worker, its memory accounting, and the CLI's fast exit.

The worker is a fork, so a monkeypatched `embed_texts` is what the worker runs: these tests
check the plumbing (counts, errors, death, interruption) without loading a model. That the
worker's vectors and themes equal in-process ones is checked on real runs in test_pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analysis import embed as E
from analysis.config import EmbedConfig
from analysis.pipeline import StageTimer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork worker")


@dataclass
class _Result:
    n_embedded: int


def _jobs(tmp_path: Path) -> list[E.EmbedJob]:
    return [
        (["a", "b", "c"], tmp_path / "one.npz", False),
        (["d", "e"], tmp_path / "two.npz", False),
    ]


def test_worker_returns_what_each_job_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seen = tmp_path / "seen"

    def fake(texts, path, config, force=False, progress=True):
        with open(seen, "a") as f:  # written by the worker, read here: it really ran there
            f.write(f"{os.getpid()} {Path(path).name} {force}\n")
        return _Result(len(texts) - 1)

    monkeypatch.setattr(E, "embed_texts", fake)
    w = E.EmbeddingWorker(_jobs(tmp_path), EmbedConfig(), force=True)
    assert w.pid != os.getpid()
    assert w.wait() == [2, 1]
    lines = seen.read_text().splitlines()
    assert lines == [f"{w.pid} one.npz True", f"{w.pid} two.npz True"]


def test_worker_error_is_passed_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def boom(*a, **k):
        raise RuntimeError("disk full while writing one.npz")

    monkeypatch.setattr(E, "embed_texts", boom)
    w = E.EmbeddingWorker(_jobs(tmp_path), EmbedConfig())
    with pytest.raises(E.EmbeddingWorkerError, match="RuntimeError: disk full while writing"):
        w.wait()


def test_worker_model_error_stays_a_model_error(tmp_path: Path, monkeypatch):
    def bad_model(*a, **k):
        raise E.ModelError("model 'x' is neither a local folder nor in the local model cache")

    monkeypatch.setattr(E, "embed_texts", bad_model)
    with pytest.raises(E.ModelError, match="neither a local folder"):
        E.EmbeddingWorker(_jobs(tmp_path), EmbedConfig()).wait()


def test_worker_death_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(E, "embed_texts", lambda *a, **k: os._exit(7))  # e.g. killed by OOM
    with pytest.raises(E.EmbeddingWorkerError, match="died with exit code 7"):
        E.EmbeddingWorker(_jobs(tmp_path), EmbedConfig()).wait()


def test_stop_interrupts_a_busy_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(E, "embed_texts", lambda *a, **k: time.sleep(120))
    w = E.EmbeddingWorker(_jobs(tmp_path), EmbedConfig())
    time.sleep(0.3)
    t = time.monotonic()
    w.stop()
    assert not w._process.is_alive()
    assert time.monotonic() - t < 10  # ended by SIGINT, not by the 10 s SIGTERM fallback
    assert w._process.exitcode == 1  # it unwound (KeyboardInterrupt) rather than being killed


def test_worker_is_not_used_once_torch_is_loaded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "torch", object())
    assert not E.worker_supported()
    monkeypatch.delitem(sys.modules, "torch")
    assert E.worker_supported() == (sys.platform == "linux")


def test_count_uncached_needs_no_model(tmp_path: Path):
    cache = tmp_path / "e.npz"
    texts = ["first text", "second text"]
    assert E.count_uncached(texts, cache) == 2
    key = E.cache_key(E.resolve_model(None), EmbedConfig())
    vec = np.ones((1, 4), np.float32) / 2
    E.EmbeddingCache(cache).write(
        key, "m", [E.sha256_text(texts[0])], vec, np.array([1]), np.array([2])
    )
    assert E.count_uncached(texts, cache) == 1
    assert E.count_uncached(texts, cache, force=True) == 2
    assert E.count_uncached(texts, cache, EmbedConfig(window_tokens=100)) == 2  # other key


def test_stage_timer_counts_a_watched_process(tmp_path: Path):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; x = bytearray(300 << 20); time.sleep(30)"]
    )
    try:
        time.sleep(1.0)  # let it allocate and touch its 300 MB
        timer = StageTimer()
        with timer.stage("alone"):
            time.sleep(0.1)
        with timer.stage("watched"), timer.watching(child.pid):
            time.sleep(0.1)
        with timer.stage("none"), timer.watching(None):
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
