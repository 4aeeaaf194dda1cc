"""`keep_large_buffers`: with it, freeing and reallocating a transformer-sized buffer no longer
faults its pages in again (what made float64 embedding ~20% slower)."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import run_python

#: 20 rounds of a 100 MB buffer allocated, written and freed; prints the page faults it took
CHURN = """
import resource, sys
import analysis
import numpy as np
from analysis.process.heap import keep_large_buffers
if sys.argv[1] == "keep":
    assert keep_large_buffers()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    a = np.ones(12_500_000)
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    proc = run_python("-c", CHURN, mode)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_buffers_stay_mapped() -> None:
    trimmed, kept = _faults("trim"), _faults("keep")
    # one 100 MB buffer's pages fault in once instead of in every round
    assert kept * 4 < trimmed, (kept, trimmed)


def test_only_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.process import heap as allocator

    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    allocator.keep_large_buffers.cache_clear()
    try:
        assert allocator.keep_large_buffers() is False
    finally:
        allocator.keep_large_buffers.cache_clear()
