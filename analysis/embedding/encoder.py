"""`Embedder`: full-text sentence-transformers vectors in this process (windows -> weighted
mean -> L2 norm), and the batches every engine computes.

A batch's vectors depend only on its members, not on the process or the thread count that
computes them (tested bit for bit), so any engine that computes the same batches gives the same
vectors: `analysis.embedding.engines` runs them here or on Dask workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import BATCHINGS, PRECISIONS, EmbedConfig
from ..progress import progress_bar
from .allocator import keep_large_buffers
from .cache import cache_key
from .model import ModelError, load_model, load_tokenizer, model_window, resolve_model
from .windows import WindowPlan, plan_windows, text_windows

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

__all__ = ["Embedder", "check_config"]

#: Tokens every window leaves for the model's special tokens ([CLS], [SEP]).
SPECIAL_TOKENS = 2


def check_config(config: EmbedConfig) -> None:
    """A ValueError naming the field when an `EmbedConfig` cannot run."""
    if config.batching not in BATCHINGS:
        raise ValueError(f"EmbedConfig.batching={config.batching!r}: expected one of {BATCHINGS}")
    if config.precision not in PRECISIONS:
        raise ValueError(
            f"EmbedConfig.precision={config.precision!r}: expected one of {PRECISIONS}"
        )
    if config.bf16 and config.precision != "float32":
        raise ValueError("EmbedConfig.bf16 needs precision='float32'")


class Embedder:
    """Full-text sentence-transformers embeddings (windows -> weighted mean -> L2 norm).

    `Embedder(cfg).encode(texts)` returns an (n, dim) float32 array; `.last_n_windows` holds the
    number of windows each text needed. The model is verified on construction (its weights'
    sha256) and loaded, with torch, only when something is encoded.
    """

    def __init__(self, config: EmbedConfig | None = None, progress: bool = True) -> None:
        self.config = config or EmbedConfig()
        check_config(self.config)
        self.progress = progress
        self.identity = resolve_model(self.config.model)
        self.model_window = model_window(self.identity)
        if self.config.window_tokens + SPECIAL_TOKENS > self.model_window:
            raise ModelError(
                f"window_tokens={self.config.window_tokens} does not fit the model's "
                f"{self.model_window}-token window ({SPECIAL_TOKENS} are taken by special tokens)"
            )
        self.last_n_windows: np.ndarray | None = None
        self.last_n_tokens: np.ndarray | None = None

    @property
    def model(self) -> SentenceTransformer:
        return load_model(self.identity, self.config.precision)

    @property
    def dimension(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    @property
    def key(self) -> str:
        return cache_key(self.identity, self.config)

    def _offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of every token of `text` (no special tokens, never truncated)."""
        enc = load_tokenizer(self.identity).encode(text, add_special_tokens=False)
        return list(enc.offsets)

    def windows(self, text: str) -> list[tuple[str, int]]:
        """(window text, token count) pairs of `text`, each within the token budget."""
        return text_windows(text, self._offsets(text), self.config.window_tokens)

    def plan(self, texts: Sequence[str]) -> WindowPlan:
        """The windows of every text, and what pooling needs to put each text back together."""
        truncate_at = self.model_window if self.config.truncate else None
        return plan_windows(texts, self._offsets, self.config.window_tokens, truncate_at)

    def batches(self, plan: WindowPlan) -> list[np.ndarray]:
        """Window indices of each batch, in the configured batching.

        "model": the batches sentence-transformers' own `encode` makes (windows sorted by
        character count, longest first; 11-14% padding here), so that encoding them one call
        per batch gives its vectors bit for bit. "token-sorted": windows with similar token
        counts together (we know them from the windowing), about 1% padding. In float32 the
        batch shapes change the last bits of the vectors; in float64 the two agree.
        """
        if self.config.batching == "model":
            # numpy's default argsort on the same keys, exactly as SentenceTransformer.encode
            order = np.argsort([-len(w) for w in plan.windows])
        else:
            order = np.argsort(-plan.lengths, kind="stable")
        bs = self.config.batch_size
        return [order[i : i + bs] for i in range(0, len(order), bs)]

    def encode_batches(
        self,
        windows: Sequence[str],
        batches: Sequence[np.ndarray],
        desc: str = "Embedding",
        progress: bool | None = None,
    ) -> np.ndarray:
        """Vectors of the windows in `batches`, in the order the batches list them.

        One model call per batch. float64 window vectors stay float64 until pooled: they are
        rounded once, at the very end.
        """
        import torch

        keep_large_buffers()
        model = self.model
        kw: dict[str, Any] = dict(convert_to_numpy=True, normalize_embeddings=False)
        autocast = (
            torch.autocast("cpu", dtype=torch.bfloat16)
            if self.config.bf16
            else contextlib.nullcontext()
        )
        total = sum(len(b) for b in batches)
        out = np.empty((total, self.dimension), np.dtype(self.config.precision))
        show = self.progress if progress is None else progress
        bar = progress_bar(total=total, desc=desc, unit="window", disable=not show)
        at = 0
        with torch.inference_mode(), autocast, bar:
            for idx in batches:
                batch = [windows[i] for i in idx]
                vecs = model.encode(batch, batch_size=len(batch), show_progress_bar=False, **kw)
                out[at : at + len(batch)] = vecs
                at += len(batch)
                bar.update(len(batch))
        return out

    def encode_counted(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`encode`, with the windows and tokens each text needed."""
        vecs = self.encode(texts)
        assert self.last_n_windows is not None and self.last_n_tokens is not None
        return vecs, self.last_n_windows, self.last_n_tokens

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed every text in full here; returns L2-normalised float32 vectors."""
        plan = self.plan(texts)
        self.last_n_windows = plan.n_windows
        self.last_n_tokens = plan.n_tokens
        if not plan.windows:
            return np.zeros((0, self.dimension), np.float32)
        batches = self.batches(plan)
        vecs = self.encode_batches(plan.windows, batches)
        return plan.pool(np.concatenate(batches), vecs)
