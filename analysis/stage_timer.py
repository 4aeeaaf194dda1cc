"""Wall-clock seconds and peak memory per stage of a run, for its closing table."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["StageTimer", "peak_mb"]


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far, in MB (of this process, or of its largest ended child)."""
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


@dataclass
class StageTimer:
    """Wall-clock seconds per named stage, and this process's peak memory when each ended. A
    stage inside another counts for itself only (its seconds are not the outer one's too), so
    the stages add up to the run's time."""

    times: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    _inner: list[float] = field(default_factory=list, repr=False)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - t0
            inner = self._inner.pop()
            if self._inner:
                self._inner[-1] += elapsed
            self.times[name] = self.times.get(name, 0.0) + elapsed - inner
            self.peak_mb[name] = peak_mb()

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
