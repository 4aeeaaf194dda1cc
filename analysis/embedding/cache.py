"""The embedding cache: an .npz of vectors keyed per text, written atomically, checked on read.

An entry is keyed by everything that decides a vector (`cache_key`: model name, weights sha256,
chunking, precision, batching) and by the sha256 of the exact text, so an edited abstract is
re-embedded and only it; another model or a corrupt file is detected and rebuilt with a warning.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from ..config import EmbedConfig
from ..io import sha256_text, write_atomic
from .model import ModelIdentity

__all__ = ["CACHE_FORMAT", "EmbeddingCache", "EmbeddingCacheWarning", "cache_key"]

CACHE_FORMAT = 3  # 3: precision in the key

#: text sha256 -> (vector, windows, tokens)
Entries = dict[str, tuple[np.ndarray, int, int]]


class EmbeddingCacheWarning(UserWarning):
    """The embedding cache was stale or corrupt and (part of) it was rebuilt."""


def cache_key(identity: ModelIdentity, config: EmbedConfig) -> str:
    """Everything but the text that decides a vector."""
    return sha256_text(
        f"format={CACHE_FORMAT}",
        identity.name,
        identity.weights_sha256,
        f"window_tokens={config.window_tokens}",
        f"precision={config.precision}",
        f"bf16={config.bf16}",
        f"truncate={config.truncate}",
        # in float32, batch shapes move the last bits of a vector (and, through UMAP, the themes)
        f"batching={config.batching},batch_size={config.batch_size}",
        "pool=token-weighted-mean,l2",
    )


class EmbeddingCache:
    """An .npz of vectors keyed per text; written atomically, validated on every read."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self, key: str, quiet: bool = False) -> Entries:
        """Map text-hash -> (vector, n_windows, n_tokens) for entries made with `key`; {} if
        unusable (with a warning unless `quiet`)."""
        if not self.path.exists():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != CACHE_FORMAT:
                    raise ValueError(f"written in cache format {meta.get('format')}")
                vecs, hashes = z["vectors"], z["text_sha256"]
                nwin, ntok = z["n_windows"], z["n_tokens"]
            if not (len(vecs) == len(hashes) == len(nwin) == len(ntok)) or vecs.ndim != 2:
                raise ValueError("inconsistent array shapes")
            if not np.isfinite(vecs).all():
                raise ValueError("non-finite values")
        except Exception as e:
            if quiet:
                return {}
            warnings.warn(
                f"{self.path.name} is corrupt or outdated ({type(e).__name__}: {e}); re-embedding",
                EmbeddingCacheWarning,
                stacklevel=3,
            )
            return {}
        if meta.get("key") != key:
            if quiet:
                return {}
            warnings.warn(
                f"{self.path.name} was made with another model or chunking "
                f"({meta.get('model')!r}); re-embedding everything",
                EmbeddingCacheWarning,
                stacklevel=3,
            )
            return {}
        return {
            str(h): (v, int(n), int(t)) for h, v, n, t in zip(hashes, vecs, nwin, ntok, strict=True)
        }

    def write(
        self,
        key: str,
        model: str,
        hashes: list[str],
        vecs: np.ndarray,
        nwin: np.ndarray,
        ntok: np.ndarray,
    ) -> None:
        meta = json.dumps({"format": CACHE_FORMAT, "key": key, "model": model})

        def save(tmp: Path) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would append ".npz" to a path
                np.savez(
                    f,
                    meta=np.array(meta),
                    vectors=vecs.astype(np.float32),
                    text_sha256=np.array(hashes),
                    n_windows=nwin.astype(np.int64),
                    n_tokens=ntok.astype(np.int64),
                )

        write_atomic(self.path, save)
