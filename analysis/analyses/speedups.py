"""Speed-up factors that abstracts report ("2.7x", "up to 10x higher throughput", "3 to 4 times
faster"), with what was measured and against what, when the sentence says.

These are self-reported claims on different hardware, models and baselines: the table is a map
of what papers claim, not a comparison of methods. Each claim carries its paper's method family
(`method_family`); only the families of faster generation and inference (`HEADLINE_FAMILIES`)
make the headline, as a graph network's "828x faster than GNNs" and a decoding method's "2x"
share a unit but not a meaning.
"""

from __future__ import annotations

import re

import pandas as pd

from ..narrative.wording import counted, joined
from ..text import own_method, sentences

__all__ = [
    "FAMILY_MEANING",
    "FAMILY_ORDER",
    "HEADLINE_FAMILIES",
    "METHOD_FAMILIES",
    "OTHER",
    "extract_speedups",
    "factor_text",
    "family_summary",
    "find_speedups",
    "method_family",
    "speedup_findings",
]

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
    r"wall-clock|attention|execution|"
    r"in|of|the|lower|reduction in|acceleration|improvement in)\s+)*"
    r"(?P<what>speed-?ups?|faster|acceleration|throughput|latency|speed|lower latency|"
    r"wall[- ]?clock|real[- ]time|rtf|inference time|decoding speed|cheaper)",
    re.IGNORECASE,
)
_SPEED_BEFORE = re.compile(
    r"(?P<what>speed-?ups?|acceleration|accelerat\w*|throughput|latency|speed|faster|"
    r"inference time|decoding steps|real[- ]time factor|rtf)\b(?:[^.;]|(?<=\d)\.(?=\d)){0,40}$",
    re.IGNORECASE,
)
# Factors about sizes, parameters, energy or hardware counts are not speed-ups.
_NOT_SPEED = re.compile(
    r"^\W*(?:less|fewer|smaller|larger|more|cut|reduction|compression|cheaper|parameters|energy|"
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
# A baseline names what the factor was measured against. It is taken only when it is plainly
# the factor's own: the connective follows the factor with no other number, comma, colon or
# bracket between them (those start another comparison: "(an additional 7.2% improvement over
# the baseline ...)"), or it sits right before it ("faster than GNNs by 828x"); never from a
# "respectively" list, whose baselines pair with the factors by position. Anything else gives
# no baseline rather than a garbled one ("Medusa-1 with 88" from "outperforming Medusa-1 with
# 88.7% fewer parameters").
_CONNECTIVE = r"(?:compared (?:to|with)|relative to|versus|vs\.?|over|(?<!more )(?<!less )than)"
_BASELINE_AFTER = re.compile(rf"^[^\d,;:()\[\]]{{0,60}}?\b{_CONNECTIVE}\s+(?P<base>.+)", re.I)
_BASELINE_BEFORE = re.compile(
    rf"\b{_CONNECTIVE}\s+(?P<base>[^\d,;:()]{{2,60}}?)\s+by\s*(?:up to\s*)?$", re.I
)
# The baseline phrase ends where its own description does: at punctuation, a number, or a
# word that starts the conditions of the measurement ("... on edge devices", "... at 256K").
_BASELINE_END = re.compile(
    r"[,.;:()\[\]]|\s\d|\s(?:at|on|in|under|across|for|by|with|when|while|without|using|"
    r"respectively|and up to|which|where|whereas|as|and achiev\w*)\b",
    re.I,
)


def _baseline(sentence: str, start: int, end: int) -> str | None:
    """The baseline of the factor at sentence[start:end], or None unless it is unambiguous."""
    if re.search(r"\brespectively\b", sentence, re.I):
        return None
    after = _BASELINE_AFTER.search(sentence[end:])
    before = _BASELINE_BEFORE.search(sentence[max(0, start - 80) : start])
    hit = after or before
    if not hit:
        return None
    base = _BASELINE_END.split(hit.group("base"), maxsplit=1)[0].strip()
    words = base.split()
    if not 1 <= len(words) <= 8 or not re.search(r"[A-Za-z]{2}", base):
        return None
    return base


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
        # the system that runs the model: inference engines, kernels, MoE serving
        "serving",
        r"inference (?:system|engine)|\bserv(?:e|ing)\b|decode[- ]phase|\bkernels?\b",
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

#: The families of faster generation and inference: the claims the headline is about.
HEADLINE_FAMILIES: list[str] = FAMILY_ORDER[:-1]


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


def family_summary(claims: pd.DataFrame) -> pd.DataFrame:
    """Per family in `FAMILY_ORDER`: claims, papers, and the spread of the factors (min, the
    quartiles, median, max); families without claims are left out. Factors are compared on a
    ratio scale, so the median and quartiles, not the mean, which one large factor would pull."""
    g = claims.groupby("family")["factor"]
    out = pd.DataFrame(
        {
            "claims": g.size(),
            "papers": claims.groupby("family")["paper_id"].nunique(),
            "min": g.min(),
            "q1": g.quantile(0.25),
            "median": g.median(),
            "q3": g.quantile(0.75),
            "max": g.max(),
        }
    )
    out = out.reindex([f for f in FAMILY_ORDER if f in out.index])
    out.index.name = "family"
    return out


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
                "baseline": _baseline(sentence, m.start(), m.end()),
                "match": m.group(0),
            }
        )
    return out


def factor_text(x: float) -> str:
    """A factor as the text shows it, to one decimal and no trailing zero: "2.4x", "828x"."""
    return f"{round(float(x), 1):g}x"


def _short_title(title: str) -> str:
    """A paper's name as a sentence can carry it: before the colon, without a bracketed acronym."""
    return re.sub(r"\s*\([^)]*\)", "", title.split(":", 1)[0]).strip()


#: The families in plain words, for the text that first names them.
FAMILY_MEANING: dict[str, str] = {
    "speculative / draft models": "a cheap draft guesses several tokens and the model checks "
    "them in one pass",
    "parallel / multi-token decoding": "several tokens per step, without a separate draft",
    "early exit / layer skipping": "stopping early, after fewer layers or refinement steps",
    "caching": "keeping the attention keys and values of earlier tokens, or reading fewer of them",
    "serving": "the system that runs the model: inference engines, kernels",
    OTHER: "architectures, compression, and models for other tasks and data",
}


def speedup_findings(claims: pd.DataFrame) -> list[str]:
    """Notebook 03's findings, worded from `extract_speedups` output: the headline (generation
    and inference families only), the largest family against the one with the highest median,
    the other claims shown apart, and how many claims name a baseline or a best case. Each
    family named is said in plain words (`FAMILY_MEANING`) where it is first named."""
    summary = family_summary(claims)
    head = claims[claims["family"].isin(HEADLINE_FAMILIES)]
    other = claims[claims["family"] == OTHER]
    n_all, n_head = len(claims), len(head)
    q1, med, q3 = head["factor"].quantile([0.25, 0.5, 0.75])
    out = [
        f"The abstracts report {counted(n_all, 'speed-up factor')} in "
        f"{counted(claims['paper_id'].nunique(), 'paper')}; {n_head} of them, from "
        f"{counted(head['paper_id'].nunique(), 'paper')}, come from methods of faster decoding "
        f"and serving ({joined(HEADLINE_FAMILIES)}), and these have a median of "
        f"**{factor_text(med)}**, the middle half of "
        f"them between {factor_text(q1)} and {factor_text(q3)}."
    ]
    fams = summary.loc[[f for f in HEADLINE_FAMILIES if f in summary.index]]
    if len(fams):
        big = fams.sort_values(["claims", "papers"], ascending=False, kind="stable").index[0]
        b = fams.loc[big]
        text = (
            f"The largest family, **{big}** ({FAMILY_MEANING[big]}), has a median of "
            f"**{factor_text(b['median'])}** ({counted(int(b['claims']), 'claim')} from "
            f"{counted(int(b['papers']), 'paper')}, {factor_text(b['min'])} to "
            f"{factor_text(b['max'])})"
        )
        rest = fams.drop(index=big)
        if len(rest):
            top = rest["median"].idxmax()
            t = rest.loc[top]
            ratio = t["median"] / b["median"]
            verb = "higher" if ratio > 1.1 else "lower" if ratio < 1 / 1.1 else "about as high"
            text += (
                f"; **{top}** ({FAMILY_MEANING[top]}) runs {verb}, a median of "
                f"{factor_text(t['median'])} over {counted(int(t['claims']), 'claim')} from "
                f"{counted(int(t['papers']), 'paper')}"
            )
        out.append(text + ".")
    if len(other):
        top3 = other.sort_values("factor", ascending=False, kind="stable")
        top3 = top3.drop_duplicates("paper_id")[:3]
        named = [
            f"{factor_text(f)} for {_short_title(t)}"
            for t, f in zip(top3["title"], top3["factor"], strict=True)
        ]
        pooled = float(claims["factor"].median())
        move = "raise" if pooled > med else "lower" if pooled < med else "leave"
        one = len(other) == 1
        out.append(
            f"{counted(len(other), 'other claim')} from "
            f"{counted(other['paper_id'].nunique(), 'paper')} {'comes' if one else 'come'} from "
            f"methods outside these families ({FAMILY_MEANING[OTHER]}), "
            f"{'namely' if len(named) == 1 else 'among them'} {joined(named)}; "
            f"{'it is' if one else 'they are'} shown apart, as pooling "
            f"{'it' if one else 'them'} with the rest would {move} the median to "
            f"{factor_text(pooled)} while measuring nothing in common."
        )
    n_base = int(claims["baseline"].notna().sum())
    n_up = int(head["up_to"].sum())
    out.append(
        f"{n_base} of the {counted(n_all, 'claim')} {'names' if n_base == 1 else 'name'} what "
        f"{'it was' if n_base == 1 else 'they were'} measured against plainly enough to show; "
        f"{n_up} of those {n_head} decoding and serving claims {'is' if n_up == 1 else 'are'} "
        'stated as "up to", a best case.'
    )
    return out


def extract_speedups(papers: pd.DataFrame) -> pd.DataFrame:
    """Every speed-up claim in the abstracts, one row per factor, with the paper's family and
    whether it counts for the headline (`HEADLINE_FAMILIES`)."""
    rows = []
    for pid, title, abstract in zip(
        papers["paper_id"], papers["title"], papers["abstract"], strict=True
    ):
        family = method_family(title, abstract)
        for sent in sentences(abstract):
            for claim in find_speedups(sent):
                rows.append(
                    {
                        "paper_id": pid,
                        "title": title,
                        "family": family,
                        "headline": family in HEADLINE_FAMILIES,
                        **claim,
                        "sentence": sent,
                    }
                )
    cols = [
        "paper_id",
        "title",
        "family",
        "headline",
        "factor",
        "factor_high",
        "up_to",
        "metric",
        "baseline",
        "match",
        "sentence",
    ]
    return pd.DataFrame(rows, columns=cols)
