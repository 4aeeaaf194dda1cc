"""The machine measured: CPU, cores, memory, SIMD, and torch's matmul peak per precision.

The peaks are what embedding throughput is compared with: float32 rows with the fp32 peak,
float64 rows with the fp64 peak. bf16 says whether a bf16 path would pay on this CPU.
"""

from __future__ import annotations

import os
import platform
import re
import time
from pathlib import Path

#: The SIMD features the report names when the CPU has them.
SIMD_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
#: The precisions whose peak is measured twice (at the start and next to the throughput runs).
REMEASURED = ("fp32", "fp64")
#: Matmul size of the peaks, and of the bf16 probe that decides whether bf16 is worth more.
N, BF16_PROBE_N = 2048, 512
#: Below this many GFLOP/s in the probe, bf16 is not measured at full size (it would take a
#: minute without AVX-512 BF16 or AMX, and the probe already says what matters).
BF16_SLOW = 10.0


def describe_machine() -> dict:
    """CPU model, cores, memory (GiB), SIMD features and Python version."""
    cpu = "unknown"
    flags: set[str] = set()
    try:
        info = Path("/proc/cpuinfo").read_text()
        m = re.search(r"model name\s*:\s*(.+)", info)
        cpu = m.group(1).strip() if m else cpu
        m = re.search(r"flags\s*:\s*(.+)", info)
        flags = set(m.group(1).split()) if m else set()
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "simd": [f for f in SIMD_FLAGS if f in flags],
        "python": platform.python_version(),
    }


def best_gflops(size: int, dtype_name: str, times: int) -> float:
    """Best-of-`times` GFLOP/s of one size x size matmul with torch, in this dtype."""
    import torch

    dtype = getattr(torch, dtype_name)
    a = torch.randn(size, size, dtype=dtype)
    b = torch.randn(size, size, dtype=dtype)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(times):
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2 * size**3 / best / 1e9


def matmul_peak(n: int = N, repeat: int = 10) -> dict[str, float]:
    """Best-of-`repeat` GFLOP/s of an n x n matmul in fp32, fp64 and bf16, on torch's threads.

    bf16 is first probed at 512^3: without AVX-512 BF16 or AMX one 2048^3 bf16 matmul takes
    about a minute, and a slow probe already says what matters.
    """
    import torch

    out: dict[str, float] = {"threads": torch.get_num_threads(), "n": n}
    out["fp32_gflops"] = best_gflops(n, "float32", repeat)
    out["fp64_gflops"] = best_gflops(n, "float64", repeat)
    probe = best_gflops(BF16_PROBE_N, "bfloat16", 3)
    slow = probe < BF16_SLOW
    out["bf16_n"] = BF16_PROBE_N if slow else n
    out["bf16_gflops"] = probe if slow else best_gflops(n, "bfloat16", repeat)
    return out


def remeasure_peaks(peak: dict) -> dict:
    """The fp32 and fp64 peaks measured again, each kept as the better of the two runs.

    This shared machine's speed drifts: one slow spell during the first measurement would
    inflate every share of the peak, so the peak is taken again next to the throughput runs.
    `<p>_runs` lists both measurements, `<p>_gflops` is the better one.
    """
    again = matmul_peak()
    for p in REMEASURED:
        key = f"{p}_gflops"
        if key not in peak:  # results from before this precision was measured
            peak[key] = again[key]
            continue
        first = peak.get(f"{p}_runs", [peak[key]])[0]  # the measurement at the run's start
        runs = [first, again[key]]
        peak[f"{p}_runs"], peak[key] = runs, max(runs)
    return peak
