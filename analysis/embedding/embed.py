"""The front door: embed texts in full, reusing cached vectors of unchanged texts.

`embed_texts` does it in one call. A run that wants to do other work while an engine embeds
uses the steps: `EmbeddingJob(...)` (lock the cache, read it: which texts it lacks),
`submit` (window those and hand the batches to an engine), `finish` (pool, write the cache,
unlock, return the result). torch is imported only when something must actually be embedded,
and then only where the engine runs it.

The cache keeps what it has computed (`analysis.embedding.cache`): a call records its texts as
the file's rows, in order, and every other vector it held stays as a spare (pruned, least
recently used first), so texts that come back are not embedded again. The job holds the
cache's lock from reading to writing: a concurrent run on the same cache waits for it, then
embeds only what is still missing.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from ..config import EmbedConfig
from ..engines import Engine, InProcessEngine
from ..io import sha256_text
from .cache import CacheContents, EmbeddingCache, EmbeddingCacheWarning, Entries, cache_key
from .encoder import Embedder
from .engines import Pending, submit_batches
from .model import resolve_model
from .windows import WindowPlan

__all__ = ["EmbeddingJob", "EmbeddingResult", "embed_texts", "uncached_texts"]


@dataclass
class EmbeddingResult:
    vectors: np.ndarray  # (n, dim) float32, L2-normalised, rows in input order
    n_windows: np.ndarray  # windows per text
    n_tokens: np.ndarray  # tokens per text (without special tokens)
    n_embedded: int  # texts embedded in this call (the rest came from the cache)
    model: str
    key: str


class EmbeddingJob:
    """One set of texts to embed against one cache file.

    Unless `lock` is False, the job holds the cache's lock from here until `finish` (or
    `close`): made and finished in one thread, as a run does. It lets go at once when there
    is nothing to write.
    """

    def __init__(
        self,
        texts: Sequence[str],
        cache_path: str | Path | None,
        config: EmbedConfig | None = None,
        force: bool = False,
        quiet: bool = False,
        *,
        record: bool = True,
        lock: bool = True,
    ) -> None:
        self.texts = list(texts)
        self.config = cfg = config or EmbedConfig()
        self.identity = resolve_model(cfg.model)
        # The key is computed without loading the model, so a warm run never imports torch.
        self.key = cache_key(self.identity, cfg)
        self.hashes = [sha256_text(t) for t in self.texts]
        self.cache = EmbeddingCache(cache_path) if cache_path is not None else None
        self.force = force
        #: record these texts as the file's rows (a run); False: a look-up leaves them be
        self.record = record
        self._lock: FileLock | None = None
        if self.cache is not None and lock:
            self._lock = _acquire(self.cache, quiet)
        try:
            self._stamp = self.cache.stamp() if self.cache else None
            # forced: the file's other vectors are kept, these texts are embedded afresh
            self.before = (
                self.cache.load(self.key, quiet or force) if self.cache else CacheContents()
            )
            self.known = {} if force else self.before.entries
            #: rows of `texts` the cache lacks
            self.todo = [i for i, h in enumerate(self.hashes) if h not in self.known]
            self._write = self.cache is not None and bool(
                self.todo or force or (record and self.hashes != self.before.rows)
            )
            if not self._write:
                self.close()
        except BaseException:
            self.close()
            raise
        self._plan: WindowPlan | None = None
        self._batches: list[np.ndarray] = []
        self._pending: Pending | None = None

    def close(self) -> None:
        """Let go of the cache's lock (if held); `finish` does it, call it only on giving up."""
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.release()

    def submit(self, engine: Engine) -> EmbeddingJob:
        """Window the texts to embed and hand their batches to `engine` (returns at once)."""
        if self.todo and self._pending is None:
            try:
                if self.known:
                    warnings.warn(
                        f"{len(self.todo)} of {len(self.texts)} texts are new or changed since "
                        "the cache was written; embedding those",
                        EmbeddingCacheWarning,
                        stacklevel=3,
                    )
                embedder = Embedder(self.config, progress=False)
                self._plan = embedder.plan([self.texts[i] for i in self.todo])
                self._batches = embedder.batches(self._plan)
                self._pending = submit_batches(
                    engine, self.config, self._plan.windows, self._batches
                )
            except BaseException:
                self.close()
                raise
        return self

    def finish(self, progress: bool = True, desc: str = "Embedding") -> EmbeddingResult:
        """Wait for the engine, pool the window vectors, write the cache, let go of its lock."""
        try:
            fresh: Entries = {}
            if self.todo:
                if self._pending is None:
                    self.submit(InProcessEngine(workers=1))
                assert self._pending is not None and self._plan is not None
                plan = self._plan
                window_vecs = self._pending.result(progress=progress, desc=desc)
                vecs = plan.pool(np.concatenate(self._batches), window_vecs)
                nwin, ntok = plan.n_windows, plan.n_tokens
                for j, i in enumerate(self.todo):
                    fresh[self.hashes[i]] = (vecs[j], int(nwin[j]), int(ntok[j]))
            table = {**self.known, **fresh}
            hashes = self.hashes
            vectors = np.stack([table[h][0] for h in hashes]).astype(np.float32)
            n_windows = np.array([table[h][1] for h in hashes], dtype=np.int64)
            n_tokens = np.array([table[h][2] for h in hashes], dtype=np.int64)
            if self._write:
                self._store(fresh, vectors, n_windows, n_tokens)
        finally:
            self.close()
        return EmbeddingResult(
            vectors, n_windows, n_tokens, len(self.todo), self.identity.name, self.key
        )

    def _store(
        self, fresh: Entries, vectors: np.ndarray, n_windows: np.ndarray, n_tokens: np.ndarray
    ) -> None:
        """Write the cache: these texts (or, for a look-up, the rows as they were) as the rows,
        everything else the file held or was just computed as spare."""
        assert self.cache is not None
        before = self.before
        if self.cache.stamp() != self._stamp:
            # written since we read it: by another job of this thread on the same file (the lock
            # is reentrant within a thread), or by anyone if unlocked; keep what it added
            now = self.cache.load(self.key, quiet=True)
            if now.generation > before.generation:
                before = CacheContents(
                    {**before.entries, **now.entries},
                    now.rows,
                    {**before.last_used, **now.last_used},
                    now.generation,
                )
        everything = {**before.entries, **fresh}
        if self.record or not before.rows:
            rows, vecs, nwin, ntok = self.hashes, vectors, n_windows, n_tokens
        else:
            rows = before.rows
            vecs = np.stack([everything[h][0] for h in rows])
            nwin = np.array([everything[h][1] for h in rows], dtype=np.int64)
            ntok = np.array([everything[h][2] for h in rows], dtype=np.int64)
        self.cache.write(
            self.key,
            self.identity.name,
            rows,
            vecs,
            nwin,
            ntok,
            spare=everything,
            last_used=before.last_used,
            generation=before.generation + 1,
        )


def _acquire(cache: EmbeddingCache, quiet: bool) -> FileLock:
    """The cache's lock, waited for as long as another live process or thread holds it (the OS
    releases it when a holder dies); says so on stderr when it has to wait."""
    lock = cache.lock()
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not quiet:
            print(
                f"{cache.path.name} is in use by another run; waiting for it to finish",
                file=sys.stderr,
                flush=True,
            )
        lock.acquire()
    return lock


def uncached_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
) -> list[str]:
    """The texts `embed_texts` would have to embed (the rest are in the cache); no torch."""
    job = EmbeddingJob(texts, cache_path, config, force, quiet=True, lock=False)
    return [job.texts[i] for i in job.todo]


def embed_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
    progress: bool = True,
    engine: Engine | None = None,
    record: bool = True,
) -> EmbeddingResult:
    """Embed texts in full (default: in this process), reusing cached vectors of unchanged
    texts; `cache_path` None uses no cache. `record`: make these texts the cache file's rows
    (a run's embedding); False for a look-up that must leave the run's rows as they are."""
    job = EmbeddingJob(texts, cache_path, config, force, record=record)
    return job.submit(engine or InProcessEngine(workers=1)).finish(progress)
