"""Benchmarks and peer comparisons (`make bench`, `python -m benchmarks`); never part of
`make test`.

`machine` (CPU and matmul peaks), `runs` (end-to-end runs in fresh processes), `throughput`
(embedding in process and on Dask), `noise` (what last-bit noise does to themes), `synthetic`
(corpora of any size), `scale` (the runs on them and the scaling figure), `fit_scale` (the
consensus fit alone, up to 100,000 papers), `targets` (every threshold), `report` with
`report.md.j2` (results.md and the README's speed blocks), `__main__` (the command line).
"""

from pathlib import Path

# Before numpy is imported: the portable numerics environment (`analysis.numerics`).
import analysis  # noqa: F401
from analysis.config import SPEED_BLOCKS

#: The checkout the benchmarks measure (runs start here).
ROOT = Path(__file__).resolve().parents[1]
#: The report, rendered from `RAW_JSON`.
RESULTS = ROOT / "benchmarks" / "results.md"
#: Every number measured, as measured.
RAW_JSON = ROOT / "benchmarks" / "results" / "bench.json"
#: Time and memory per stage against corpus size.
SCALING_FIGURE = ROOT / "figures" / "scaling.png"
#: The README's speed blocks, as `python -m analysis readme` fills them in.
README_BLOCKS = SPEED_BLOCKS
