"""benchmarks/results.md is rendered from bench.json: verdicts follow the numbers.

Only the report is exercised here; the benchmarks themselves never run in the test command.
`bench_before_dask.json` is a frozen bench.json from before the Dask engine and the fp64 peak
(the committed results of that time): it must still render, saying "not measured" where it has
no number, and the fixtures below give it the rows of the current code where a test needs them.
The committed `benchmarks/results/bench.json` must render too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from benchmarks import RAW_JSON
from benchmarks.report import report
from benchmarks.targets import PEAK_SHARE

BEFORE_DASK = Path(__file__).with_name("bench_before_dask.json")


@pytest.fixture(scope="module")
def res() -> dict:
    return json.loads(BEFORE_DASK.read_text())


def test_committed_results_render():
    """What `--report-only` renders from the committed numbers: every row of the current code."""
    md = report(json.loads(RAW_JSON.read_text()))
    assert md.count("(what a run uses)") == 1
    assert "| float64 | token-sorted, Dask, 2 worker processes of 1 thread |" in md
    assert "not measured" not in md.split("## Embedding throughput")[1].split("## Scale")[0]
    assert "## The consensus at scale" in md
    for n in ("10,000", "30,000", "100,000"):
        for measure in ("PSS", "summed RSS"):
            assert f"| {n} papers: peak memory, {measure}, GB |" in md


def _with_cold(res: dict, cold: float, peer: float) -> dict:
    """One round of each: verdicts on the ratio of the two runs."""
    r = copy.deepcopy(res)
    r["cold"]["wall"], r["peer"]["wall"] = cold, peer
    r["warm"]["wall"] = 0.2 * cold
    for k in ("cold", "peer", "warm"):
        r[k]["walls"] = [r[k]["wall"]]
    return r


def _row(precision: str, batching: str, engine: str, seconds: float, gflops: float, **extra):
    dask = engine == "dask"
    return {
        "precision": precision,
        "batching": batching,
        "engine": engine,
        "workers": 2 if dask else 1,
        "threads": 1 if dask else 2,
        "seconds": seconds,
        "docs_per_s": 333 / seconds,
        "tokens_per_s": 114_717 / seconds,
        "gflops": gflops,
        "padding": 0.013,
        **extra,
    }


def _with_rows(
    res: dict,
    fp64_gflops: float = 48.0,
    dask_seconds: float = 20.0,
    identical: bool = True,
    peaks: dict | None = None,
) -> dict:
    """Throughput as the current code measures it: rows of both precisions and engines, the
    run's default (float64, token-sorted, in process) among them; peaks fp32 150, fp64 75."""
    r = copy.deepcopy(res)
    th = r["throughput"]
    for old in ("model", "token-sorted", "workers", "precision"):
        th.pop(old, None)
    th.update(default_precision="float64", default_batching="token-sorted")
    th["default_engine"] = "in-process"
    th["rows"] = [
        _row("float32", "model", "in-process", 12.3, 84.0),
        _row("float32", "token-sorted", "in-process", 11.1, 93.0),
        _row("float32", "token-sorted", "dask", 10.9, 95.0, identical=True),
        _row("float64", "token-sorted", "in-process", 22.0, fp64_gflops),
        _row("float64", "token-sorted", "dask", dask_seconds, 50.0, identical=identical),
    ]
    r["peak"].pop("fp32_runs", None)
    r["peak"].update(peaks if peaks is not None else {"fp32_gflops": 150.0, "fp64_gflops": 75.0})
    return r


def test_report_renders_every_section(res: dict):
    md = report(res)
    for heading in ("## Cold, warm, peer", "## Embedding throughput", "## Beyond one machine"):
        assert heading in md
    assert "| cold (empty data/processed) |" in md
    assert "| BERTopic defaults (same texts, same model) |" in md
    if res.get("scale"):
        assert "## Scale (synthetic corpora, end to end)" in md
        assert all(f"| {int(n):,} (min_cluster_size" in md for n in res["scale"])
    assert "{{" not in md and "{%" not in md  # nothing of the template left unrendered


def test_cold_verdict_follows_the_ratio(res: dict):
    assert "cold / BERTopic cold = 1.20 (target <= 1.3: met" in report(_with_cold(res, 60, 50))
    assert "cold / BERTopic cold = 1.40 (target <= 1.3: **missed**" in report(
        _with_cold(res, 70, 50)
    )


def test_with_rounds_the_verdict_is_on_the_median_per_round_ratio(res: dict):
    r = _with_cold(res, 41.3, 32.0)
    r["cold"]["walls"], r["peer"]["walls"] = [45.0, 41.3], [40.0, 32.0]
    r["warm"]["walls"] = [5.0, 5.5]
    md = report(r)
    # one lucky BERTopic round: best against best says 1.29, the rounds 1.12 and 1.29
    assert "cold / BERTopic cold: median of the per-round ratios **1.21** (target <= 1.3: " in md
    assert "rounds 1.12, 1.29; best against best 1.29." in md
    r["cold"]["walls"], r["peer"]["walls"] = [42.0, 41.3, 43.0], [30.0, 32.0, 31.0]
    r["warm"]["walls"] = [5.0, 5.5, 5.1]
    md = report(r)
    assert "median of the per-round ratios **1.39** (target <= 1.3: **missed**)" in md
    assert "warm / cold: median of the per-round ratios **0.12** (target <= 0.15: met)" in md
    # the summary table at the top says the same
    assert "| cold / BERTopic cold | 1.39 | <= 1.3 | **missed** |" in md
    assert "| warm / cold | 0.12 | <= 0.15 | met |" in md


def test_dask_cold_row_and_difference_are_reported(res: dict):
    r = _with_cold(res, 44.0, 57.0)
    r.pop("cold_in_process")
    dask = {**copy.deepcopy(res["cold"]), "flag": "--engine dask"}
    r["cold_dask"] = {**dask, "wall": 50.5, "walls": [50.5, 51.0]}
    md = report(r)
    assert "| cold, `--engine dask` | 50.5 |" in md
    assert "cold with `--engine dask` / BERTopic cold = 0.89" in md
    assert "was **6.5 s slower** than the default" in md
    r["cold_dask"]["wall"] = 41.0
    assert "was **3.0 s faster** than the default" in report(r)
    r.pop("cold_dask")
    md = report(r)
    assert "| cold, `--engine dask` | not measured |" in md
    assert "A cold run with `--engine dask`: not measured" in md
    assert "/ BERTopic cold = 0.89" not in md


def test_older_results_keep_their_in_process_row(res: dict):
    """Results from the forked-worker engine: its in-process run is shown as what it was."""
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
    r["peak"]["fp64_runs"], r["peak"]["fp64_gflops"] = [70.4, 75.6], 75.6
    assert "fp64 76 GFLOP/s (n=2048; the better of 70, 76 measured at the start" in report(r)


def test_float64_share_is_of_the_fp64_peak(res: dict):
    md = report(_with_rows(res, fp64_gflops=48.0))
    row = "| float64 | token-sorted, in process, 2 threads (what a run uses) | 22.0 | 15.1 |"
    assert row in md
    assert "| 48 | **64%** | 1.3% |" in md  # 48 / 75, not 48 / 150
    assert (
        "- float64 embedding, what a run computes in (token-sorted, in process, 2 threads): "
        "64% of the fp64 peak (target >= 60%: met)"
    ) in md
    assert "- float32 embedding (token-sorted, in process, 2 threads): 62% of the fp32 peak" in md
    md = report(_with_rows(res, fp64_gflops=40.0))
    assert "53% of the fp64 peak (target >= 60%: **missed**)" in md


def test_dask_rows_compare_the_engines(res: dict):
    md = report(_with_rows(res, dask_seconds=20.0))
    assert "| float64 | token-sorted, Dask, 2 worker processes of 1 thread | 20.0 |" in md
    assert (
        "- float64, token-sorted: Dask on 2 workers of 1 thread took 20.0 s against 22.0 s in "
        "process (2 threads): **1.10x faster**"
    ) in md
    assert "float32, token-sorted, Dask, 2 worker processes of 1 thread are **bit-identical**" in md
    md = report(_with_rows(res, dask_seconds=24.2, identical=False))
    assert "took 24.2 s against 22.0 s in process (2 threads): **1.10x slower**" in md
    assert "float64, token-sorted, Dask, 2 worker processes of 1 thread are **not identical**" in md
    md = report(_with_rows(res, dask_seconds=22.3))  # 1.4% apart: run-to-run noise here
    assert "took 22.3 s against 22.0 s in process (2 threads): **the same speed** (within 2%)" in md


def test_only_a_runs_own_row_is_called_what_a_run_uses(res: dict):
    """Runs embed in float64: the float32 rows measure the faster kernels, not a run."""
    md = report(_with_rows(res))
    assert md.count("(what a run uses)") == 1
    assert "| float64 | token-sorted, in process, 2 threads (what a run uses) |" in md
    assert "| float32 | token-sorted, in process, 2 threads |" in md
    assert "(what a run uses)" not in report(res)  # the older rows measured float32


def test_absent_measurements_say_not_measured(res: dict):
    """The older results predate the fp64 peak, the Dask engine and the float64 rows."""
    r = copy.deepcopy(res)
    for key in ("fp64_gflops", "fp64_runs"):
        r["peak"].pop(key, None)
    r.pop("cold_dask", None)
    md = report(r)
    assert "fp64 not measured," in md
    assert "| cold, `--engine dask` | not measured | - |" in md
    assert "- float64 embedding, what a run computes in: not measured" in md
    assert "- `--engine dask` (2 workers of 1 thread): not measured" in md
    assert "Dask, 2 worker processes" not in md
    assert "(about twice the float32 time)" in md  # no float64 row to measure it by
    # rows of the current code, but no fp64 peak to divide by
    md = report(_with_rows(res, peaks={"fp32_gflops": 150.0}))
    assert "| 48 | not measured | 1.3% |" in md
    assert "the fp64 peak: not measured (target >= 60%: not measured)" in md
    assert "(2.0x the float32 time measured above)" in md  # 22.0 s against 11.1 s


def test_first_run_row_reports_the_one_off_compile_it_measured(res: dict):
    r = _with_cold(res, 40.0, 50.0)
    r["first"] = {**copy.deepcopy(res["cold"]), "wall": 61.5}
    md = report(r)
    assert "| first run with an empty numba cache too | 61.5 |" in md
    assert "measured below with an empty numba cache too, 21.5 s more than the best cold" in md
    # the row comes before the cold row it is compared with
    assert md.index("| first run with an empty numba") < md.index("| cold (empty data/processed)")
    r.pop("first")
    md = report(r)
    assert "first run with an empty numba" not in md
    assert "only the very first run on a machine compiles it." in md


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


def test_target_words_follow_the_threshold():
    assert PEAK_SHARE.shown == ">= 60%"
    assert (PEAK_SHARE.verdict(0.6), PEAK_SHARE.verdict(0.59)) == ("met", "**missed**")
    assert PEAK_SHARE.verdict(None) == "not measured"


def _fit(
    n: int,
    minutes: float,
    peak_mb: float,
    epochs: int = 200,
    themes: int = 14,
    pss_mb: float | None = None,
) -> dict:
    pss = {} if pss_mb is None else {"pss_mb": pss_mb}
    return {
        **pss,
        "n": n,
        "graph_seconds": 0.1 * minutes * 60,
        "fit_seconds": minutes * 60,
        "fits": 40,
        "workers": 2,
        "epochs": epochs,
        "min_cluster_size": max(8, n // 40),
        "themes": themes,
        "outliers": 0.05,
        "wall": minutes * 60 + 2,
        "peak_mb": peak_mb,
    }


def test_consensus_at_scale_rows_verdicts_and_the_epochs_check(res: dict):
    r = _with_rows(res)
    r["fits"] = {
        "10000": _fit(10_000, 1.5, 1100, pss_mb=900),  # RSS 1.15 GB: over 1 GB; PSS 0.94
        "30000": _fit(30_000, 11.0, 1800, pss_mb=1500),  # 1.89 GB; 11 minutes: over 10
        "100000": _fit(100_000, 40.0, 5000),  # from before PSS was sampled
        "epochs_check": {
            **_fit(10_000, 3.5, 1150, epochs=500, themes=15),
            "ari_with_default": 0.9712,
        },
    }
    md = report(r)
    assert "| 10,000 | 250 | 200 | 9.0 | 1.5 | 0.94 | 1.15 | 14 | 5.0% |" in md
    assert "| 100,000 | 2500 | 200 | 240.0 | 40.0 | not sampled | 5.24 | 14 | 5.0% |" in md
    assert "- 10,000 papers: consensus fit, minutes: **1.50** (target <= 2: met)" in md
    # one limit, two measures, two verdicts
    assert "- 10,000 papers: peak memory, PSS, GB: **0.94** (target <= 1: met)" in md
    assert "- 10,000 papers: peak memory, summed RSS, PSS, GB" not in md
    assert "- 10,000 papers: peak memory, summed RSS, GB: **1.15** (target <= 1: **missed**)" in md
    assert "- 30,000 papers: consensus fit, minutes: **11.00** (target <= 10: **missed**)" in md
    assert "- 30,000 papers: peak memory, summed RSS, GB: **1.89** (target <= 2: met)" in md
    assert (
        "- 100,000 papers: peak memory, PSS, GB: **not measured** (target <= 8: not measured)" in md
    )
    assert "100,000 papers peaked at 5.2 GB of summed RSS in all (PSS not sampled)" in md
    # the cost per paper-fit grew from 30,000 to 100,000 papers: 594 s x 2 cores / (30,000 x 40)
    # = 0.99 core-ms, 2,160 s x 2 / (100,000 x 40) = 1.08; 12 core-hours at 1M if linear, 14 if
    # the growth goes on; no memory projection without the largest size's PSS
    assert "0.99 core-ms per paper-fit at 30,000 papers, 1.08 at 100,000" in md
    assert "the fits take about **14 core-hours**, not 12." in md
    assert "PSS grew by" not in md
    assert "At the smallest size measured (10,000 papers) the 3 processes already held 1.15" in md
    assert "- 100,000 papers: consensus fit, minutes: **40.00** (measured, no target)" in md
    assert "500 epochs took 3.5 min against 1.5 min with 200" in md
    assert "**ARI 0.971** (15 themes against 14)" in md
    # the 1M projection from the largest size: 40 min of which 4 the graph, on 2 workers:
    # 100,000 x 40 paper-fits in 36 x 60 x 2 core-seconds
    assert "**926 paper-fits per core-second** (measured at 100,000 papers" in md


def test_readme_blocks_say_what_results_md_says(res: dict):
    from benchmarks.report import readme_blocks

    r = _with_rows(_with_cold(res, 60, 50))
    r["fits"] = {
        "1000": _fit(1_000, 0.3, 1150, pss_mb=800),
        "10000": _fit(10_000, 1.5, 1400, pss_mb=1000),
    }
    blocks = readme_blocks(r)
    assert set(blocks) == {"speed", "beyond"}
    assert "| cold / BERTopic cold | 1.20 | <= 1.3 | met |" in blocks["speed"]
    assert "1,000 papers 0.3 min and 0.8 GB; 10,000 papers 1.5 min and 1.0 GB" in blocks["speed"]
    assert "memory of all 3 processes, the fitting one and its workers, as PSS" in blocks["speed"]
    assert "summed RSS, which counts it in every process, is 1.21, 1.47 GB" in blocks["speed"]
    assert "paper-fits per core-second for the consensus (at 10,000 papers)" in blocks["beyond"]
    assert "{{" not in blocks["speed"] + blocks["beyond"]
    r.pop("fits")
    assert (
        "not measured" in readme_blocks(r)["speed"]
        or "Per-core rates: not measured" in (readme_blocks(r)["beyond"])
    )


def test_sizes_and_the_epochs_check_are_saved_side_by_side():
    """A fits section holds int sizes and "epochs_check": bench.json is written with sorted
    keys, which cannot compare the two unless the sizes are strings."""
    from analysis.io import json_text
    from benchmarks.__main__ import json_ready

    res = {"fits": {10000: {"n": 1}, "epochs_check": {"n": 2}}, "scale": {1000: {}}}
    back = json.loads(json_text(json_ready(res)))
    assert back["fits"] == {"10000": {"n": 1}, "epochs_check": {"n": 2}}
    assert back["scale"] == {"1000": {}}
    assert 10000 in res["fits"]  # the measured results in memory are left as they are


def test_missed_targets_say_what_the_measurements_hold_them_to(res: dict):
    """A missed cold / BERTopic target names the embedding's own share; a missed memory target
    names what the processes held at the smallest size (the libraries) and what the data
    added. Met targets get no such line."""
    r = _with_rows(_with_cold(res, 60, 25))  # 2.4x: missed; the embedding alone 29.62 s
    r["fits"] = {
        "1000": _fit(1_000, 0.3, 1100, pss_mb=700),
        "10000": _fit(10_000, 1.5, 1400, pss_mb=1000),
        "30000": _fit(30_000, 6.0, 1800, pss_mb=1500),
    }
    md = report(r)
    assert (
        "took 29.6 s of the best cold run, **1.18x BERTopic's whole run** (its best, 25.0 s" in md
    )
    assert "the rest of the run (start-up and the other stages) took 30.4 s, where the target" in md
    assert "leaves 2.9 s." in md
    # 10,000 papers: PSS 1.05 GB and summed RSS 1.47 GB over 1 GB; 1,000 papers held 0.73 / 1.15
    assert "- 10,000 papers: peak memory, PSS, GB is missed at 1.05: at 1,000 papers its 3" in md
    assert "already held 0.73 GB, mostly the libraries" in md
    assert "going from there to 10,000 papers added 0.31 GB." in md
    assert "- 10,000 papers: peak memory, summed RSS, GB is missed at 1.47" in md
    assert "30,000 papers: peak memory, PSS, GB is missed" not in md  # 1.57 <= 2: met
    met = report(_with_rows(_with_cold(res, 30, 25)))
    assert "Cold / BERTopic is missed" not in met and "is missed at" not in met
