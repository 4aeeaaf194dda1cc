"""The run: load -> embed -> cluster -> name -> write artifacts -> figures (`run`)."""

from __future__ import annotations

import resource
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .artifacts import (
    PAPERS_CACHE,
    VOCABULARY_CACHE,
    write_artifacts,
)
from .config import DEFAULT, OUTLIER_NAME, Config
from .dataset import dump_paths, load_entries, papers_from_entries
from .io import WriteError, check_writable, remove_stale_temps
from .text import paper_texts

__all__ = ["PipelineError", "RunResult", "run"]


class PipelineError(RuntimeError):
    """A stage could not run (missing model, too few papers, ...)."""


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far, in MB (of this process, or of its largest ended child)."""
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


@dataclass
class StageTimer:
    """Wall-clock seconds per named stage, and this process's peak memory when each ended."""

    times: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - t0
            self.peak_mb[name] = _peak_mb()

    def summary(self) -> str:
        total = sum(self.times.values())
        width = max([len(k) for k in self.times] + [5])
        rows = [
            f"  {k:<{width}}  {v:7.2f} s  {self.peak_mb.get(k, 0):7.0f} MB peak"
            for k, v in self.times.items()
        ]
        top = max(self.peak_mb.values(), default=0.0)
        rows.append(f"  {'total':<{width}}  {total:7.2f} s  {top:7.0f} MB peak")
        return "stage timings (peak: this process so far):\n" + "\n".join(rows)


@dataclass
class RunResult:
    papers: pd.DataFrame
    themes: pd.DataFrame
    timings: dict[str, float]
    output_dir: Path
    peak_mb: dict[str, float] = field(default_factory=dict)


def summarise(papers: pd.DataFrame, entries: pd.DataFrame) -> str:
    """A few lines describing the loaded corpus."""
    per_dump = entries.groupby("dump").size()
    lines = [
        f"{len(entries)} entries in {len(per_dump)} dumps, {len(papers)} unique papers",
        "entries per dump: " + ", ".join(f"{d} {n}" for d, n in per_dump.items()),
        f"papers in more than one dump: {int((papers['n_dumps'] > 1).sum())}",
        f"abstract length: median {int(papers['n_words'].median())} words",
        f"code linked: {int(papers['has_code'].sum())}, promised: "
        f"{int(papers['code_promised'].sum())}",
    ]
    return "\n".join(lines)


def _embed_all(papers, vocab, cfg: Config, force: bool, progress: bool) -> list:
    """Embed the papers and the vocabulary's areas; with Dask, load the clustering code while
    the workers embed."""
    from .embedding import EmbeddingJob, ModelError, make_engine
    from .modeling import warm_up

    out = cfg.processed_dir
    c = cfg.compute
    try:
        jobs = [
            EmbeddingJob(paper_texts(papers), out / PAPERS_CACHE, cfg.embed, force),
            EmbeddingJob(vocab.texts(), out / VOCABULARY_CACHE, cfg.embed, force),
        ]
        if not any(j.todo for j in jobs):
            return [j.finish() for j in jobs]
        engine = make_engine(c.engine, c.workers, c.scheduler)
        try:
            for j in jobs:
                j.submit(engine)
            if engine.name == "dask":
                warm_up(cfg.cluster, n_points=len(papers))
            return [
                j.finish(progress=progress and k == 0, desc=f"Embedding ({engine.name})")
                for k, j in enumerate(jobs)
            ]
        finally:
            engine.close()
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
    """Run the analysis end to end; returns the tables it wrote."""
    cfg = config
    out = cfg.processed_dir
    say = print if verbose else (lambda *a, **k: None)
    timer = StageTimer()

    check_writable(out, "output folder")  # before any long work
    if figures:
        check_writable(cfg.figures_dir, "figures folder")
    for folder in {out, cfg.figures_dir}:
        remove_stale_temps(folder)  # what killed runs left behind

    with timer.stage("load"):
        entries, skipped = _load(cfg, on_error)
        papers = papers_from_entries(entries)
    say(summarise(papers, entries))

    from .modeling import ThemeModel
    from .modeling.theme_table import theme_tables
    from .modeling.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    with timer.stage("embed"):
        emb, area_emb = _embed_all(papers, vocab, cfg, force, progress)
    X = emb.vectors
    say(
        f"embedded {emb.n_embedded} of {len(X)} texts ({len(X) - emb.n_embedded} from cache); "
        f"{int((emb.n_windows > 1).sum())} needed more than one {cfg.embed.window_tokens}-token "
        f"window ({int(emb.n_windows.sum())} windows in all)"
    )

    with timer.stage("cluster"):
        from .engines import make_engine
        from .modeling.seeded_fits import load_fit_code

        c = cfg.compute
        engine = make_engine(c.engine, c.workers, c.scheduler)
        try:
            engine.warm(load_fit_code)
            model = ThemeModel.from_config(cfg.cluster, progress=progress).fit(X, engine=engine)
        except ValueError as e:
            raise PipelineError(str(e)) from None
        finally:
            engine.close()

    with timer.stage("name"):
        tables = theme_tables(papers, X, model, vocab, area_emb.vectors, cfg.themes)
        themes = tables.themes
        papers = _annotate(papers.join(tables.papers), model, themes, emb.n_windows)

    with timer.stage("write"), _one_line_write_errors(out):
        write_artifacts(out, cfg, papers, themes, entries, model, emb, asdict(cfg.compute), skipped)

    if figures:
        with timer.stage("figures"), _one_line_write_errors(cfg.figures_dir):
            write_run_figures(papers, themes, cfg.figures_dir, occurrences=entries)

    n_out = int((papers["theme_id"] < 0).sum())
    hubs = int(papers["hub"].sum())
    say(
        f"{len(themes)} themes, {n_out} outliers ({n_out / len(papers):.1%})"
        + (f", {hubs} of them hubs left out of the fits" if hubs else "")
        + f"; {int(papers['misfit'].sum())} misfits"
    )
    for _, t in themes.iterrows():
        say(f"  {t['theme_id']:>2}  {t['size']:>3}  {t['theme_name']}")
    say(timer.summary())
    return RunResult(papers, themes, dict(timer.times), out, dict(timer.peak_mb))


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
def _one_line_write_errors(folder: Path) -> Iterator[None]:
    """An OS error while writing outputs becomes one `WriteError` line naming the file."""
    try:
        yield
    except WriteError:
        raise
    except OSError as e:
        where = e.filename or folder
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


def write_run_figures(
    papers: pd.DataFrame,
    themes: pd.DataFrame,
    figures_dir: Path,
    occurrences: pd.DataFrame | None = None,
) -> list[Path]:
    """The figures `python -m analysis run` regenerates: theme map, sizes, interactive map, and
    with `occurrences` (their ranks give the best listing rank) the reading lists."""
    import matplotlib.pyplot as plt

    from .plots import save, theme_map, theme_sizes, write_interactive_map

    fig = theme_map(papers, themes)
    out = save(fig, figures_dir, "theme_map", svg=True)
    plt.close(fig)
    fig = theme_sizes(themes, int((papers["theme_id"] < 0).sum()))
    out += save(fig, figures_dir, "theme_sizes")
    plt.close(fig)
    out.append(write_interactive_map(papers, themes, Path(figures_dir) / "paper_map.html"))
    if occurrences is not None:
        from .analyses.reading_lists import reading_list, write_reading_list

        out += write_reading_list(reading_list(papers, themes, occurrences), figures_dir, themes)
    return out
