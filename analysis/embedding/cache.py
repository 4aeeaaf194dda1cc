"""The embedding cache: an .npz of vectors keyed per text, written atomically, checked on read.

An entry is keyed by everything that decides a vector (`cache_key`: model name, weights sha256,
chunking, precision, batching) and by the sha256 of the exact text, so an edited abstract is
re-embedded and only it; another model or a corrupt file is detected and rebuilt with a warning.
A file holds one key: vectors of another model are dropped when it is rebuilt.

What the file holds:

- the rows (`vectors`, `text_sha256`, `n_windows`, `n_tokens`): the texts of the latest call
  that recorded its texts, in that call's order (a look-up, `record=False`, leaves them be).
  For a run's `embeddings.npz` these are exactly the run's papers in the order of
  `papers.parquet`, so `z["vectors"]` is the run's matrix;
- the spare vectors (`spare_*`): vectors computed earlier for texts not among the rows, kept
  so that a text that comes back (a dump skipped, then fixed; a run after a refused one) is not
  embedded again. Readers that want the run's vectors ignore them.

Pruning: at most `MAX_SPARE` spare vectors are kept; the ones used longest ago go first. "Used"
is counted in writes, not time: `meta.generation` counts the file's writes, and a spare vector
carries the generation of the latest write that had it among the rows or computed it (ties:
by text hash), so the file holds no clock and the same calls give the same arrays.

Concurrency: `EmbeddingCache.lock` is an OS file lock (`filelock`, flock on Unix) on
`<file>.lock` beside the cache. `EmbeddingJob` holds it from reading the cache to writing it,
so a second run on the same cache waits, then reuses the first's vectors and embeds only what
is still missing. The OS drops the lock when its holder dies, so a killed run never blocks
the next one; the lock file itself stays (it is empty and harmless).

The spare arrays are optional: a file written before they existed reads as one without spare
vectors, so `CACHE_FORMAT` (part of every key) is unchanged.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock

from ..config import EmbedConfig
from ..io import sha256_text, write_atomic
from .model import ModelIdentity

__all__ = [
    "CACHE_FORMAT",
    "MAX_SPARE",
    "CacheContents",
    "EmbeddingCache",
    "EmbeddingCacheWarning",
    "cache_key",
]

CACHE_FORMAT = 3  # 3: precision in the key
#: Spare vectors (computed, not among the current rows) a cache file keeps at most: a few
#: corpora's worth (about 1.5 kB each at 384 dimensions, so at most about 8 MB).
MAX_SPARE = 5000

_ROWS = ("vectors", "text_sha256", "n_windows", "n_tokens")
_SPARE = ("spare_vectors", "spare_text_sha256", "spare_n_windows", "spare_n_tokens")

#: text sha256 -> (vector, windows, tokens)
Entries = dict[str, tuple[np.ndarray, int, int]]


class EmbeddingCacheWarning(UserWarning):
    """The embedding cache was stale or corrupt and (part of) it was rebuilt."""


@dataclass
class CacheContents:
    """One cache file as read: every vector in it, which of them are the rows, and when each
    was last among the rows (in writes of the file)."""

    entries: Entries = field(default_factory=dict)
    rows: list[str] = field(default_factory=list)
    last_used: dict[str, int] = field(default_factory=dict)
    generation: int = 0


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


def _check(vecs: np.ndarray, *others: np.ndarray) -> None:
    if vecs.ndim != 2 or any(len(a) != len(vecs) for a in others):
        raise ValueError("inconsistent array shapes")
    if not np.isfinite(vecs).all():
        raise ValueError("non-finite values")


class EmbeddingCache:
    """An .npz of vectors keyed per text; written atomically, validated on every read."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @property
    def lock_path(self) -> Path:
        """`<file>.lock` beside the cache: the lock must not be the file an atomic write
        replaces."""
        return self.path.with_name(self.path.name + ".lock")

    def lock(self) -> FileLock:
        """The lock that serialises read-embed-write on this file across processes and threads.

        One object per lock file in a process (reentrant in a thread, so two jobs on one file in
        one thread cannot deadlock); exclusive across threads and processes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path, is_singleton=True)

    def stamp(self) -> tuple[int, int, int] | None:
        """Identity of the file as it is now (inode, size, mtime); None if there is none. An
        atomic write replaces the inode, so any write changes it."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def read(self, key: str, quiet: bool = False) -> Entries:
        """Map text-hash -> (vector, n_windows, n_tokens) for every entry made with `key`, rows
        and spare; {} if unusable (with a warning unless `quiet`)."""
        return self.load(key, quiet, stacklevel=4).entries

    def load(self, key: str, quiet: bool = False, stacklevel: int = 3) -> CacheContents:
        """The file's contents for `key`; empty if missing or unusable (with a warning unless
        `quiet`)."""
        if not self.path.exists():
            return CacheContents()
        try:
            with np.load(self.path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != CACHE_FORMAT:
                    raise ValueError(f"written in cache format {meta.get('format')}")
                vecs, hashes, nwin, ntok = (z[k] for k in _ROWS)
                has_spare = [k in z.files for k in (*_SPARE, "spare_last_used")]
                if any(has_spare) and not all(has_spare):
                    raise ValueError("spare arrays incomplete")
                if all(has_spare):
                    svecs, shashes, snwin, sntok = (z[k] for k in _SPARE)
                    sused = z["spare_last_used"]
                else:
                    svecs = np.zeros((0, vecs.shape[-1] if vecs.ndim else 0), np.float32)
                    shashes, snwin, sntok, sused = (np.zeros(0, np.int64),) * 4
            generation = int(meta.get("generation", 0))
            _check(vecs, hashes, nwin, ntok)
            _check(svecs, shashes, snwin, sntok, sused)
            if len(svecs) and svecs.shape[1] != vecs.shape[1]:
                raise ValueError("inconsistent array shapes")
            rows = [str(h) for h in hashes]
            spare = [str(h) for h in shashes]
            if len(set(spare)) != len(spare) or set(spare) & set(rows):
                raise ValueError("a text both among the rows and spare, or spare twice")
            if len(sused) and not (sused.min() >= 0 and sused.max() <= generation):
                raise ValueError("spare last-use outside the file's generations")
        except Exception as e:
            if not quiet:
                warnings.warn(
                    f"{self.path.name} is corrupt or outdated ({type(e).__name__}: {e}); "
                    "re-embedding",
                    EmbeddingCacheWarning,
                    stacklevel=stacklevel,
                )
            return CacheContents()
        if meta.get("key") != key:
            if not quiet:
                warnings.warn(
                    f"{self.path.name} was made with another model or chunking "
                    f"({meta.get('model')!r}); re-embedding everything",
                    EmbeddingCacheWarning,
                    stacklevel=stacklevel,
                )
            return CacheContents()
        entries: Entries = {
            h: (v, int(n), int(t)) for h, v, n, t in zip(spare, svecs, snwin, sntok, strict=True)
        }
        entries.update(
            (h, (v, int(n), int(t))) for h, v, n, t in zip(rows, vecs, nwin, ntok, strict=True)
        )
        last_used = {h: int(u) for h, u in zip(spare, sused, strict=True)}
        last_used.update((h, generation) for h in rows)
        return CacheContents(entries, rows, last_used, generation)

    def write(
        self,
        key: str,
        model: str,
        hashes: list[str],
        vecs: np.ndarray,
        nwin: np.ndarray,
        ntok: np.ndarray,
        *,
        spare: Entries | None = None,
        last_used: Mapping[str, int] | None = None,
        generation: int = 1,
    ) -> None:
        """Write `hashes` (in order, with their vectors) as the rows and the entries of `spare`
        not among them as spare vectors, the `MAX_SPARE` used most recently (`last_used`: the
        generation each was last among the rows; unknown ones count as used now)."""
        used = last_used or {}
        in_rows = set(hashes)
        kept = sorted(
            (h for h in (spare or {}) if h not in in_rows),
            key=lambda h: (-used.get(h, generation), h),
        )[:MAX_SPARE]
        dim = vecs.shape[1]
        table = spare or {}
        meta = json.dumps(
            {"format": CACHE_FORMAT, "key": key, "model": model, "generation": generation}
        )

        def save(tmp: Path) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would append ".npz" to a path
                np.savez(
                    f,
                    meta=np.array(meta),
                    vectors=vecs.astype(np.float32),
                    text_sha256=np.array(hashes),
                    n_windows=nwin.astype(np.int64),
                    n_tokens=ntok.astype(np.int64),
                    spare_vectors=np.array([table[h][0] for h in kept], np.float32).reshape(
                        len(kept), dim
                    ),
                    spare_text_sha256=np.array(kept, dtype="U64"),
                    spare_n_windows=np.array([table[h][1] for h in kept], np.int64),
                    spare_n_tokens=np.array([table[h][2] for h in kept], np.int64),
                    spare_last_used=np.array([used.get(h, generation) for h in kept], np.int64),
                )

        # per vector: float32 values, its sha256 as 64 UCS-4 characters, two counts
        needed = (len(hashes) + len(kept)) * (4 * dim + 4 * 64 + 16) + 4096
        write_atomic(self.path, save, needed=needed)
