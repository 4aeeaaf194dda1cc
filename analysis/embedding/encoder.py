"""`Embedder`: full-text sentence-transformers vectors in this process (windows -> weighted
mean -> L2 norm), and the batches every engine computes.

A batch's vectors depend only on its members, not on the process or the thread count that
computes them (tested bit for bit), so any engine that computes the same batches gives the same
vectors: `analysis.embedding.engines` runs them here or on Dask workers.

Planning the windows tokenises every text to embed; a text most of whose tokens the model does
not know (``[UNK]``: a script outside its vocabulary, such as Chinese for all-MiniLM-L6-v2) gets
an `UnknownTokensWarning` then, because its vector would otherwise pass for a reading of it.
Texts whose vectors come from the cache are not tokenised again, so they are not re-checked.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import UNKNOWN_TOKENS_MAX_SHARE, EmbedConfig
from ..progress import progress_bar
from ..text import title_of
from .cache import cache_key
from .model import ModelError, load_model, load_tokenizer, model_window, resolve_model
from .windows import Tokens, WindowPlan, plan_windows, text_windows

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

__all__ = ["Embedder", "UnknownTokensWarning", "warn_unknown_tokens"]

#: Tokens every window leaves for the model's special tokens ([CLS], [SEP]).
SPECIAL_TOKENS = 2


class UnknownTokensWarning(UserWarning):
    """Texts the model cannot read: more than `UNKNOWN_TOKENS_MAX_SHARE` of their tokens are
    unknown to its tokenizer (``[UNK]``), so their vectors mean little."""


def _unknown_id(tokenizer: Tokenizer) -> int | None:
    """The id of the tokenizer's unknown token, None when it has none (byte-level BPE)."""
    token = getattr(tokenizer.model, "unk_token", None)
    return tokenizer.token_to_id(token) if token else None


def warn_unknown_tokens(
    texts: Sequence[str], plan: WindowPlan, max_share: float = UNKNOWN_TOKENS_MAX_SHARE
) -> list[int]:
    """One `UnknownTokensWarning` naming every text (by its title, `title_of`) more than
    `max_share` of whose tokens are unknown to the model; returns their indices."""
    share = plan.unknown_share
    bad = [i for i in range(plan.n_texts) if share[i] > max_share]
    if not bad:
        return bad
    assert plan.n_unknown is not None
    each = []
    for i in bad:
        title = title_of(texts[i])
        title = title if len(title) <= 80 else title[:77] + "..."
        each.append(f"{title!r} ({plan.n_unknown[i]} of {plan.n_tokens[i]}, {share[i]:.0%})")
    limit = f"more than {max_share:.0%} of"
    if len(bad) == 1:
        what = f"1 text has {limit} its tokens unknown to the model ([UNK]): its vector means"
    else:
        what = f"{len(bad)} texts have {limit} their tokens unknown to the model ([UNK]): "
        what += "their vectors mean"
    warnings.warn(
        f"{what} little (a script outside the model's vocabulary?): {'; '.join(each)}",
        UnknownTokensWarning,
        stacklevel=3,
    )
    return bad


class Embedder:
    """Full-text sentence-transformers embeddings (windows -> weighted mean -> L2 norm).

    `Embedder(cfg).encode(texts)` returns an (n, dim) float32 array; `.last_n_windows` holds the
    number of windows each text needed. The model is verified on construction (its weights'
    sha256) and loaded, with torch, only when something is encoded.
    """

    def __init__(self, config: EmbedConfig | None = None, progress: bool = True) -> None:
        self.config = config or EmbedConfig()
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

    def _tokens(self, text: str) -> Tokens:
        """Character span of every token of `text` (no special tokens, never truncated), and
        how many of them are ``[UNK]``: one tokenisation gives both."""
        tokenizer = load_tokenizer(self.identity)
        enc = tokenizer.encode(text, add_special_tokens=False)
        unk = _unknown_id(tokenizer)
        return Tokens(list(enc.offsets), enc.ids.count(unk) if unk is not None else 0)

    def windows(self, text: str) -> list[tuple[str, int]]:
        """(window text, token count) pairs of `text`, each within the token budget."""
        return text_windows(text, self._tokens(text).offsets, self.config.window_tokens)

    def plan(self, texts: Sequence[str]) -> WindowPlan:
        """The windows of every text, and what pooling needs to put each text back together.

        Warns (`UnknownTokensWarning`, one for all) of the texts the model cannot read.
        """
        truncate_at = self.model_window if self.config.truncate else None
        plan = plan_windows(texts, self._tokens, self.config.window_tokens, truncate_at)
        warn_unknown_tokens(texts, plan)
        return plan

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
