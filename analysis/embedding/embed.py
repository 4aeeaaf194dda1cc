"""The front door: embed texts in full, reusing cached vectors of unchanged texts.

`embed_texts` does it in one call. A run that wants to do other work while an engine embeds
uses the steps: `EmbeddingJob.prepare` (which texts the cache lacks, and their windows),
`submit` (hand the batches to an engine), `finish` (pool, write the cache, return the result).
torch is imported only when something must actually be embedded, and then only where the
engine runs it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import EmbedConfig
from ..io import sha256_text
from ..text import paper_texts
from .cache import EmbeddingCache, EmbeddingCacheWarning, cache_key
from .encoder import Embedder, check_config
from .engines import Engine, InProcessEngine, Pending
from .model import resolve_model
from .windows import WindowPlan

__all__ = ["EmbeddingJob", "EmbeddingResult", "embed_papers", "embed_texts", "uncached_texts"]


@dataclass
class EmbeddingResult:
    vectors: np.ndarray  # (n, dim) float32, L2-normalised, rows in input order
    n_windows: np.ndarray  # windows per text
    n_tokens: np.ndarray  # tokens per text (without special tokens)
    n_embedded: int  # texts embedded in this call (the rest came from the cache)
    model: str
    key: str


class EmbeddingJob:
    """One set of texts to embed against one cache file."""

    def __init__(
        self,
        texts: Sequence[str],
        cache_path: str | Path | None,
        config: EmbedConfig | None = None,
        force: bool = False,
        quiet: bool = False,
    ) -> None:
        self.texts = list(texts)
        self.config = cfg = config or EmbedConfig()
        check_config(cfg)
        self.identity = resolve_model(cfg.model)
        # The key is computed without loading the model, so a warm run never imports torch.
        self.key = cache_key(self.identity, cfg)
        self.hashes = [sha256_text(t) for t in self.texts]
        self.cache = EmbeddingCache(cache_path) if cache_path is not None else None
        self.force = force
        self.known = {} if (self.cache is None or force) else self.cache.read(self.key, quiet)
        #: rows of `texts` the cache lacks
        self.todo = [i for i, h in enumerate(self.hashes) if h not in self.known]
        self._plan: WindowPlan | None = None
        self._batches: list[np.ndarray] = []
        self._pending: Pending | None = None

    def submit(self, engine: Engine) -> EmbeddingJob:
        """Window the texts to embed and hand their batches to `engine` (returns at once)."""
        if self.todo and self._pending is None:
            if self.known:
                warnings.warn(
                    f"{len(self.todo)} of {len(self.texts)} texts are new or changed since the "
                    "cache was written; embedding those",
                    EmbeddingCacheWarning,
                    stacklevel=3,
                )
            embedder = Embedder(self.config, progress=False)
            self._plan = embedder.plan([self.texts[i] for i in self.todo])
            self._batches = embedder.batches(self._plan)
            self._pending = engine.submit(self.config, self._plan.windows, self._batches)
        return self

    def finish(self, progress: bool = True, desc: str = "Embedding") -> EmbeddingResult:
        """Wait for the engine, pool the window vectors, write the cache."""
        fresh: dict[str, tuple[np.ndarray, int, int]] = {}
        if self.todo:
            if self._pending is None:
                self.submit(InProcessEngine())
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
        if self.cache is not None and (self.todo or self.force):
            self.cache.write(self.key, self.identity.name, hashes, vectors, n_windows, n_tokens)
        return EmbeddingResult(
            vectors, n_windows, n_tokens, len(self.todo), self.identity.name, self.key
        )


def uncached_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
) -> list[str]:
    """The texts `embed_texts` would have to embed (the rest are in the cache); no torch."""
    job = EmbeddingJob(texts, cache_path, config, force, quiet=True)
    return [job.texts[i] for i in job.todo]


def embed_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
    progress: bool = True,
    engine: Engine | None = None,
) -> EmbeddingResult:
    """Embed texts in full (default: in this process), reusing cached vectors of unchanged
    texts; `cache_path` None uses no cache."""
    job = EmbeddingJob(texts, cache_path, config, force)
    return job.submit(engine or InProcessEngine()).finish(progress)


def embed_papers(
    papers: pd.DataFrame,
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
    progress: bool = True,
    engine: Engine | None = None,
) -> EmbeddingResult:
    """`embed_texts` on each paper's title + abstract."""
    return embed_texts(paper_texts(papers), cache_path, config, force, progress, engine)
