"""benchmarks/results.md is rendered from bench.json: verdicts follow the numbers.

Only the report is exercised here; the benchmarks themselves never run in the test command.
"""

from __future__ import annotations

import copy
import json

import pytest

from analysis.config import EmbedConfig
from benchmarks.__main__ import RAW_JSON, report


@pytest.fixture(scope="module")
def res() -> dict:
    return json.loads(RAW_JSON.read_text())


def _with_cold(res: dict, cold: float, peer: float) -> dict:
    """One round of each: verdicts on the ratio of the two runs."""
    r = copy.deepcopy(res)
    r["cold"]["wall"], r["peer"]["wall"] = cold, peer
    r["warm"]["wall"] = 0.2 * cold
    for k in ("cold", "peer", "warm"):
        r[k]["walls"] = [r[k]["wall"]]
    return r


def test_report_renders_every_section(res: dict):
    md = report(res)
    for heading in ("## Cold, warm, peer", "## Embedding throughput", "## Beyond one machine"):
        assert heading in md
    assert "| cold (empty data/processed) |" in md
    assert "| BERTopic defaults (same texts, same model) |" in md
    if res.get("scale"):
        assert "## Scale (synthetic corpora)" in md
        assert all(f"| {int(n):,} (min_cluster_size" in md for n in res["scale"])


def test_cold_verdict_follows_the_ratio(res: dict):
    assert "cold / BERTopic cold = 0.70 (target <= 0.8: met" in report(_with_cold(res, 35, 50))
    assert "cold / BERTopic cold = 0.90 (target <= 0.8: **missed**" in report(
        _with_cold(res, 45, 50)
    )


def test_with_rounds_the_verdict_is_on_the_median_per_round_ratio(res: dict):
    r = _with_cold(res, 41.3, 43.0)
    r["cold"]["walls"], r["peer"]["walls"] = [45.0, 41.3], [60.5, 43.0]
    r["warm"]["walls"] = [9.0, 9.5]
    md = report(r)
    # one lucky BERTopic round: best against best says 0.96, the rounds 0.74 and 0.96
    assert "cold / BERTopic cold: median of the per-round ratios **0.85** (target <= 0.8: " in md
    assert "rounds 0.74, 0.96; best against best 0.96." in md
    r["cold"]["walls"], r["peer"]["walls"] = [42.0, 41.3, 43.0], [55.0, 43.0, 58.0]
    r["warm"]["walls"] = [9.0, 9.5, 9.1]
    md = report(r)
    assert "median of the per-round ratios **0.76** (target <= 0.8: met)" in md
    assert "warm / cold: median of the per-round ratios **0.21** (target <= 0.25: met)" in md


def test_in_process_row_and_gain_are_reported(res: dict):
    r = _with_cold(res, 44.0, 57.0)
    r["cold_in_process"] = {**copy.deepcopy(res["cold"]), "wall": 50.5, "walls": [50.5, 51.0]}
    md = report(r)
    assert "| cold, `--embed-in-process` | 50.5 |" in md
    assert "cold with `--embed-in-process` / BERTopic cold = 0.89" in md
    assert "6.5 s faster than `--embed-in-process`" in md
    r.pop("cold_in_process")
    assert "--embed-in-process" not in report(r)


def test_peak_is_the_better_of_two_measurements(res: dict):
    r = copy.deepcopy(res)
    r["peak"]["fp32_runs"], r["peak"]["fp32_gflops"] = [84.4, 150.2], 150.2
    md = report(r)
    assert "fp32 150 GFLOP/s (n=2048; the better of 84, 150 measured at the start" in md
    share = r["throughput"]["model"]["gflops"] / 150.2
    assert f"**{share:.0%}**" in md  # shares are of the better peak


def _with_workers(res: dict, gflops: float, identical: bool = True) -> dict:
    """Throughput rows that measured a run's own embedding, batched "model" (as before
    float64), whatever the committed results measured."""
    r = copy.deepcopy(res)
    r["throughput"]["precision"] = EmbedConfig().precision
    r["throughput"]["default_batching"] = "model"
    r["peak"]["fp32_gflops"] = 150.0
    r["throughput"]["model"]["gflops"] = 84.0
    r["throughput"]["workers"] = {
        **r["throughput"]["model"],
        "gflops": gflops,
        "workers": 2,
        "identical": identical,
    }
    return r


def test_throughput_verdict_is_on_the_workers_a_run_uses(res: dict):
    md = report(_with_workers(res, 96.0))
    assert "| model, 2 worker processes of 1 thread (what a run uses) |" in md
    assert "a run's embedding (model, 2 worker processes of 1 thread): 64% of the fp32" in md
    assert "64% of the fp32 peak (target >= 60%: met)" in md
    assert "**bit-identical**" in md
    md = report(_with_workers(res, 84.0, identical=False))
    assert "56% of the fp32 peak (target >= 60%: **missed**" in md
    assert "**not identical** (a bug)" in md


def test_without_the_workers_row_the_verdict_is_on_the_in_process_embedder(res: dict):
    r = _with_workers(res, 96.0)
    del r["throughput"]["workers"]
    md = report(r)
    assert "worker processes of 1 thread" not in md
    assert "(what a run uses)" not in md
    assert "a run's embedding, measured in one process (model, one process" in md
    assert "(model, one process, 2 threads): 56% of the fp32 peak (target >= 60%: **missed**" in md


def test_first_run_row_reports_the_one_off_compile_it_measured(res: dict):
    r = _with_cold(res, 40.0, 50.0)
    r["first"] = {**copy.deepcopy(res["cold"]), "wall": 61.5}
    md = report(r)
    assert "| first run on a new machine (empty numba cache too) | 61.5 |" in md
    assert "measured below with an empty numba cache too, 21.5 s more than the best cold" in md
    # the row comes before the cold row it is compared with
    assert md.index("| first run on a new machine") < md.index("| cold (empty data/processed)")
    r.pop("first")
    md = report(r)
    assert "first run on a new machine" not in md
    assert "only the very first run on a machine compiles it." in md


def test_float32_throughput_is_not_called_what_a_run_uses(res: dict):
    """Since runs embed in float64, the throughput rows measure the float32 kernels."""
    r = _with_workers(res, 96.0)
    r["throughput"]["precision"], r["throughput"]["default_batching"] = "float32", "token-sorted"
    md = report(r)
    assert "(what a run uses)" not in md
    row = "| token-sorted, 2 worker processes of 1 thread (how a run splits the work; float32) |"
    assert row in md
    assert "- embedding in float32 (token-sorted, 2 worker processes of 1 thread): 64% of" in md


def test_bf16_sentence_follows_the_measured_peaks(res: dict):
    r = copy.deepcopy(res)
    r["peak"]["fp32_gflops"], r["peak"]["bf16_gflops"] = 169.0, 1.2
    assert "On this CPU bf16 is no shortcut: the measured bf16 matmul reaches 1.2 GFLOP/s" in (
        report(r)
    )
    r["peak"]["fp32_gflops"], r["peak"]["bf16_gflops"] = 337.0, 2260.0
    md = report(r)
    assert "no shortcut" not in md
    assert "a bf16 matmul reaches 2,260 GFLOP/s, 6.7x the fp32 337 GFLOP/s" in md
