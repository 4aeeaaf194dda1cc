"""How a sentence is worded from numbers, for every finding the notebooks and README state:
nouns that agree with their counts, lists in prose, shares as percentages."""

from __future__ import annotations

__all__ = [
    "at_most",
    "counted",
    "found",
    "joined",
    "more_than",
    "pct",
    "pct_span",
    "value_span",
]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 paper", "2 papers": the noun agrees with the number."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def joined(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(x) for x in items]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def pct(x: float) -> str:
    """A share as a whole percentage: "72%"."""
    return f"{100 * x:.0f}%"


def pct_span(values) -> str:
    """The range of some shares: "50% to 100%", or one value when they agree."""
    lo, hi = pct(min(values)), pct(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def found(sentences: list[str]) -> str:
    """A notebook's opening "What we found" section from its sentences."""
    return "## What we found\n\n" + "\n".join(f"- {s}" for s in sentences)


def value_span(values: list, fmt: str) -> str:
    """The range of some values in a format: "8-11", "25.5%-33.6%", or one value when alike."""
    lo, hi = min(values), max(values)
    return format(lo, fmt) if lo == hi else f"{format(lo, fmt)}-{format(hi, fmt)}"


def at_most(x: float) -> str:
    """An upper bound of `x` with one significant digit that is never below it: 0.0045 is
    "0.005", not "0.004" (which `f"{x:.1g}"` would print)."""
    import math

    if x <= 0:
        return "0"
    exp = math.floor(math.log10(x))
    step = 10.0**exp
    up = math.ceil(round(x / step, 9)) * step
    if exp < -3:
        return f"{up:.0e}"
    return f"{up:.{max(0, -exp)}f}" if exp < 0 else f"{up:g}"


def more_than(a: int, b: int, alpha: float = 0.05) -> tuple[str, float]:
    """How count `a` compares with count `b`, and the p-value behind the words: "more" or
    "fewer" only when a two-sided sign test (each of the a + b mentions equally likely either
    way) gives p < `alpha`, else "about as many"."""
    from scipy.stats import binomtest

    p = float(binomtest(a, a + b, 0.5).pvalue) if a + b else 1.0
    if p >= alpha:
        return "about as many", p
    return ("more" if a > b else "fewer"), p
