"""The run: load -> embed -> cluster -> name -> write the set (data and figures) -> publish
the figures (`run`). Each stage is a call into the package; this module only runs them."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .artifacts import FITS_CACHE, PAPERS_CACHE, VOCABULARY_CACHE, RunOutputs, write_artifacts
from .config import DEFAULT, Config
from .console import corpus_lines, theme_lines
from .dataset import load_corpus, papers_from_entries
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
    """Embed the papers and the vocabulary's areas; with Dask, load the clustering code while
    the workers embed. In this process torch needs no engine, so none is started for it."""
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
            for j in jobs:
                j.submit(engine)
            if engine.name == "dask":
                warm_up(cfg.cluster, n_points=len(papers))
            return [
                j.finish(progress=progress and k == 0, desc=f"Embedding ({engine.name})")
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
            entries, skipped = load_corpus(cfg.raw_dir, on_error, cfg.load)
            papers = papers_from_entries(entries)
        say(corpus_lines(papers, entries))
        needed = _bytes_needed(len(papers))
        check_space(out, "output folder", needed)  # before the embedding
        if figures:
            check_space(cfg.figures_dir, "figures folder", needed)

        from .modeling import ThemeModel
        from .modeling.fit_cache import fit_memory
        from .modeling.theme_table import paper_table, theme_tables
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
            fits = fit_memory(out / FITS_CACHE)  # the graph, fits and map of earlier runs
            try:
                model = ThemeModel.from_config(cfg.cluster, progress=progress)
                model.fit(X, engine=engine, memory=fits)
            except ValueError as err:
                raise PipelineError(str(err)) from None
        compute = asdict(cfg.compute) if engine.used else {"engine": None}

    with timer.stage("name"):
        tables = theme_tables(papers, X, model, vocab, area_emb.vectors, cfg.themes)
        themes = tables.themes
        papers = paper_table(papers.join(tables.papers), model, themes, emb.n_windows)

    def draw(folder: Path) -> None:
        from .run_figures import write_run_figures

        with timer.stage("figures"):
            write_run_figures(papers, themes, folder, occurrences=entries)

    with timer.stage("write"), _one_line_errors(out, needed):
        made = RunOutputs(papers, themes, entries, model, emb, compute, skipped)
        folder = write_artifacts(out, cfg, made, figures=draw if figures else None)
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
