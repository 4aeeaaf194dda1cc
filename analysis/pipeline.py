"""The run: load -> embed -> cluster -> name -> write the set (data and figures) -> publish
the figures (`run`). Each stage is a call into the package; this module only runs them."""

from __future__ import annotations

import errno
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .artifacts import PAPERS_CACHE, VOCABULARY_CACHE, write_artifacts
from .config import DEFAULT, OUTLIER_NAME, Config
from .console import corpus_lines, theme_lines
from .dataset import dump_paths, load_entries, papers_from_entries
from .engines import EngineError, OnDemand, check_reachable
from .io import WriteError, check_space, check_writable, no_space, remove_stale_temps
from .stage_timer import StageTimer
from .text import paper_texts

__all__ = ["PipelineError", "RunResult", "run"]


class PipelineError(RuntimeError):
    """A stage could not run (missing model, too few papers, ...)."""


@dataclass
class RunResult:
    papers: pd.DataFrame
    themes: pd.DataFrame
    timings: dict[str, float]
    output_dir: Path
    peak_mb: dict[str, float] = field(default_factory=dict)


def _embed_all(papers, vocab, cfg: Config, force: bool, progress: bool, engine: OnDemand):
    """Embed the papers and the vocabulary's areas (the engine started only when something
    must be embedded); with Dask, load the clustering code while the workers embed."""
    from .embedding import EmbeddingJob, ModelError
    from .modeling import warm_up

    out = cfg.processed_dir
    try:
        jobs = [
            EmbeddingJob(paper_texts(papers), out / PAPERS_CACHE, cfg.embed, force),
            EmbeddingJob(vocab.texts(), out / VOCABULARY_CACHE, cfg.embed, force),
        ]
        try:
            if not any(j.todo for j in jobs):
                return [j.finish() for j in jobs]
            e = engine.get()
            for j in jobs:
                j.submit(e)
            if e.name == "dask":
                warm_up(cfg.cluster, n_points=len(papers))
            return [
                j.finish(progress=progress and k == 0, desc=f"Embedding ({e.name})")
                for k, j in enumerate(jobs)
            ]
        finally:
            for j in jobs:
                j.close()
    except ModelError as e:
        raise PipelineError(str(e)) from None


def run(
    config: Config = DEFAULT,
    on_error: str = "raise",
    figures: bool = True,
    force: bool = False,
    progress: bool = True,
    verbose: bool = True,
) -> RunResult:
    """Run the analysis end to end; returns the tables it wrote. Everything is checked before
    the long work: the config when it was made, the folders here (writable, and room for what
    the run will write once the corpus is loaded)."""
    cfg = config
    out = cfg.processed_dir
    say = print if verbose else (lambda *a, **k: None)
    timer = StageTimer()

    check_writable(out, "output folder")  # before any long work
    if figures:
        check_writable(cfg.figures_dir, "figures folder")
    for folder in {out, cfg.figures_dir}:
        remove_stale_temps(folder)  # what killed runs left behind

    with OnDemand(cfg.compute) as engine:
        if cfg.compute.scheduler:  # an external cluster: known to answer before any work
            check_reachable(cfg.compute.scheduler)
            engine.get()
        with timer.stage("load"):
            entries, skipped = _load(cfg, on_error)
            papers = papers_from_entries(entries)
        say(corpus_lines(papers, entries))
        needed = _bytes_needed(len(papers))
        check_space(out, "output folder", needed)  # before the embedding
        if figures:
            check_space(cfg.figures_dir, "figures folder", needed)

        from .modeling import ThemeModel
        from .modeling.seeded_fits import load_fit_code
        from .modeling.theme_table import theme_tables
        from .modeling.vocabulary import load_vocabulary

        vocab = load_vocabulary()
        with timer.stage("embed"), _one_line_errors(out, needed):
            emb, area_emb = _embed_all(papers, vocab, cfg, force, progress, engine)
        X = emb.vectors
        say(
            f"embedded {emb.n_embedded} of {len(X)} texts ({len(X) - emb.n_embedded} from "
            f"cache); {int((emb.n_windows > 1).sum())} needed more than one "
            f"{cfg.embed.window_tokens}-token window ({int(emb.n_windows.sum())} windows in all)"
        )
        with timer.stage("cluster"):
            e = engine.get()
            e.warm(load_fit_code)
            try:
                model = ThemeModel.from_config(cfg.cluster, progress=progress).fit(X, engine=e)
            except ValueError as err:
                raise PipelineError(str(err)) from None
        compute = asdict(cfg.compute) if engine.used else {"engine": None}

    with timer.stage("name"):
        tables = theme_tables(papers, X, model, vocab, area_emb.vectors, cfg.themes)
        themes = tables.themes
        papers = _annotate(papers.join(tables.papers), model, themes, emb.n_windows)

    def draw(folder: Path) -> None:
        from .run_figures import write_run_figures

        with timer.stage("figures"):
            write_run_figures(papers, themes, folder, occurrences=entries)

    with timer.stage("write"), _one_line_errors(out, needed):
        folder = write_artifacts(
            out,
            cfg,
            papers,
            themes,
            entries,
            model,
            emb,
            compute,
            skipped,
            figures=draw if figures else None,
        )
    if figures:
        from .run_figures import publish_figures

        try:
            with (
                timer.stage("publish"),
                _one_line_errors(cfg.figures_dir, _size(folder / "figures")),
            ):
                publish_figures(folder / "figures", cfg.figures_dir)
        except WriteError as e:
            raise WriteError(
                f"{e}; the run's set is saved and current, but {cfg.figures_dir} still shows "
                "the previous run's figures (rerun to copy them)"
            ) from None

    say(theme_lines(papers, themes))
    say(timer.summary())
    return RunResult(papers, themes, dict(timer.times), out, dict(timer.peak_mb))


#: Bytes a run writes per paper (embedding cache with its spare rows, the set's tables and
#: figures; measured at 333 papers: about 25 KB each), and on top of them (the interactive
#: map's inlined plotly.js, fonts of the figures): what the free space is checked against.
BYTES_PER_PAPER = 40_000
BYTES_FIXED = 20_000_000


def _bytes_needed(n_papers: int) -> int:
    return BYTES_FIXED + BYTES_PER_PAPER * n_papers


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _load(cfg: Config, on_error: str) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """The entries, and the dumps `on_error="skip"` left out: sha256 and reason by file name
    (their warnings are passed on as they were)."""
    from .io import sha256_file

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        entries = load_entries(cfg.raw_dir, on_error=on_error, config=cfg.load)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    used = set(entries["dump"])
    skipped = {}
    for p in dump_paths(cfg.raw_dir):
        if p.stem not in used:
            why = [str(w.message) for w in caught if str(w.message).startswith(f"skipped {p.name}")]
            skipped[p.name] = {
                "sha256": sha256_file(p),
                "reason": why[0].removeprefix("skipped ") if why else "no entries",
            }
    return entries, skipped


@contextmanager
def _one_line_errors(folder: Path, needed: int | None = None) -> Iterator[None]:
    """An OS error while writing outputs becomes one `WriteError` line naming the file (and,
    for a full device, the room left and the `needed` bytes); an engine that cannot start is
    one line of its own."""
    try:
        yield
    except (WriteError, EngineError):
        raise
    except OSError as e:
        where = e.filename or folder
        if e.errno == errno.ENOSPC:
            raise no_space(where, needed) from None
        raise WriteError(f"cannot write {where}: {e.strerror or e}") from None


def _annotate(
    papers: pd.DataFrame, model, themes: pd.DataFrame, n_windows: np.ndarray
) -> pd.DataFrame:
    """The papers with what the run found for each: theme, how well it belongs, map position."""
    from .text import contribution

    name = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    p = papers.copy()
    lab = model.labels_
    near = model.nearest_theme_
    p["theme_id"] = lab
    p["theme_name"] = [name.get(int(t), OUTLIER_NAME) for t in lab]
    p["nearest_theme_id"] = near
    p["nearest_theme_name"] = [name[int(t)] for t in near]
    p["membership"] = model.probabilities_.astype(np.float64)
    p["centroid_similarity"] = model.similarity_[np.arange(len(p)), near].astype(np.float64)
    p["better_theme_name"] = [name.get(int(t), "") for t in p["better_theme_id"]]
    p["hub"] = model.hubs_
    p["summary"] = p["abstract"].map(contribution)
    p["n_windows"] = n_windows.astype(np.int64)
    p["x"] = model.map_[:, 0].astype(np.float64)
    p["y"] = model.map_[:, 1].astype(np.float64)
    found = ["theme_id", "theme_name", "membership", "fit", "misfit", "better_theme_id"]
    found += ["better_theme_name", "nearest_theme_id", "nearest_theme_name"]
    found += ["centroid_similarity", "area", "hub", "summary", "n_windows", "x", "y"]
    return p[[c for c in papers.columns if c not in found] + found]
