"""Speed-up factors that abstracts report ("2.7x", "up to 10x higher throughput", "3 to 4 times
faster"), read from their sentences: one row per claim with what was measured, against what and
over how much of the model, and the method family and output of its paper. Per paper and per
family they are summarised in `analysis.analyses.speedup_summaries`; the sentences that state
them are `analysis.narrative.speedups`.

These are self-reported claims on different hardware, models and baselines: the tables are a map
of what papers claim, not a comparison of methods. A claim enters the headline only when it can
mean one thing: a decoding or serving method (`HEADLINE_FAMILIES`) generating autoregressive
text, measured end to end against plain decoding. A paper counts once, with the median of its
claims, so that a paper that states three factors does not weigh three times.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from ..text import own_method, sentences

__all__ = [
    "AUTOREGRESSIVE_TEXT",
    "BASELINE_KINDS",
    "CLAIM_COLUMNS",
    "DECODES",
    "END_TO_END",
    "FACTOR_FORMS",
    "FAMILY_ORDER",
    "FAST",
    "HEADLINE_FAMILIES",
    "LEFT_OUT",
    "METHOD_FAMILIES",
    "OPERATION",
    "OTHER",
    "OTHER_MODEL",
    "PHRASINGS",
    "PLAIN",
    "UNSTATED",
    "Phrasing",
    "baseline_kind",
    "extract_speedups",
    "find_percent_speedups",
    "find_speedups",
    "method_family",
    "own_method",
    "percent_speedups",
    "what_it_decodes",
    "why_left_out",
]

_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(?:x|X|\u00d7|times|-?fold)"
# A factor as a named group: "2.7x", "4X", "2.44times" (LaTeX \times lost in the dump), "3 times",
# "5-fold"; ranges "7x-9x", "2-10x", "3 to 4 times", "1.1x to 2x". Not: "2x2", "256x256",
# "6400times6400", "PAR-4X", "Mixtral-8x7B" (a number glued to the factor on either side).
_F = (
    rf"(?P<factor>(?<![\w.\-])(?P<lo>{_NUM})(?:\s*{_UNIT})?"
    rf"(?:\s*(?:-|\u2013|to)\s*(?P<hi>{_NUM}))?\s*{_UNIT}(?![\w\-])(?!\s*\d))"
)
_FACTOR = re.compile(_F)

#: How the corpus writes a factor, each form with a real example and the factor it gives (a range
#: counts as its lower end). `_F` reads them all.
FACTOR_FORMS: list[tuple[str, str, float]] = [
    ("Nx", "achieving an 8.5x speedup", 8.5),
    ("NX", "NIRVANA achieves 6X decoding speed", 6.0),
    ("Ntimes (LaTeX \\times lost)", "achieves up to 22.58times speedup", 22.58),
    ("N times", "improves the inference latency of BERTbase by up to 4.8 times", 4.8),
    ("N-fold", "a 5-fold reduction in latency", 5.0),
    ("Nx-Mx", "it can introduce a 7x-9x speedup", 7.0),
    ("N-Mx", "demonstrates 10-20x gains in inference throughput", 10.0),
    ("N to M times", "3 to 4 times faster for inference", 3.0),
    ("Nx to Mx", "BatchLLM outperforms vLLM by 1.1x to 2x", 1.1),
]

# What speed is said in: the nouns of a speed-up and of a measure of speed.
_SPEEDUP = r"(?:speed-?ups?|speed[- ]up|acceleration(?:\s+ratio)?|speed\s+improvement)"
_MEASURE = (
    r"(?:throughput|latency|delay|decoding\s+steps|(?:decoding|inference|processing|encoding)\s+"
    r"speeds?|speeds?|wall[- ]?(?:clock\s+)?time|inference\s+time)"
)
_QUALIFIER = r"(?:(?:up to|around|approximately|about|nearly|an?|average of)\s+)*"


class Phrasing(NamedTuple):
    """One way the abstracts word a speed-up claim: a pattern holding `_F`, a sentence of the
    corpus and the factor it must give. The list phrasing (`joins`) matches not a claim but the
    text that joins a factor to a claim another phrasing found (a comma or "and")."""

    name: str
    pattern: str
    example: str
    factor: float
    joins: bool = False


#: The corpus' own phrasings of a speed-up claim, tried in this order; a factor is claimed by the
#: first that finds it. Each example is a sentence from the abstracts.
PHRASINGS: list[Phrasing] = [
    Phrasing(
        "Nx speed-up",
        rf"{_F}\s+(?:[\w-]+\s+){{0,3}}?{_SPEEDUP}\b",
        "When applied to the LLaDA-8B-Instruct model, dParallel reduces decoding steps from 256 "
        "to 30 on GSM8K, achieving an 8.5x speedup without performance degradation.",
        8.5,
    ),
    Phrasing(
        "Nx faster",
        rf"{_F}\s+faster\b",
        "Experiments on both English and Chinese benchmarks demonstrate that the CPPD models "
        "achieve highly competitive accuracy while running approximately 8x faster than their "
        "AR-based counterparts.",
        8.0,
    ),
    Phrasing(
        "Nx higher throughput / lower latency",
        rf"{_F}\s+(?:(?:higher|better|lower|shorter)\s+)?(?:[\w-]+\s+){{0,2}}?{_MEASURE}\b",
        "Mamba enjoys fast inference (5times higher throughput than Transformers) and linear "
        "scaling in sequence length, and its performance improves on real data up to "
        "million-length sequences.",
        5.0,
    ),
    Phrasing(
        "Nx gains in throughput",
        rf"{_F}\s+(?:gains?|improvements?|increases?|reductions?|boosts?)\s+in\s+"
        rf"(?:[\w-]+\s+){{0,2}}?(?:{_MEASURE}|(?:inference|decoding|generation)"
        rf"(?:\s+{_MEASURE})?)\b",
        "By leveraging global and local modules, the Block Transformer architecture demonstrates "
        "10-20x gains in inference throughput compared to vanilla transformers with equivalent "
        "perplexity.",
        10.0,
    ),
    Phrasing(
        "speeds up ... by Nx",
        rf"\b(?:{_MEASURE}|{_SPEEDUP}|speeds?\s+up|accelerat\w*)(?:\s+[^\s,;:()]+){{0,6}}?\s+"
        rf"(?:by|of)\s+{_QUALIFIER}{_F}",
        "Experiments show that MSD boosts inference speed by up to 2.29times for LLaVA-1.5-7B "
        "and up to 2.46times for LLaVA-1.5-13B on multimodal benchmarks, demonstrating its "
        "effectiveness.",
        2.29,
    ),
    Phrasing(
        "throughput increases Nx",
        rf"\b(?:throughput|speed)\s+(?:increases|improves|rises|grows)\s+(?:\w+ly\s+)?"
        rf"(?:by\s+)?{_F}",
        "Moreover, inference throughput increases remarkably 8x with batch size 10.",
        8.0,
    ),
    Phrasing(
        "speed-ups up to Nx",
        rf"\b(?:{_SPEEDUP}|throughput|latency|speed)\W{{0,2}}\s*up to\s+{_F}",
        "Under low temperature setting, DySpec can improve the throughput up to 9.1times and "
        "reduce the latency up to 9.4times on Llama2-70B.",
        9.1,
    ),
    Phrasing(
        "faster than / outperforms X by Nx",
        rf"\b(?:faster|outperform(?:s|ing)?|surpass(?:es|ing)?)\s+"
        rf"(?:[^\d,;:()]|(?<=[A-Za-z])\d){{1,60}}?\s+by\s+(?:up to\s+)?{_F}",
        "Experimental results on an NVIDIA A100 GPU with variable-length sequence inputs validate "
        "that our fused MHA outperforms PyTorch by 6.13x.",
        6.13,
    ),
    Phrasing(
        "time (Nx)",
        rf"\b(?:inference time|fine-tuning|training|latency)\s*\(\s*{_F}\s*\)",
        "It also drastically reduces the compute needs as compared to LLM-TS methods, with a 14X "
        "cut in learnable parameters, 106X less total parameters, and substantial reductions in "
        "fine-tuning (65X) and inference time (54X).",
        54.0,
    ),
    Phrasing(
        "Nx and Mx (a list)",
        # the text between the two factors: a comma or "and", no clause of its own
        r"^(?:[^.;:()%]|\.(?=\d))*?(?:,\s*(?:and\s+)?|\band\s+)(?:an?\s+)?(?:up to\s+)?$",
        "Our results demonstrate significant speed-ups: up to 2.35x on CNN/DM, 3.08x on the "
        "second turn of select MT-Redundant categories, and 2.66x on the third turn of GSM-8K's "
        "self-correction tasks.",
        2.66,
        joins=True,
    ),
]
_PHRASED = [(p, re.compile(p.pattern, re.IGNORECASE)) for p in PHRASINGS if not p.joins]
_LIST = next(p for p in PHRASINGS if p.joins)
_LIST_JOINT = re.compile(_LIST.pattern, re.IGNORECASE)
# A list's joint is short and starts no comparison or clause of its own.
_JOINT_BREAK = re.compile(r"\b(?:by|that|which|while|whereas)\b", re.IGNORECASE)
_JOINT_CHARS = 70
# A listed factor is followed by its conditions or the end of the clause, never by a noun of its
# own ("a 10-fold improvement in energy efficiency and a 5-fold reduction in latency").
_LIST_TAIL = re.compile(
    r"^\s*(?:$|[,.;()]|(?:and|on|for|in|at|when|with|compared|over|than|respectively|across|"
    r"while|without)\b)",
    re.IGNORECASE,
)
# Factors about sizes, parameters, energy, cost or hardware counts are not speed-ups, whichever
# phrasing or list they sit in.
_NOT_SPEED_AFTER = re.compile(
    r"^\W*(?:less|fewer|smaller|larger|cut|reduction\b(?!\s+in\s+(?:latency|time))|compression\b"
    r"(?!\s+speed)|cheaper|parameters|energy|memory|cost|nvidia|gpus?|a100|h100|training schedule)",
    re.IGNORECASE,
)
_NOT_SPEED_BEFORE = re.compile(
    r"\b(?:size|usage|memory|parameters?|bandwidth|costs?|energy)\s+by\s+(?:up to\s+)?$",
    re.IGNORECASE,
)

_METRICS = [
    ("training", r"\btrain|fine-tun|convergence"),
    ("throughput", r"throughput|tokens/s|images/s|tokens per second"),
    ("latency", r"latency|first-token|delay"),
    ("wall-clock", r"wall[- ]?clock|wall time|end-to-end|inference time"),
    ("real-time factor", r"real[- ]time factor|\brtf\b"),
    ("decoding steps", r"decoding steps|number of steps|steps"),
    ("speed-up", r"speed-?ups?|faster|acceleration|accelerat|speed"),
]

#: What a claim's factor covers: the whole generation or inference, or one operation in it.
END_TO_END, OPERATION = "end-to-end", "one operation"
# One operation: attention alone, a kernel, a fused layer. Read near the factor first, then from
# the sentence, which may be about one operation throughout ("... self-attention ... 2.6x
# attention execution speedup ... and up to 8.33x speedup for 512k context lengths").
_OPERATION = re.compile(
    r"\battention\s+(?:operations?|execution|computation|kernels?)\b|\bkernels?\b|\bfused\b|"
    r"\bMHA\b|\bGEMM\b|\boperators?\b|\bself-attention\b",
    re.IGNORECASE,
)
_WHOLE = re.compile(r"\bend-to-end\b|\boverall\b|\bwhole\b|\bfull (?:model|pipeline)\b", re.I)

#: What a claim was measured against. Plain decoding: the same model run without the method,
#: named as such (autoregressive, vanilla, standard or greedy decoding or generation, the base
#: or target model, a baseline). Another accelerated method: a method itself made to be fast
#: (Medusa, EAGLE, speculative decoding, FlashAttention, vLLM, the state-of-the-art or existing
#: solutions a paper competes with), or a factor stated on top of one ("further",
#: "additional") or together with one ("when combined with KV-Cache"). Another model: any
#: other stated baseline, a different model or architecture ("vanilla transformers",
#: "quality-equivalent dense models", "HoVLE", "PyTorch"), which compares two models, not a
#: model with and without a way of decoding. Unstated: the sentence names no baseline.
PLAIN, FAST, OTHER_MODEL, UNSTATED = (
    "plain decoding",
    "another accelerated method",
    "another model",
    "unstated",
)
BASELINE_KINDS: list[str] = [PLAIN, FAST, OTHER_MODEL, UNSTATED]
_PLAIN_BASELINE = re.compile(
    r"decoding|generation|sampling|greedy|auto-?regressive|\bAR\b|\bbaselines?\b|"
    r"\b(?:base|target|original|backbone)\s+(?:model|LLM)s?\b|without\b",
    re.IGNORECASE,
)
_FAST_BASELINE = re.compile(
    r"medusa|eagle|speculative|flash-?attention|vllm|lookahead|sequoia|specinfer|\bPAR\b|"
    r"state[- ]of[- ]the[- ]art|\bsota\b|\b(?:existing|previous|prior|recent)\b",
    re.IGNORECASE,
)
_ON_TOP = re.compile(
    r"\b(?:further|additional|on top of|combined with|together with)\b", re.IGNORECASE
)

# A baseline names what the factor was measured against. It is taken only when it is plainly
# the factor's own: the connective follows the factor with no other comparison between them
# (a comma, colon or bracket starts another: "(an additional 7.2% improvement over the baseline
# ...)"; a coordinated "and 9x cheaper" or "and 75.8% GPU memory reduction" shares the
# baseline), or it sits right before it ("faster than GNNs by 828x"), or it opens the sentence
# ("Compared to encoder-decoder OWSM, ..."); a "respectively" list pairs factors and baselines
# by position. Anything else gives no baseline rather than a garbled one ("Medusa-1 with 88"
# from "outperforming Medusa-1 with 88.7% fewer parameters").
_CONNECTIVE = r"(?:compared (?:to|with)|relative to|versus|vs\.?|over|(?<!more )(?<!less )than)"
_BASELINE_AFTER = re.compile(
    rf"^(?:[^\d,;:()\[\]]|\band\s+{_NUM}\s*(?:%|x|X|times)\s){{0,60}}?\b{_CONNECTIVE}\s+"
    r"(?P<base>.+)",
    re.I,
)
_BASELINE_BEFORE = re.compile(
    rf"\b(?:{_CONNECTIVE}|outperform(?:s|ing)?|surpass(?:es|ing)?)\s+(?P<base>[^\d,;:()]{{2,60}}?)"
    r"\s+by\s*(?:up to\s*)?$",
    re.I,
)
_BASELINE_OPENS = re.compile(r"^\s*(?:when\s+)?compared (?:to|with)\s+(?P<base>[^,]{2,80}),", re.I)
_RESPECTIVELY = re.compile(
    rf"\b{_CONNECTIVE}\s+(?P<list>[^;:()]+?),?\s+respectively\b", re.IGNORECASE
)
# The baseline phrase ends where its own description does: at punctuation, a number, or a
# word that starts the conditions of the measurement ("... on edge devices", "... at 256K").
_BASELINE_END = re.compile(
    r"[,.;:()\[\]]|\s\d|\s(?:at|on|in|under|across|for|by|with|when|while|without|using|"
    r"respectively|and up to|which|where|whereas|as|and achiev\w*)\b",
    re.I,
)


def _clean_baseline(text: str) -> str | None:
    """A baseline phrase cut where its own description ends, or None unless it reads as a name."""
    base = _BASELINE_END.split(text, maxsplit=1)[0].strip()
    words = base.split()
    if not 1 <= len(words) <= 8 or not re.search(r"[A-Za-z]{2}", base):
        return None
    return base


def _baseline(sentence: str, start: int, end: int) -> str | None:
    """The baseline of the factor at sentence[start:end], or None unless it is unambiguous."""
    if re.search(r"\brespectively\b", sentence, re.I):
        return None  # paired by position in `find_speedups`
    after = _BASELINE_AFTER.search(sentence[end:])
    before = _BASELINE_BEFORE.search(sentence[max(0, start - 80) : start])
    hit = after or before or _BASELINE_OPENS.search(sentence)
    return _clean_baseline(hit.group("base")) if hit else None


def _respective_baselines(sentence: str, after: int, n: int) -> list[str | None] | None:
    """The baselines of a "by 1.31x and 2.71x compared to A and B, respectively" list, in order,
    when the list after the last factor (at `after`) names exactly `n` of them."""
    hit = _RESPECTIVELY.search(sentence[after:])
    if not hit:
        return None
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", hit.group("list").strip())
    if len(parts) != n:
        return None
    return [_clean_baseline(p) for p in parts]


def baseline_kind(baseline: str | None, near: str) -> str:
    """`FAST` when the words near the factor stack it on another method ("1.22times further
    speed improvement", "when combined with KV-Cache") or its baseline is a fast method,
    `PLAIN` when the baseline reads as plain decoding of the same model, `OTHER_MODEL` for
    any other stated baseline, `UNSTATED` without one."""
    if _ON_TOP.search(near):
        return FAST
    if baseline is None:
        return UNSTATED
    if _FAST_BASELINE.search(baseline):
        return FAST
    return PLAIN if _PLAIN_BASELINE.search(baseline) else OTHER_MODEL


#: How a paper makes generation or inference faster, each family with the pattern that finds it
#: in the paper's own method (see `method_family`), checked in this order. Early exit comes
#: first so that a self-speculative method whose draft is the model's own shallow layers
#: ("double early exiting") counts as early exit, the idea it adds.
METHOD_FAMILIES: list[tuple[str, str]] = [
    (
        # stop computing early: exit or skip layers, or commit to an answer before the last step
        "early exit / layer skipping",
        r"early[- ]exit|exiting|layer[- ]skip|skip(?:s|ping)? (?:\w+ ){0,2}layers|"
        r"early (?:commit|alignment)|mixture[- ]of[- ]depths?",
    ),
    (
        # a cheap draft (small model, extra heads, copied or retrieved tokens) that the model
        # checks or completes
        "speculative / draft models",
        r"speculat|\bdraft|medusa|acceptance rate",
    ),
    (
        # several output tokens per step without a separate draft: non-autoregressive, Jacobi,
        # diffusion models unmasking in parallel, CTC
        "parallel / multi-token decoding",
        r"parallel decod|parallel (?:token )?(?:generation|prediction)|multi-token|"
        r"non-autoregressive|jacobi|superpos|\bctc\b|connectionist temporal",
    ),
    (
        # keep and reuse the attention keys and values, or read fewer of them
        "caching",
        r"kv[- ]?cach|key[- ]value cache|\bcach(?:e|ing) (?:\w+ )?(?:keys?|values?|states?)",
    ),
    (
        # the system that runs the model: inference engines, kernels, MoE serving, batching
        "serving",
        r"inference (?:system|engine)|\bserv(?:e|ing)\b|decode[- ]phase|\bkernels?\b|"
        r"batched (?:\w+ ){0,2}inference|token batching",
    ),
]

#: The family of papers in none of the others: architectures, compression, other tasks.
OTHER = "other speed-ups"

#: Every family in display order, the headline ones first, `OTHER` last.
FAMILY_ORDER: list[str] = [
    "speculative / draft models",
    "parallel / multi-token decoding",
    "early exit / layer skipping",
    "caching",
    "serving",
    OTHER,
]

#: The families of faster generation and inference: the only ones the headline draws on.
HEADLINE_FAMILIES: list[str] = FAMILY_ORDER[:-1]

#: What the headline claims generate: text, one token after another (LLMs and seq2seq models).
AUTOREGRESSIVE_TEXT = "autoregressive text"

#: What a decoding or serving method decodes when it is not autoregressive text, each kind with
#: the pattern that finds it in the paper's title and own method, checked in this order; the
#: kinds are never pooled with autoregressive text, as a step of a diffusion LM, a CTC frame or a
#: scene-text character is not a token of an LLM.
DECODES: list[tuple[str, str]] = [
    (
        "diffusion language models",
        r"diffusion (?:large )?language models?|\bd(?:LLM|LM)s?\b|diffusion-based LLMs?",
    ),
    (
        # CTC speech recognition and scene-text OCR: recognition, read off in parallel
        "speech and text recognition",
        r"speech recognition|\bASR\b|\bCTC\b|connectionist temporal|scene text|\bOCR\b|handwrit",
    ),
    (
        "autoregressive images",
        r"visual (?:auto-?regressive|generation)|\bVAR\b|image generation|video generation",
    ),
]

#: Why a claim is not in the headline, in the order the rules are checked (the first that
#: applies is given): its method's family, what it decodes, its scope, its baseline.
LEFT_OUT: list[str] = ["other family", "other output", OPERATION, FAST, OTHER_MODEL, UNSTATED]


def method_family(title: str, abstract: str = "") -> str:
    """The family of a paper's speed-up method, from its title when the title names one, else
    from its own method (`own_method`), each checked in `METHOD_FAMILIES` order; `OTHER` when
    neither names any. A family named only in the background (an abstract that says speculative
    decoding exists before proposing a new architecture) does not count."""
    for text in (title, own_method(abstract)):
        for family, pattern in METHOD_FAMILIES:
            if re.search(pattern, text, re.IGNORECASE):
                return family
    return OTHER


def what_it_decodes(title: str, abstract: str = "") -> str:
    """What a paper's method generates (`DECODES`), from its title and own method, else
    `AUTOREGRESSIVE_TEXT`."""
    text = f"{title} {own_method(abstract)}"
    for kind, pattern in DECODES:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return AUTOREGRESSIVE_TEXT


def _scope(sentence: str, near: str) -> str:
    """`OPERATION` when the words near the factor, or else its sentence, name one operation
    (attention, a kernel) and the words near it do not say end to end; else `END_TO_END`."""
    if _OPERATION.search(near):
        return OPERATION
    if _WHOLE.search(near):
        return END_TO_END
    return OPERATION if _OPERATION.search(sentence) else END_TO_END


def _candidates(sentence: str) -> list[re.Match]:
    """Every factor in the sentence that is not a size, energy, cost or hardware count."""
    out = []
    for m in _FACTOR.finditer(sentence):
        after = sentence[m.end() : m.end() + 40]
        before = sentence[max(0, m.start() - 40) : m.start()]
        if _NOT_SPEED_AFTER.search(after) or _NOT_SPEED_BEFORE.search(before):
            continue
        out.append(m)
    return out


def find_speedups(sentence: str) -> list[dict]:
    """Speed-up claims in one sentence, in the order they appear: factor, factor_high, up_to,
    metric, scope, baseline, baseline_kind, phrasing, match. A factor is a claim when one of
    `PHRASINGS` words it as a speed-up, or it is listed with one that is."""
    cands = _candidates(sentence)
    spans = {m.start("lo"): m for m in cands}
    found: dict[int, tuple[Phrasing, str]] = {}  # factor start -> phrasing, the words it read
    for phrasing, rx in _PHRASED:
        for hit in rx.finditer(sentence):
            at = hit.start("lo")
            if at in spans and at not in found:
                found[at] = (phrasing, hit.group(0))
    # factors listed with a claim ("by 1.31x and 2.71x", "2.4times and 8.6times higher")
    changed = True
    while changed:
        changed = False
        for at, m in spans.items():
            if at in found or not _LIST_TAIL.search(sentence[m.end() :]):
                continue
            for other in sorted(found):
                o = spans[other]
                a, b = (o.end(), m.start()) if other < at else (m.end(), o.start())
                joint = sentence[a:b]
                if (
                    len(joint) <= _JOINT_CHARS
                    and _LIST_JOINT.search(joint)
                    and not _JOINT_BREAK.search(joint)
                ):
                    found[at] = (_LIST, found[other][1])
                    changed = True
                    break
    starts = sorted(found)
    out = []
    for i, at in enumerate(starts):
        m = spans[at]
        phrasing, words = found[at]
        nxt = spans[starts[i + 1]].start() if i + 1 < len(starts) else len(sentence)
        # the words after the factor up to the next factor or the next clause
        tail = re.split(r"[(;,]", sentence[m.end() : nxt], maxsplit=1)[0]
        near = sentence[max(0, m.start() - 25) : m.start()] + words + tail
        metric_text = sentence[max(0, m.start() - 20) : m.start()] + words
        lo = float(m.group("lo"))
        hi = float(m.group("hi")) if m.group("hi") else None
        if hi is not None and hi < lo:  # "2.5-3x" style where hi was the tail of the number
            hi = None
        baseline = _baseline(sentence, m.start(), m.end())
        out.append(
            {
                "factor": lo,
                "factor_high": hi,
                "up_to": bool(
                    re.search(
                        r"up to\s*(?:an?\s+)?$",
                        sentence[max(0, m.start() - 20) : m.start()],
                        re.IGNORECASE,
                    )
                ),
                "metric": next(
                    (n for n, pat in _METRICS if re.search(pat, metric_text, re.IGNORECASE)),
                    "speed-up",
                ),
                "scope": _scope(sentence, sentence[m.start() : m.end()] + words + tail),
                "baseline": baseline,
                "near": near,
                "phrasing": phrasing.name,
                "match": m.group("factor"),
            }
        )
    if out and re.search(r"\brespectively\b", sentence, re.I):
        paired = _respective_baselines(sentence, spans[starts[-1]].end(), len(out))
        for claim, base in zip(out, paired or [], strict=False):
            claim["baseline"] = base
    for claim in out:
        claim["baseline_kind"] = baseline_kind(claim["baseline"], claim.pop("near"))
    return out


def why_left_out(family: str, decodes: str | None, scope: str, kind: str) -> str | None:
    """The first `LEFT_OUT` reason that keeps a claim out of the headline, or None when it
    counts: a decoding or serving method on autoregressive text, end to end, against plain
    decoding."""
    if family not in HEADLINE_FAMILIES:
        return LEFT_OUT[0]
    if decodes != AUTOREGRESSIVE_TEXT:
        return LEFT_OUT[1]
    if scope == OPERATION:
        return OPERATION
    return None if kind == PLAIN else kind


#: The columns of `extract_speedups`, in order.
CLAIM_COLUMNS = [
    "paper_id",
    "title",
    "family",
    "decodes",
    "headline",
    "left_out",
    "factor",
    "factor_high",
    "up_to",
    "metric",
    "scope",
    "baseline",
    "baseline_kind",
    "phrasing",
    "match",
    "sentence",
]


def extract_speedups(papers: pd.DataFrame) -> pd.DataFrame:
    """Every speed-up claim in the abstracts, one row per factor: the paper's family and what
    it decodes (None outside `HEADLINE_FAMILIES`), the claim's scope and baseline kind, whether
    it counts for the headline and, if not, why (`left_out`)."""
    rows = []
    for pid, title, abstract in zip(
        papers["paper_id"], papers["title"], papers["abstract"], strict=True
    ):
        family = method_family(title, abstract)
        decodes = what_it_decodes(title, abstract) if family in HEADLINE_FAMILIES else None
        for sent in sentences(abstract):
            for claim in find_speedups(sent):
                why = why_left_out(family, decodes, claim["scope"], claim["baseline_kind"])
                rows.append(
                    {
                        "paper_id": pid,
                        "title": title,
                        "family": family,
                        "decodes": decodes,
                        "headline": why is None,
                        "left_out": why,
                        **claim,
                        "sentence": sent,
                    }
                )
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


# A speed-up given as a percentage: "33\% speed up", "49% additional speed-up", "accelerates ...
# sampling by 41% and 24%". Not read as a factor: "41% faster" may mean 41% more speed (1.41x)
# or 41% less time (1.7x), and abstracts use both.
_PERCENT = re.compile(
    rf"(?P<a>{_NUM})\s*\\?%\s+(?:(?:additional|further|higher)\s+)?(?:speed[- ]?ups?|speed up|"
    rf"faster|acceleration)|\baccelerat\w*\b[^.;]{{0,80}}?\bby\s+(?P<b>{_NUM})\s*\\?%"
    rf"(?:\s+and\s+(?P<c>{_NUM})\s*\\?%)?",
    re.IGNORECASE,
)


def find_percent_speedups(sentence: str) -> list[float]:
    """The percentages a sentence states as speed-ups, in order."""
    out = []
    for m in _PERCENT.finditer(sentence):
        out += [float(v) for v in (m.group("a"), m.group("b"), m.group("c")) if v]
    return out


def percent_speedups(papers: pd.DataFrame) -> pd.DataFrame:
    """The speed-ups the abstracts give as percentages, which `extract_speedups` leaves out:
    one row per percentage, with its paper and sentence."""
    rows = [
        {"paper_id": pid, "title": title, "percent": pct, "sentence": sent}
        for pid, title, abstract in zip(
            papers["paper_id"], papers["title"], papers["abstract"], strict=True
        )
        for sent in sentences(abstract)
        for pct in find_percent_speedups(sent)
    ]
    return pd.DataFrame(rows, columns=["paper_id", "title", "percent", "sentence"])
