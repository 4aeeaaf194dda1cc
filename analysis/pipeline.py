"""The run: load -> (later stages) -> artifacts, with a per-stage timing summary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import DEFAULT
from .io import write_atomic
from .load import load_entries, papers_from_entries


class PipelineError(RuntimeError):
    """A stage could not run (missing model, bad cache that cannot be rebuilt, ...)."""


@dataclass
class StageTimer:
    """Wall-clock seconds per named stage, printed as a table at the end of a run."""

    times: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - t0

    def summary(self) -> str:
        total = sum(self.times.values())
        width = max([len(k) for k in self.times] + [5])
        rows = [f"  {k:<{width}}  {v:7.2f} s" for k, v in self.times.items()]
        rows.append(f"  {'total':<{width}}  {total:7.2f} s")
        return "stage timings:\n" + "\n".join(rows)


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


def run(
    raw_dir: Path = DEFAULT.raw_dir,
    output_dir: Path = DEFAULT.processed_dir,
    figures_dir: Path = DEFAULT.figures_dir,
    model: str | None = None,
    seed: int = DEFAULT.cluster.seed,
    min_cluster_size: int = DEFAULT.cluster.min_cluster_size,
    on_error: str = "raise",
    figures: bool = True,
    force: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the analysis end to end and return the papers table."""
    timer = StageTimer()
    output_dir = Path(output_dir)
    with timer.stage("load"):
        entries = load_entries(raw_dir, on_error=on_error)
        papers = papers_from_entries(entries)
    print(summarise(papers, entries))
    with timer.stage("write"):
        write_atomic(output_dir / "entries.parquet", lambda p: entries.to_parquet(p, index=False))
    print(timer.summary())
    return papers
