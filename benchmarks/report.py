"""benchmarks/results.md from bench.json: `report(res)` renders the template `report.md.j2`.

The prose is the template's. This module hands it the numbers, and the words that follow from
them: a verdict from `targets` (met / **missed**), a comparison (faster / slower), which row is
what a run uses. A number that was not measured reaches the template as None and prints as
"not measured" (the `f` and `pct` filters), so results from older code render too: a bench.json
from before the Dask engine and the fp64 peak has neither, and its rows of the forked worker
processes (`throughput.workers`, `cold_in_process`) are shown as what they measured.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import jinja2
import numpy as np

from analysis.config import BATCHINGS, ComputeConfig, EmbedConfig

from .runs import COLD_VARIANTS
from .scale import EPOCHS_CHECK, STAGES
from .targets import (
    COLD_OVER_PEER,
    FIT_TARGETS,
    PEAK_SHARE,
    WARM_OVER_COLD,
    Target,
    mb_to_gb,
)
from .throughput import DASK_WORKERS, minilm_flops

TEMPLATE = Path(__file__).with_name("report.md.j2")
#: The README's speed blocks (`readme_blocks`), from the same numbers and words.
README_TEMPLATE = Path(__file__).with_name("readme.md.j2")
NOT_MEASURED = "not measured"
#: The matmul peak each precision's rows are divided by.
PEAK_OF = {"float32": "fp32", "float64": "fp64"}
#: Cold runs older results made and the flag they ran with.
LEGACY_FLAGS = {"cold_in_process": "--embed-in-process"}
#: Markdown lines that stand alone: everything else continues the line above it.
_BLOCK_START = ("|", "#", "- ", "![")


# --- filters: how numbers print ------------------------------------------------------------------


def fixed(x: float | None, digits: int = 1) -> str:
    return NOT_MEASURED if x is None else f"{x:.{digits}f}"


def pct(x: float | None, digits: int = 0) -> str:
    return NOT_MEASURED if x is None else f"{x:.{digits}%}"


def thousands(x: float | None) -> str:
    return NOT_MEASURED if x is None else f"{x:,.0f}"


def cell(x: float | None) -> str:
    """A stage's seconds in a table; "-" where the run had no such stage."""
    return "-" if x is None else f"{x:.1f}"


#: Relative difference below which two timings are reported as the same speed (run-to-run noise
#: here is larger than this).
SAME_SPEED = 0.02


def faster_or_slower(seconds: float, than: float) -> str:
    return "faster" if seconds < than else "slower"


# --- cold, warm, peer ----------------------------------------------------------------------------


def stage_row(kind: str, r: dict | None, **about) -> dict:
    """A table row of a run's stages (`kind` and `about` name the run in the template)."""
    if not r:
        return {"kind": kind, **about, "measured": False, "cells": list(STAGES)}
    st = r["stages"]
    return {
        "kind": kind,
        **about,
        "measured": True,
        "wall": r["wall"],
        "cells": [st[s]["seconds"] if s in st else None for s in STAGES],
        # all its processes where sampled (the fits' workers too), else the main one's
        "peak": r.get("tree_peak_mb") or max((v["peak_mb"] for v in st.values()), default=0),
    }


def ratio(name: str, a: dict, b: dict, target: Target) -> dict:
    """a / b against a target. With several rounds the verdict is on the median of the
    per-round ratios: runs of one round are paired in time, while the best of each side
    could pair one side's lucky spell with the other's ordinary run."""
    best = a["wall"] / b["wall"]
    wa, wb = a.get("walls", []), b.get("walls", [])
    out = {"name": name, "best": best, "target": target.shown, "rounds": []}
    if len(wa) >= 2 and len(wa) == len(wb):
        out["rounds"] = [x / y for x, y in zip(wa, wb, strict=True)]
        out["median"] = float(statistics.median(out["rounds"]))
        return {**out, "verdict": target.verdict(out["median"])}
    return {**out, "verdict": target.verdict(best)}


def _flag(key: str, r: dict | None) -> str:
    if r and r.get("flag"):
        return r["flag"]
    if r and "batching" in r:  # results from when the other cold run changed the batching
        return f"--batching {r['batching']}"
    return LEGACY_FLAGS.get(key) or " ".join(COLD_VARIANTS[key])


def cold_variants(res: dict) -> list[dict]:
    """The cold runs with other flags: older results' first, then every current one."""
    keys = [k for k in LEGACY_FLAGS if res.get(k)] + list(COLD_VARIANTS)
    peer = res.get("peer")
    out = []
    for key in keys:
        r = res.get(key)
        over = r["wall"] / peer["wall"] if r and peer else None
        out.append({"key": key, "flag": _flag(key, r), "result": r, "over_peer": over})
    return out


def _difference(r: dict | None, other: dict) -> dict | None:
    """How many seconds `r` took more or fewer than `other`, best wall against best wall."""
    if not r:
        return None
    return {
        "diff": abs(r["wall"] - other["wall"]),
        "word": faster_or_slower(r["wall"], other["wall"]),
        "wall": r["wall"],
        "other": other["wall"],
    }


def end_to_end(res: dict) -> dict:
    cold, warm, peer, first = res["cold"], res["warm"], res.get("peer"), res.get("first")
    variants = cold_variants(res)
    rows = [stage_row("first", first)] if first else []
    rows += [stage_row("cold", cold), stage_row("warm", warm)]
    rows += [stage_row("variant", v["result"], flag=v["flag"]) for v in variants]
    named = [("cold", cold), ("warm", warm)]
    named += [(f"cold `{v['flag']}`", v["result"]) for v in variants]
    walls = [{"name": n, "walls": r["walls"]} for n, r in named if r and r.get("walls")]
    if peer and peer.get("walls"):
        walls.append({"name": "BERTopic", "walls": peer["walls"]})
    inproc = res.get("cold_in_process")
    return {
        "rounds": len(cold.get("walls", [cold["wall"]])),
        "first_extra": first["wall"] - cold["wall"] if first else None,
        "stage_rows": rows,
        "peer": {
            "wall": peer["wall"],
            "fit": peer.get("fit"),
            "topics": peer.get("topics"),
            "outliers": peer.get("outliers"),
        }
        if peer
        else None,
        "warm_cold": ratio("warm / cold", warm, cold, WARM_OVER_COLD),
        "cold_peer": ratio("cold / BERTopic cold", cold, peer, COLD_OVER_PEER) if peer else None,
        "variants": variants,
        "walls": walls,
        "dask": _difference(res.get("cold_dask"), cold),
        "legacy_in_process": _difference(cold, inproc) if inproc else None,
    }


# --- embedding throughput ------------------------------------------------------------------------


def _legacy_rows(th: dict, threads: int) -> list[dict]:
    """Rows of results from before `rows`: one per batching in process, and the forked workers
    (batched as a run batched, "model" before that was recorded)."""
    precision = th.get("precision", "float32")
    rows = [
        {**th[b], "precision": precision, "batching": b, "engine": "in-process", "threads": threads}
        for b in BATCHINGS
        if b in th
    ]
    if "workers" in th:
        batching = th.get("default_batching", "model")
        rows.append(
            {**th["workers"], "precision": precision, "batching": batching, "engine": "forked"}
        )
    return rows


def throughput_rows(th: dict, peak: dict) -> list[dict]:
    """Every throughput row with its share of its precision's peak and whether a run uses it."""
    rows = th.get("rows") or _legacy_rows(th, peak.get("threads", 1))
    used = (
        th.get("default_precision", EmbedConfig().precision),
        th.get("default_batching", EmbedConfig().batching),
        th.get("default_engine", ComputeConfig().engine),
    )
    out = []
    for r in rows:
        top = peak.get(f"{PEAK_OF.get(r['precision'], r['precision'])}_gflops")
        out.append(
            {
                "workers": 1,
                "threads": 1,
                **r,
                "share": r["gflops"] / top if top else None,
                "identical": r.get("identical"),
                "as_run": (r["precision"], r["batching"], r["engine"]) == used,
            }
        )
    return out


def _find(rows: list[dict], precision: str, batching: str, engine: str) -> dict | None:
    key = (precision, batching, engine)
    return next((r for r in rows if (r["precision"], r["batching"], r["engine"]) == key), None)


def throughput(th: dict, peak: dict, decoding: dict | None) -> dict:
    rows = throughput_rows(th, peak)
    run_precision = th.get("default_precision", EmbedConfig().precision)
    batching = th.get("default_batching", EmbedConfig().batching)
    engine = th.get("default_engine", ComputeConfig().engine)
    headline = []
    for precision in sorted(PEAK_OF, key=lambda p: p != run_precision):  # a run's first
        row = _find(rows, precision, batching, engine)
        share = row["share"] if row else None
        headline.append(
            {
                "precision": precision,
                "as_run": precision == run_precision,
                "row": row,
                "peak": PEAK_OF[precision],
                "share": share,
                "verdict": PEAK_SHARE.verdict(share),
            }
        )
    engines = []
    for d in (r for r in rows if r["engine"] == "dask"):
        here = _find(rows, d["precision"], d["batching"], "in-process")
        if here:
            engines.append(
                {
                    "precision": d["precision"],
                    "batching": d["batching"],
                    "workers": d["workers"],
                    "threads": here["threads"],
                    "dask": d["seconds"],
                    "in_process": here["seconds"],
                    "times": max(d["seconds"], here["seconds"])
                    / min(d["seconds"], here["seconds"]),
                    "word": faster_or_slower(d["seconds"], here["seconds"]),
                    "same": abs(d["seconds"] / here["seconds"] - 1) < SAME_SPEED,
                }
            )
    # the two batchings' float32 vectors are what `noise` compares
    by_batching = [r for b in BATCHINGS if (r := _find(rows, "float32", b, "in-process"))]
    faster = min(by_batching, key=lambda r: r["seconds"]) if len(by_batching) > 1 else None
    return {
        "th": {"repeat": 2, "batch_size": EmbedConfig().batch_size, "remeasured": False, **th},
        "share_target": PEAK_SHARE.shown,
        "rows": rows,
        "headline": headline,
        "engines": engines,
        "dask_workers": DASK_WORKERS,
        "v": th.get("vectors"),
        "faster_batching": faster["batching"] if faster else None,
        "decoding": [
            {
                "how": "default" if k == "default" else ("batching" if k in BATCHINGS else "flag"),
                "key": k,
                "inside": c["in_decoding_themes"],
                "of": c["of"],
                "elsewhere": c["elsewhere"],
            }
            for k, c in (decoding or {}).items()
        ],
    }


# --- scale and beyond ----------------------------------------------------------------------------


def scale(res: dict) -> dict | None:
    sc = {int(n): r for n, r in (res.get("scale") or {}).items()}
    if not sc:
        return None
    dominance = []
    for n in sorted(sc):
        st = {k: v["seconds"] for k, v in sc[n]["stages"].items() if k != "total"}
        top = max(st, key=st.__getitem__)
        total = sum(st.values())
        dominance.append(
            {"n": n, "stage": top, "seconds": st[top], "total": total, "share": st[top] / total}
        )
    return {
        "rows": [stage_row("scale", sc[n], n=n, mcs=sc[n]["min_cluster_size"]) for n in sorted(sc)],
        "dominance": dominance,
    }


def fits(res: dict) -> dict | None:
    """The consensus fit alone at every size, its targets, and the epochs check."""
    fit = {int(n): r for n, r in (res.get("fits") or {}).items() if n != "epochs_check"}
    if not fit:
        return None
    rows = [
        {
            **fit[n],
            "minutes": fit[n]["fit_seconds"] / 60,
            "rss_gb": mb_to_gb(fit[n]["peak_mb"]),
            # PSS: not sampled by benchmarks from before it was
            "peak_gb": mb_to_gb(fit[n]["pss_mb"]) if "pss_mb" in fit[n] else None,
        }
        for n in sorted(fit)
    ]
    by_n = {r["n"]: r for r in rows}
    targets = []
    for t in FIT_TARGETS:
        r = by_n.get(t.n)
        for target, key in ((t.minutes, "minutes"), (t.peak_gb, "peak_gb"), (t.rss_gb, "rss_gb")):
            if target is not None:
                targets.append({**_target_row(target, r and r[key]), "n": t.n, "key": key})
        if t.minutes is None:
            targets.append(
                {
                    "what": f"{t.n:,} papers: consensus fit, minutes",
                    "value": r and r["minutes"],
                    "shown": "measured",
                    "verdict": "measured" if r else "not measured",
                }
            )
    check = (res.get("fits") or {}).get("epochs_check")
    if check:
        base = by_n.get(check["n"])
        check = {
            **check,
            "minutes": check["fit_seconds"] / 60,
            "default_minutes": base["minutes"] if base else None,
            "default_epochs": base["epochs"] if base else None,
        }
    return {"rows": rows, "targets": targets, "check": check, "check_epochs": EPOCHS_CHECK[1]}


def _target_row(target: Target, value: float | None, digits: int = 2) -> dict:
    return {
        "what": target.what,
        "value": value,
        "shown": target.shown,
        "verdict": target.verdict(value),
        "digits": digits,
    }


def targets(res: dict, e2e: dict, tp: dict, fit: dict | None) -> list[dict]:
    """Every target of the benchmark, measured value and verdict, for the summary table."""
    rows = []
    for r in (e2e["cold_peer"], e2e["warm_cold"]):
        if r:
            value = r.get("median", r["best"])
            rows.append(
                {
                    "what": r["name"],
                    "value": value,
                    "shown": r["target"],
                    "verdict": r["verdict"],
                    "digits": 2,
                }
            )
    rows += [{**t, "digits": 2} for t in (fit["targets"] if fit else [])]
    for h in tp["headline"]:
        if h["as_run"]:
            rows.append(
                {
                    "what": f"{h['precision']} embedding (what a run computes in) / "
                    f"{h['peak']} matmul peak",
                    "value": h["share"],
                    "shown": PEAK_SHARE.shown,
                    "verdict": h["verdict"],
                    "digits": None,
                }
            )
    return rows


def _fit_cost(r: dict) -> float:
    """Core-seconds per paper and fit of a consensus fit row (its fits on all its workers;
    the graph left out, the consensus and map in)."""
    return (r["fit_seconds"] - r["graph_seconds"]) * r["workers"] / (r["n"] * r["fits"])


def growth(fit_rows: list[dict], memory_gb: float) -> dict | None:
    """How the two largest fit sizes (of the same epochs) differ per paper: the cost per
    paper-fit at each, its exponent (0: linear), the 1M core-hours if it keeps growing so, and
    the PSS growth per paper with the 1M memory it implies against this machine's."""
    big = fit_rows[-1]
    same = [r for r in fit_rows[:-1] if r["epochs"] == big["epochs"]]
    if not same:
        return None
    prev = same[-1]
    c_prev, c_big = _fit_cost(prev), _fit_cost(big)
    exponent = float(np.log(c_big / c_prev) / np.log(big["n"] / prev["n"]))
    out = {
        "n_prev": prev["n"],
        "n_big": big["n"],
        "ms_prev": c_prev * 1e3,
        "ms_big": c_big * 1e3,
        "exponent": exponent,
        "core_hours": c_big * (1e6 / big["n"]) ** max(exponent, 0.0) * 1e6 * big["fits"] / 3600,
        "kb_per_paper": None,
    }
    if big["peak_gb"] is not None and prev["peak_gb"] is not None:
        per_paper = (big["peak_gb"] - prev["peak_gb"]) / (big["n"] - prev["n"])  # GB
        out["kb_per_paper"] = per_paper * 1e6
        out["gb_1m"] = big["peak_gb"] + per_paper * (1_000_000 - big["n"])
        out["machine_gb"] = memory_gb * 2**30 / 1e9
    return out


def beyond(
    th: dict, rows: list[dict], fit: dict | None, cores: int, memory_gb: float = 0.0
) -> dict:
    """1M abstracts from the per-core rates measured here: embedding (float64, what a run
    computes in) and the consensus fit (at the largest size measured)."""
    fast = min(rows, key=lambda r: r["seconds"])
    tokens_per_doc = th["tokens"] / th["texts"]
    windows_1m = 1_000_000 * th["windows"] / th["texts"]
    flop_1m = minilm_flops(np.full(1, th["tokens"] / th["windows"])) * windows_1m
    batching = th.get("default_batching", EmbedConfig().batching)
    engine = th.get("default_engine", ComputeConfig().engine)
    f32, f64 = (_find(rows, p, batching, engine) for p in ("float32", "float64"))
    out = {
        "row": fast,
        "tokens_per_doc": tokens_per_doc,
        "pflop": flop_1m / 1e15,
        "tokens_per_s": fast["tokens_per_s"],
        "hours": 1_000_000 * tokens_per_doc / fast["tokens_per_s"] / 3600,
        # what a run computes in (float64), when measured: the hours a reader can expect
        "run_row": f64,
        "run_hours": 1_000_000 * tokens_per_doc / f64["tokens_per_s"] / 3600 if f64 else None,
        "fp64_over_fp32": f64["seconds"] / f32["seconds"] if f32 and f64 else None,
        "cores": cores,
        "embed": None,
        "fits": None,
    }
    if f64:
        per_core = f64["docs_per_s"] / f64.get("threads", 1)  # docs per core-second
        out["embed"] = {"docs_per_core_s": per_core, "core_hours": 1e6 / per_core / 3600}
    if fit:
        big = fit["rows"][-1]
        per = _fit_cost(big)
        out["fits"] = {
            "n": big["n"],
            "fits": big["fits"],
            "paper_fits_per_core_s": 1 / per,
            "core_hours": per * 1e6 * big["fits"] / 3600,
            "graph_seconds": big["graph_seconds"],
            "graph_hours": big["graph_seconds"] * 1e6 / big["n"] / 3600,
            "one_fit_hours": per * 1e6 / 3600,
            "peak_gb": big["peak_gb"],
            "rss_gb": big["rss_gb"],
            "growth": growth(fit["rows"], memory_gb),
        }
    return out


def why_missed(e2e: dict, fit: dict | None) -> dict:
    """What the measurements say about each missed target: for cold / BERTopic, how much of
    the cold run the float64 embedding alone takes against BERTopic's whole run; for a memory
    target, how much the processes held at the smallest size measured (the libraries each
    loads) against what the data added."""
    out: dict = {"cold": None, "memory": []}
    cold_peer, peer = e2e["cold_peer"], e2e["peer"]
    cold = next((r for r in e2e["stage_rows"] if r["kind"] == "cold"), None)
    if cold_peer and "missed" in cold_peer["verdict"] and cold and cold.get("measured"):
        embed = cold["cells"][STAGES.index("embed")]
        if embed is not None:
            out["cold"] = {
                "embed": embed,
                "embed_over_peer": embed / peer["wall"],
                "rest": cold["wall"] - embed,
                "peer": peer["wall"],
                "budget": COLD_OVER_PEER.limit * peer["wall"] - embed,
                # the float32 cold run, best against best (None when not measured)
                "float32": next(
                    (v["over_peer"] for v in e2e["variants"] if "float32" in v["flag"]), None
                ),
            }
    if fit:
        floor = fit["rows"][0]
        for t in fit["targets"]:
            key = t.get("key")
            memory = key in ("peak_gb", "rss_gb") and floor[key] is not None
            if memory and "missed" in t["verdict"] and t["n"] > floor["n"]:
                out["memory"].append(
                    {
                        "what": t["what"],
                        "n": t["n"],
                        "value": t["value"],
                        "floor": floor[key],
                        "floor_n": floor["n"],
                        "processes": floor["workers"] + 1,
                    }
                )
    return out


def context(res: dict) -> dict:
    """Everything the template prints."""
    pk, th = res["peak"], res["throughput"]
    tp = throughput(th, pk, res.get("decoding_check"))
    n = pk.get("n", 2048)
    precisions = [
        {"name": "fp32", "gflops": pk["fp32_gflops"], "n": n, "runs": pk.get("fp32_runs")},
        {"name": "fp64", "gflops": pk.get("fp64_gflops"), "n": n, "runs": pk.get("fp64_runs")},
        {"name": "bf16", "gflops": pk["bf16_gflops"], "n": pk.get("bf16_n", 2048), "runs": None},
    ]
    for p in precisions:
        p["digits"] = 1 if p["name"] == "bf16" else 0
    bf16, fp32 = pk["bf16_gflops"], pk["fp32_gflops"]
    e2e = end_to_end(res)
    fit = fits(res)
    return {
        "machine": res["machine"],
        "peak": {"threads": pk["threads"], "precisions": precisions},
        "stages": list(STAGES),
        **e2e,
        **tp,
        "targets": targets(res, e2e, tp, fit),
        "why": why_missed(e2e, fit),
        "scale": scale(res),
        "fits": fit,
        "beyond": beyond(
            th, tp["rows"], fit, res["machine"]["cores"], res["machine"].get("memory_gb", 0.0)
        ),
        "bf16": {"faster": bf16 > fp32, "gflops": bf16, "fp32": fp32, "times": bf16 / fp32},
    }


def unwrap(md: str) -> str:
    """One line per paragraph and list item (the template wraps them), single blank lines."""
    out: list[str] = []
    for line in md.splitlines():
        prev = out[-1] if out else ""
        alone = line.startswith(_BLOCK_START) or prev.startswith(("|", "#", "!["))
        if line and prev and not alone:
            out[-1] = f"{prev} {line.strip()}"
        elif line or prev:
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(f=fixed, pct=pct, thousands=thousands, cell=cell)
    return env


def report(res: dict) -> str:
    """results.md for the measurements in `res` (bench.json, of this code or older code)."""
    return unwrap(_env().get_template(TEMPLATE.name).render(**context(res)))


def readme_blocks(res: dict) -> dict[str, str]:
    """The README's `speed` and `beyond` blocks, worded from the same context as results.md
    (`README_TEMPLATE`)."""
    module = _env().get_template(README_TEMPLATE.name).make_module(context(res))
    return {name: unwrap(str(getattr(module, f"{name}_block")())) for name in ("speed", "beyond")}
