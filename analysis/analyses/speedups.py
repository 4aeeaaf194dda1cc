"""Speed-up factors that abstracts report ("2.7x", "up to 10x higher throughput", "3 to 4 times
faster"), with what was measured and against what, when the sentence says.

These are self-reported claims on different hardware, models and baselines: the table is a map
of what papers claim, not a comparison of methods.
"""

from __future__ import annotations

import re

import pandas as pd

from ..text import sentences

__all__ = ["FAMILY_ORDER", "METHOD_FAMILIES", "extract_speedups", "find_speedups", "method_family"]

_NUM = r"\d+(?:\.\d+)?"
# A factor: "2.7x", "4X", "2.44times" (LaTeX \times lost in the dump), "3 times".
# Ranges: "7x-9x", "2-10x", "3 to 4 times". Not: "2x2", "256x256", "6400times6400", "PAR-4X",
# "Mixtral-8x7B" (a number glued to the factor on either side).
_FACTOR = re.compile(
    rf"(?<![\w.\-])(?P<lo>{_NUM})(?:\s*(?:x|X|\u00d7|times))?"
    rf"(?:\s*(?:-|\u2013|to)\s*(?P<hi>{_NUM}))?\s*(?P<unit>x|X|\u00d7|times)(?![\w\-])(?!\s*\d)"
)
_SPEED_AFTER = re.compile(
    r"^\W*(?:(?:higher|better|more|greater|further|end-to-end|overall|average|inference|decoding|"
    r"wall-clock|"
    r"in|of|the|lower|reduction in|acceleration|improvement in)\s+)*"
    r"(?P<what>speed-?ups?|faster|acceleration|throughput|latency|speed|lower latency|"
    r"wall[- ]?clock|real[- ]time|rtf|inference time|decoding speed|cheaper)",
    re.IGNORECASE,
)
_SPEED_BEFORE = re.compile(
    r"(?P<what>speed-?ups?|acceleration|accelerat\w*|throughput|latency|speed|faster|"
    r"inference time|decoding steps|real[- ]time factor|rtf)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
# Factors about sizes, parameters or hardware counts are not speed-ups.
_NOT_SPEED = re.compile(
    r"^\W*(?:less|fewer|smaller|larger|more|cut|reduction|compression|cheaper|parameters|"
    r"nvidia|gpus?|a100|h100|a6000|3090|4090|training schedule|the training)",
    re.IGNORECASE,
)

_METRICS = [
    ("throughput", r"throughput|tokens/s|images/s|tokens per second"),
    ("latency", r"latency|first-token"),
    ("wall-clock", r"wall[- ]?clock|wall time|end-to-end|inference time"),
    ("real-time factor", r"real[- ]time factor|\brtf\b"),
    ("decoding steps", r"decoding steps|number of steps|steps"),
    ("training", r"training|train\b"),
    ("speed-up", r"speed-?ups?|faster|acceleration|accelerat|speed"),
]
_BASELINE = re.compile(
    r"\b(?:compared (?:to|with)|relative to|versus|vs\.?|over|than|outperforming)\s+"
    r"(?P<base>[^,.;()]{3,70})",
    re.IGNORECASE,
)

#: Method families for decoding speed-ups, checked in this order on title + abstract.
METHOD_FAMILIES: list[tuple[str, str]] = [
    ("speculative / draft models", r"speculat|draft|medusa|hydra|verif(?:y|ication)"),
    (
        "parallel / multi-token decoding",
        r"parallel decod|multi-token|non-autoregressive|jacobi|aggressive decoding|"
        r"parallel generation|superposed",
    ),
    ("early exit / layer skipping", r"early[- ]exit|layer skip|skipping|exiting"),
    ("caching", r"kv[- ]?cache|cache"),
]


#: Every family in display order, "other" last.
FAMILY_ORDER: list[str] = [name for name, _ in METHOD_FAMILIES] + ["other"]


def method_family(title: str, abstract: str = "") -> str:
    """The decoding speed-up family of a paper: decided by its title when the title names one
    (an abstract mentions many methods, often only as baselines), else by its abstract."""
    for text in (title, abstract):
        for family, pattern in METHOD_FAMILIES:
            if re.search(pattern, text, re.IGNORECASE):
                return family
    return "other"


def find_speedups(sentence: str) -> list[dict]:
    """Speed-up claims in one sentence: factor, factor_high, up_to, metric, baseline."""
    out = []
    for m in _FACTOR.finditer(sentence):
        after = sentence[m.end() : m.end() + 60]
        before = sentence[max(0, m.start() - 70) : m.start()]
        if _NOT_SPEED.search(after):
            continue
        hit_after = _SPEED_AFTER.search(after)
        hit_before = _SPEED_BEFORE.search(before)
        if not (hit_after or hit_before):
            continue
        # the words right after the factor say best what it measures ("8.5x speedup" after
        # "reduces decoding steps"); the words before only when nothing follows
        context = hit_after.group(0) if hit_after else hit_before.group(0)
        metric = next(
            (name for name, pat in _METRICS if re.search(pat, context, re.IGNORECASE)),
            "speed-up",
        )
        base = _BASELINE.search(sentence[m.end() :])
        lo = float(m.group("lo"))
        hi = float(m.group("hi")) if m.group("hi") else None
        if hi is not None and hi < lo:  # "2.5-3x" style where hi was the tail of the number
            hi = None
        out.append(
            {
                "factor": lo,
                "factor_high": hi,
                "up_to": bool(re.search(r"up to\s*(?:an?\s+)?$", before[-20:], re.IGNORECASE)),
                "metric": metric,
                "baseline": base.group("base").strip() if base else None,
                "match": m.group(0),
            }
        )
    return out


def extract_speedups(papers: pd.DataFrame) -> pd.DataFrame:
    """Every speed-up claim in the abstracts, one row per factor, with the paper's family."""
    rows = []
    for pid, title, abstract in zip(
        papers["paper_id"], papers["title"], papers["abstract"], strict=True
    ):
        family = method_family(title, abstract)
        for sent in sentences(abstract):
            for claim in find_speedups(sent):
                rows.append(
                    {"paper_id": pid, "title": title, "family": family, **claim, "sentence": sent}
                )
    cols = [
        "paper_id",
        "title",
        "family",
        "factor",
        "factor_high",
        "up_to",
        "metric",
        "baseline",
        "match",
        "sentence",
    ]
    return pd.DataFrame(rows, columns=cols)
