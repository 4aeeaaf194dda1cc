"""The embedding cache (`analysis.embedding.cache`): keyed by everything that decides a vector,
never silently stale, healed when corrupt, written atomically; it keeps what it computed
(pruned, least recently used first) and concurrent runs on one cache share the work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock, Timeout

import analysis.embedding.cache as cache_module
from analysis.config import BATCHINGS, PROJ_ROOT, EmbedConfig
from analysis.embedding import (
    EmbeddingCache,
    EmbeddingCacheWarning,
    EmbeddingJob,
    cache_key,
    embed_texts,
    resolve_model,
)
from analysis.io import sha256_text

from .fakes import CONCURRENT, RecordingEngine
from .texts import SMALL


def test_cache_reuse_and_invalidation(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    first = embed_texts(SMALL, cache, progress=False)
    assert first.n_embedded == 3
    assert first.vectors.shape == (3, 384)

    again = embed_texts(SMALL, cache, progress=False)
    assert again.n_embedded == 0
    assert np.array_equal(again.vectors, first.vectors)

    edited = [SMALL[0], SMALL[1].replace("JPEG", "every classic codec"), SMALL[2]]
    with pytest.warns(EmbeddingCacheWarning, match="1 of 3 texts are new or changed"):
        changed = embed_texts(edited, cache, progress=False)
    assert changed.n_embedded == 1
    assert np.array_equal(changed.vectors[[0, 2]], first.vectors[[0, 2]])
    assert not np.allclose(changed.vectors[1], first.vectors[1])
    # the rebuilt vector is what a cold embedding of the edited text gives
    cold = embed_texts(edited, None, progress=False)
    assert np.allclose(changed.vectors[1], cold.vectors[1], atol=1e-6)


def test_cache_other_chunking_rebuilds_everything(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    embed_texts(SMALL, cache, progress=False)
    other = replace(EmbedConfig(), window_tokens=128)
    with pytest.warns(EmbeddingCacheWarning, match="another model or chunking"):
        res = embed_texts(SMALL, cache, other, progress=False)
    assert res.n_embedded == 3


@pytest.mark.filterwarnings(
    "ignore:.*texts are new or changed:analysis.embedding.EmbeddingCacheWarning"
)
@pytest.mark.parametrize(
    "damage",
    [b"", b"not an npz file at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "garbage", "truncated-zip"],
)
def test_corrupt_cache_is_rebuilt_with_warning(tmp_path: Path, damage: bytes):
    cache = tmp_path / "emb.npz"
    good = embed_texts(SMALL, cache, progress=False)
    cache.write_bytes(damage)
    with pytest.warns(EmbeddingCacheWarning, match="corrupt"):
        res = embed_texts(SMALL, cache, progress=False)
    assert res.n_embedded == 3
    assert np.allclose(res.vectors, good.vectors, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert embed_texts(SMALL, cache, progress=False).n_embedded == 0  # healed


def test_cache_rejects_non_finite_vectors(tmp_path: Path):
    cache = EmbeddingCache(tmp_path / "emb.npz")
    vecs = np.array([[np.nan, 0.0]], np.float32)
    cache.write("key", "m", ["h"], vecs, np.array([1]), np.array([2]))
    with pytest.warns(EmbeddingCacheWarning, match="non-finite values"):
        assert cache.read("key") == {}
    assert cache.read("key", quiet=True) == {}


def test_cache_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = tmp_path / "emb.npz"
    embed_texts(SMALL, cache, progress=False)
    before = cache.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        embed_texts(SMALL, cache, progress=False, force=True)
    assert cache.read_bytes() == before
    # no temp file left behind (the lock file stays, empty), and the lock was let go
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emb.npz", "emb.npz.lock"]
    free = FileLock(tmp_path / "emb.npz.lock", timeout=0)
    free.acquire()
    free.release()


def test_batching_is_validated_and_keyed():
    with pytest.raises(ValueError, match=r"batching = 'by-length': expected one of model, token"):
        EmbedConfig(batching="by-length")  # refused when the config is made, before any work
    ident = resolve_model(None)
    keys = {
        cache_key(ident, EmbedConfig(batching=b, batch_size=n)) for b in BATCHINGS for n in (8, 16)
    }
    assert len(keys) == 4


# --- keeping what was computed ------------------------------------------------------------------

A, B, C = ["text A about decoding.", "text A2 about codecs."], ["text B about pruning."], ["C."]


def fake_embed(texts: list[str], cache: Path, **kw) -> tuple[int, list[str]]:
    """Embed with the model-free engine: (texts embedded, windows the engine was given)."""
    engine = RecordingEngine()
    res = embed_texts(texts, cache, progress=False, engine=engine, **kw)
    assert res.n_embedded == len(engine.windows)  # short texts: one window each
    return res.n_embedded, engine.windows


def file_rows(cache: Path) -> list[str]:
    with np.load(cache) as z:
        return [str(h) for h in z["text_sha256"]]


def spare(cache: Path) -> list[str]:
    with np.load(cache) as z:
        return [str(h) for h in z["spare_text_sha256"]]


def hashes(texts: list[str]) -> list[str]:
    return [sha256_text(t) for t in texts]


@pytest.mark.parametrize(
    "between",
    [A, A + C],
    ids=["a-subset (a refused or skip-a-dump run)", "a-subset-and-a-new-text"],
)
def test_texts_that_come_back_are_not_embedded_again(tmp_path: Path, between: list[str]):
    cache = tmp_path / "emb.npz"
    assert fake_embed(A + B, cache)[0] == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmbeddingCacheWarning)  # "1 of 3 texts are new"
        fake_embed(between, cache)
    assert file_rows(cache) == hashes(between)  # the rows: exactly the latest call's texts
    with np.load(cache) as z:
        assert len(z["vectors"]) == len(between)
    assert fake_embed(A + B, cache) == (0, [])  # B was kept: nothing to embed
    assert file_rows(cache) == hashes(A + B)


def test_a_look_up_leaves_the_rows_alone(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    fake_embed(A + B, cache)
    before = cache.read_bytes()
    assert fake_embed(B, cache, record=False) == (0, [])
    assert cache.read_bytes() == before  # not even rewritten
    with pytest.warns(EmbeddingCacheWarning, match="1 of 2 texts are new"):
        assert fake_embed(B + C, cache, record=False) == (1, C)
    assert file_rows(cache) == hashes(A + B) and spare(cache) == hashes(C)
    assert fake_embed(C, cache) == (0, [])


@pytest.mark.filterwarnings(
    "ignore:.*texts are new or changed:analysis.embedding.EmbeddingCacheWarning"
)
def test_pruning_drops_the_least_recently_used_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cache_module, "MAX_SPARE", 2)
    t = [f"text number {i}." for i in range(4)]

    def history(cache: Path) -> None:
        for texts in ([t[0]], [t[1]], [t[2]], [t[0]], [t[3]]):  # t0 is used again, then t3
            fake_embed(texts, cache)

    cache = tmp_path / "emb.npz"
    history(cache)
    assert file_rows(cache) == hashes([t[3]])
    # spare were t0 (used 4th), t2 (3rd), t1 (2nd): at most 2 kept, t1 dropped
    assert spare(cache) == hashes([t[0], t[2]])
    with np.load(cache) as z:
        assert z["spare_last_used"].tolist() == [4, 3]
        assert json.loads(str(z["meta"]))["generation"] == 5
    other = tmp_path / "again.npz"  # the same calls give the same file contents
    history(other)
    with np.load(cache) as z, np.load(other) as y:
        assert z.files == y.files and all(np.array_equal(z[k], y[k]) for k in z.files)
    assert fake_embed([t[0], t[2], t[3]], cache) == (0, [])
    assert fake_embed([t[1]], cache) == (1, [t[1]])


def test_the_spare_vectors_are_bounded_by_a_stated_number():
    assert isinstance(cache_module.MAX_SPARE, int) and 1000 <= cache_module.MAX_SPARE <= 10000


def test_force_reembeds_the_texts_and_keeps_the_rest(tmp_path: Path):
    cache = tmp_path / "emb.npz"
    fake_embed(A + B, cache)
    assert fake_embed(A, cache, force=True) == (2, A)
    assert fake_embed(B, cache) == (0, [])


def test_a_cache_without_spare_arrays_still_reads(tmp_path: Path):
    """Files written before the spare vectors existed: their rows are used, nothing warns."""
    cache = tmp_path / "emb.npz"
    fake_embed(A + B, cache)
    with np.load(cache) as z:
        old = {k: z[k] for k in ("meta", "vectors", "text_sha256", "n_windows", "n_tokens")}
    meta = json.loads(str(old["meta"]))
    del meta["generation"]
    old["meta"] = np.array(json.dumps(meta))
    with open(cache, "wb") as f:
        np.savez(f, **old)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fake_embed(A, cache) == (0, [])
    assert spare(cache) == hashes(B)


@pytest.mark.filterwarnings(
    "ignore:.*texts are new or changed:analysis.embedding.EmbeddingCacheWarning"
)
@pytest.mark.parametrize(
    "damage",
    [
        lambda z: {k: v for k, v in z.items() if k != "spare_last_used"},
        lambda z: {**z, "spare_n_tokens": z["spare_n_tokens"][:0]},
        lambda z: {**z, "spare_vectors": np.full_like(z["spare_vectors"], np.inf)},
        lambda z: {**z, "spare_text_sha256": z["text_sha256"][:1]},
        lambda z: {**z, "spare_last_used": z["spare_last_used"] + 99},
    ],
    ids=["incomplete", "short", "non-finite", "also-a-row", "used-in-the-future"],
)
def test_corrupt_spare_vectors_warn_and_rebuild(tmp_path: Path, damage):
    cache = tmp_path / "emb.npz"
    fake_embed(B, cache)
    fake_embed(A, cache)  # B is now spare
    with np.load(cache) as z:
        arrays = damage({k: z[k] for k in z.files})
    with open(cache, "wb") as f:
        np.savez(f, **arrays)
    with pytest.warns(EmbeddingCacheWarning, match="corrupt"):
        assert fake_embed(A, cache) == (2, A)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fake_embed(A, cache) == (0, [])  # healed


# --- concurrent runs on one cache ---------------------------------------------------------------


def _child(*args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    """`python -m tests.embedding.fakes *args` (embed `CONCURRENT` with the model-free engine)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.embedding.fakes", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=PROJ_ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def test_concurrent_runs_embed_each_text_once(tmp_path: Path):
    """Two processes on one cold cache: the second waits for the first's lock, then reuses its
    vectors, so the texts are embedded once between them, not twice."""
    cache, hold, err = tmp_path / "emb.npz", tmp_path / "go", tmp_path / "second.err"
    first = _child(str(cache), str(hold))
    try:
        assert first.stdout.readline().strip() == "embedding"  # holds the cache, embedding
        with open(err, "w") as f:
            second = _child(str(cache), stderr=f)
        deadline = time.monotonic() + 120
        while second.poll() is None and "in use by another run" not in err.read_text():
            assert time.monotonic() < deadline, "the second run neither waited nor finished"
            time.sleep(0.05)
    finally:
        hold.touch()  # let the first one finish
    out1, err1 = first.communicate(timeout=120)
    out2, _ = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, (err1, err.read_text())
    r1, r2 = json.loads(out1.splitlines()[-1]), json.loads(out2.splitlines()[-1])
    assert sorted(r1["windows"] + r2["windows"]) == sorted(set(CONCURRENT))
    assert (r1["n_embedded"], r2["n_embedded"]) == (len(CONCURRENT), 0)
    assert r1["sha"] == r2["sha"]
    assert "in use by another run; waiting" in err.read_text()


def test_a_killed_holder_does_not_block_the_next_run(tmp_path: Path):
    """The lock is the OS's (flock): it goes with the process that held it."""
    cache = tmp_path / "emb.npz"
    code = (
        "import sys, time; from analysis.embedding import EmbeddingCache; "
        f"lock = EmbeddingCache({str(cache)!r}).lock(); lock.acquire(); "
        "print('locked', flush=True); time.sleep(600)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=PROJ_ROOT
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(Timeout):
            FileLock(tmp_path / "emb.npz.lock", timeout=0.2).acquire()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert (tmp_path / "emb.npz.lock").exists()  # left behind by the killed process
    t0 = time.monotonic()
    assert fake_embed(A, cache) == (2, A)
    assert time.monotonic() - t0 < 30


def test_concurrent_threads_embed_each_text_once(tmp_path: Path):
    """The lock excludes threads of one process too (each holds its own OS lock)."""
    cache, hold = tmp_path / "emb.npz", tmp_path / "go"
    done: dict[str, int] = {}

    def embed(name: str, engine: RecordingEngine) -> None:
        done[name] = embed_texts(CONCURRENT, cache, progress=False, engine=engine).n_embedded

    first = threading.Thread(target=embed, args=("first", RecordingEngine(hold)))
    second = threading.Thread(target=embed, args=("second", RecordingEngine()))
    first.start()
    try:
        probe, deadline = FileLock(tmp_path / "emb.npz.lock", timeout=0), time.monotonic() + 60
        while True:  # until the first thread holds the cache
            try:
                probe.acquire()
                probe.release()
            except Timeout:
                break
            assert time.monotonic() < deadline, "the first never held the lock"
            time.sleep(0.02)
        second.start()
        second.join(timeout=2)
        assert second.is_alive()  # waiting for the first
    finally:
        hold.touch()
    first.join(timeout=60)
    second.join(timeout=60)
    assert done == {"first": len(CONCURRENT), "second": 0}


def test_two_jobs_on_one_file_in_one_thread(tmp_path: Path):
    """Reentrant in a thread: no deadlock, and the later write keeps what the earlier added."""
    cache = tmp_path / "emb.npz"

    def nested() -> None:
        outer = EmbeddingJob(A + B, cache)
        inner = EmbeddingJob(A + C, cache)
        inner.submit(RecordingEngine()).finish(progress=False)
        outer.submit(RecordingEngine()).finish(progress=False)

    worker = threading.Thread(target=nested)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert file_rows(cache) == hashes(A + B)
    assert fake_embed(C, cache) == (0, [])
