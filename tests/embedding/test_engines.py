"""Where the transformer runs (`analysis.embedding.engines`): Dask workers give the in-process
vectors bit for bit, and an engine leaves no worker process behind."""

from __future__ import annotations

import os

import numpy as np
import psutil
import pytest

from analysis.dataset import load_papers
from analysis.embedding import EmbeddingResult, embed_texts
from analysis.embedding import engines as G
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
    here = embed_texts(texts, None, progress=False, engine=G.InProcessEngine())
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


def test_negative_workers_are_refused():
    with pytest.raises(ValueError, match="workers=-1"):
        G.DaskEngine(workers=-1)
