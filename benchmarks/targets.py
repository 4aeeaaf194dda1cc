"""Every target `make bench` is judged against, and its threshold: the one place to change them.

The report takes each verdict word from `Target.verdict` on a measured number, and the text of
the threshold from `Target.shown`, so a threshold changed here changes the report with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A measured value must be at most (or at least) `limit`."""

    what: str
    limit: float
    at_most: bool = True
    #: how the limit is written: "ratio" (0.25), "share" (60%), "number" (60)
    style: str = "ratio"

    @property
    def shown(self) -> str:
        """The threshold as the report writes it, e.g. "<= 0.25", ">= 60%"."""
        if self.style == "share":
            limit = f"{self.limit:.0%}"
        elif self.style == "number":
            limit = f"{self.limit:g}"
        else:
            limit = f"{self.limit}"
        return f"{'<=' if self.at_most else '>='} {limit}"

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def verdict(self, value: float | None) -> str:
        """ "met" or "**missed**" (bold, so a missed target stands out), or "not measured"."""
        if value is None:
            return "not measured"
        return "met" if self.met(value) else "**missed**"


#: A warm rerun (the embedding and fits caches present) against a cold run.
WARM_OVER_COLD = Target("warm / cold", 0.15)
#: A cold run with the defaults against BERTopic's defaults on the same texts and model.
COLD_OVER_PEER = Target("cold / BERTopic cold", 1.3)
#: Embedding GFLOP/s (real tokens, no padding) against the matmul peak of the same precision.
PEAK_SHARE = Target("embedding / matmul peak of its precision", 0.60, at_most=False, style="share")


def mb_to_gb(mb: float) -> float:
    """MB as sampled (2^20 bytes) in GB as the targets say (10^9 bytes)."""
    return mb * 2**20 / 1e9


@dataclass(frozen=True)
class FitTargets:
    """What a consensus fit of `n` synthetic papers may take: minutes (None: measured, no
    target) and peak memory of all its processes, in GB (10^9 bytes).

    The memory limit is judged twice (`benchmarks.runs.Finished`): on the processes' summed
    PSS, the memory they hold (a page they share counted once), and on their summed RSS, which
    counts every shared library page once per process; the report shows both verdicts."""

    n: int
    minutes: Target | None
    peak_gb: Target

    @property
    def rss_gb(self) -> Target:
        """The same memory limit, on the summed RSS."""
        what = self.peak_gb.what.replace("peak memory, PSS", "peak memory, summed RSS")
        return Target(what, self.peak_gb.limit, style=self.peak_gb.style)


#: The consensus fit at scale (`benchmarks.fit_scale`), by corpus size.
FIT_TARGETS = (
    FitTargets(
        10_000,
        Target("10,000 papers: consensus fit, minutes", 2, style="number"),
        Target("10,000 papers: peak memory, PSS, GB", 1, style="number"),
    ),
    FitTargets(
        30_000,
        Target("30,000 papers: consensus fit, minutes", 10, style="number"),
        Target("30,000 papers: peak memory, PSS, GB", 2, style="number"),
    ),
    FitTargets(100_000, None, Target("100,000 papers: peak memory, PSS, GB", 8, style="number")),
)

#: Ten speculative / parallel decoding papers, picked by reading their titles. Where a run puts
#: them is reported (every one should sit in a theme named for decoding); tests/test_pipeline.py
#: pins the same ten on the real data (it imports this list).
DECODING_SPEEDUP_TITLES = [
    "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting",
    "Adaptive Draft-Verification for Efficient Large Language Model Decoding",
    "Speculative Decoding Reimagined for Multimodal Large Language Models",
    "Speculative Decoding with Big Little Decoder",
    "SpecDec++: Boosting Speculative Decoding via Adaptive Candidate Lengths",
    "DySpec: Faster Speculative Decoding with Dynamic Token Tree Structure",
    "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding",
    "Recursive Speculative Decoding: Accelerating LLM Inference via Sampling Without Replacement",
    "CopySpec: Accelerating LLMs with Speculative Copy-and-Paste Without Compromising Quality",
    "Parallel Decoding via Hidden Transfer for Lossless Large Language Model Acceleration",
]
