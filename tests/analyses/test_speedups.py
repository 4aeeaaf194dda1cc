"""The speed-up extractor (`analysis.analyses.speedups`) on real sentences from the dumps,
including ones that must not match."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.analyses.speedups import (
    FAMILY_MEANING,
    FAMILY_ORDER,
    HEADLINE_FAMILIES,
    METHOD_FAMILIES,
    OTHER,
    extract_speedups,
    factor_text,
    family_summary,
    find_speedups,
    method_family,
    own_method,
    speedup_findings,
)
from analysis.dataset import load_papers


@pytest.fixture(scope="module")
def papers() -> pd.DataFrame:
    return load_papers()


@pytest.fixture(scope="module")
def claims(papers: pd.DataFrame) -> pd.DataFrame:
    return extract_speedups(papers)


@pytest.mark.parametrize(
    ("sentence", "factor", "high", "up_to", "metric"),
    [
        (
            "while delivering up to 10x higher decoding throughput on 2K-length prompts with 32K "
            "generation length under the vLLM inference framework.",
            10.0,
            None,
            True,
            "throughput",
        ),
        (
            "Under single-sequence verification, Kangaroo achieves speedups up to 1.68times on "
            "Spec-Bench, outperforming Medusa-1 with 88.7% fewer additional parameters.",
            1.68,
            None,
            True,
            "speed-up",
        ),
        (
            "Experimental results on multiple datasets show that Chimera demonstrates impressive "
            "results, achieving an average latency speedup ratio of 2.7x compared to the vanilla "
            "auto-regressive decoding approach.",
            2.7,
            None,
            False,
            "latency",
        ),
        (
            "1) For IAD, we show that it can introduce a 7x-9x speedup for the Transformer in "
            "Grammatical Error Correction.",
            7.0,
            9.0,
            False,
            "speed-up",
        ),
        (
            "OWSM-CTC is more robust and 3 to 4 times faster for inference.",
            3.0,
            4.0,
            False,
            "speed-up",
        ),
        (
            "dParallel reduces decoding steps from 256 to 30 on GSM8K, achieving an 8.5x speedup "
            "without performance degradation.",
            8.5,
            None,
            False,
            "speed-up",
        ),
        (
            "Mamba enjoys fast inference (5times higher throughput than Transformers) and linear "
            "scaling in sequence length.",
            5.0,
            None,
            False,
            "throughput",
        ),
    ],
)
def test_real_sentences_match(sentence, factor, high, up_to, metric):
    claims = find_speedups(sentence)
    assert len(claims) == 1, claims
    c = claims[0]
    assert c["factor"] == factor
    assert c["factor_high"] == high
    assert c["up_to"] is up_to
    assert c["metric"] == metric


def test_baseline_is_captured():
    s = (
        "achieving an average latency speedup ratio of 2.7x compared to the vanilla "
        "auto-regressive decoding approach."
    )
    assert find_speedups(s)[0]["baseline"] == "the vanilla auto-regressive decoding approach"


@pytest.mark.parametrize(
    ("sentence", "baselines"),
    [
        # the real garbled one: "outperforming Medusa-1" is a comparison of parameters, not the
        # baseline of 1.68x ("Medusa-1 with 88" before)
        (
            "Under single-sequence verification, Kangaroo achieves speedups up to 1.68times on "
            "Spec-Bench, outperforming Medusa-1 with 88.7\\% fewer additional parameters (67M "
            "compared to 591M).",
            [None],
        ),
        # the bracket holds another number's comparison ("the baseline speculative decoding")
        (
            "Our adaptive method achieves a 2.04x speedup on the Alpaca dataset (an additional "
            "7.2% improvement over the baseline speculative decoding).",
            [None],
        ),
        # "more than one token" is no baseline ("one token per step for draft model" before)
        (
            "Under high temperature setting, DySpec can also improve the throughput up to "
            "6.21times, despite the increasing difficulty of speculating more than one token per "
            "step for draft model.",
            [None],
        ),
        # a "respectively" list pairs baselines by position ("Medusa decoding and
        # autoregressive decoding" for both before); 2.71x is found now the decimal point in
        # "1.31x" no longer ends the look-back
        (
            "We further explore the design space of Hydra head training objectives and "
            "architectures, and propose a carefully-tuned Hydra head recipe, which we call "
            "Hydra++, that improves decoding throughput by 1.31x and 2.71x compared to Medusa "
            "decoding and autoregressive decoding, respectively.",
            [None, None],
        ),
        # the conditions of the measurement are not part of the baseline
        (
            "With offloading, it achieves a decoding speed acceleration of 16.3times compared to "
            "state-of-the-art solutions at a sequence length of 256K.",
            ["state-of-the-art solutions"],
        ),
        (
            "This novel framework demonstrates 2x speedup over distributed and batched vanilla "
            "decoding with the base model on eight AMD MI250 GPUs.",
            ["distributed and batched vanilla decoding"],
        ),
        (
            "our systematic analysis across GPU, CPU, and NPU platforms reveals that "
            "encoder-decoder architectures achieve 47% lower first-token latency and 4.7x higher "
            "throughput compared to decoder-only models on edge devices.",
            ["decoder-only models"],
        ),
        # the baseline right before the factor; the average speed-up is found as well
        ("We show that VQGraph infers faster than GNNs by 828x.", ["GNNs"]),
        (
            "resulting in an average of 2.6x attention execution speedup over FlashAttention-2 "
            "and up to 8.33x speedup for 512k context lengths.",
            ["FlashAttention-2", None],
        ),
    ],
)
def test_baselines_clean_or_none(sentence, baselines):
    assert [c["baseline"] for c in find_speedups(sentence)] == baselines


def test_every_extracted_baseline_reads_as_a_name(claims):
    base = claims["baseline"].dropna()
    assert len(base) >= 8
    # no loose number, no dangling preposition, no clause: the garbled shapes seen before
    loose = r"\s\d[\d.]*\s*$|%|\b(?:with|by|on|at|respectively)\b"
    assert not base.str.contains(loose).any(), base


def test_energy_factor_is_not_a_speed_up():
    s = (
        "As a result, OliVe-based accelerator surpasses the existing outlier-aware accelerator, "
        "GOBO, by 4.5times speedup and 4.0times energy reduction, respectively, with a superior "
        "model accuracy."
    )
    assert [c["factor"] for c in find_speedups(s)] == [4.5]


@pytest.mark.parametrize(
    "sentence",
    [
        "performing end-to-end training on gigabit-scale data, such as 6400times6400 images, or "
        "160K tokens (after patch tokenization).",
        "We split every image into a 2x2 grid of tiles.",
        "Experiments on ImageNet256times 256 and UCF101 demonstrate the approach.",
        "reaching 41 images/s at 256x256 resolution on a single NVIDIA 4090 GPU",
        "on affordable commodity hardware, like a single server with 4x NVIDIA A6000 or 8x NVIDIA "
        "3090 GPUs, at less than 5% runtime overhead",
        "This is despite the fine-tuned model having 13 times less parameters requiring "
        "optimization.",
        "with models including Llama-2-7B, Llama-2-70B, and Mixtral-8x7B.",
        "47.2% instance mAP with the Mask R-CNN framework, 1x training schedule on COCO",
        "compared to the PAR-4X approach",
    ],
)
def test_must_not_match(sentence):
    assert find_speedups(sentence) == []


@pytest.mark.parametrize(
    ("title", "family"),
    [
        # early exit is the idea the method adds, though it drafts for a speculative check
        (
            "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting",
            "early exit / layer skipping",
        ),
        (
            "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding",
            "speculative / draft models",
        ),
        ("dParallel: Learnable Parallel Decoding for dLLMs", "parallel / multi-token decoding"),
        (
            "You Need Multiple Exiting: Dynamic Early Exiting for Accelerating Unified Vision "
            "Language Model",
            "early exit / layer skipping",
        ),
        ("dKV-Cache: The Cache for Diffusion Language Models", "caching"),
        ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces", OTHER),
    ],
)
def test_method_family_from_the_title(title, family):
    assert method_family(title) == family


@pytest.mark.parametrize(
    ("title_start", "family"),
    [
        # drafts copied from the input and verified in parallel: speculative, not "parallel"
        ("Lossless Acceleration for Seq2seq Generation", "speculative / draft models"),
        ("Turning Trash into Treasure", "speculative / draft models"),
        ("Collaborative Decoding Makes Visual", "speculative / draft models"),
        ("Hardware-Aware Parallel Prompt Decoding", "speculative / draft models"),
        ("Neighboring Autoregressive Modeling", "parallel / multi-token decoding"),
        ("OWSM-CTC", "parallel / multi-token decoding"),
        ("Superposed Decoding", "parallel / multi-token decoding"),
        ("Diffusion Language Models Know the Answer", "early exit / layer skipping"),
        ("M2R2: Mixture of Multi-Rate Residuals", "early exit / layer skipping"),
        ("Post-Training Sparse Attention with Double Sparsity", "caching"),
        ("DeepSpeed-MoE", "serving"),
        ("Lean Attention", "serving"),
        # a state-space model distilled from a Transformer names the KV cache only as the
        # problem it removes: not caching ("caching" before)
        ("Multimodal Mamba", OTHER),
        ("Decoder-Hybrid-Decoder Architecture", OTHER),
        ("VQGraph", OTHER),
        ("Tiny Time Mixers", OTHER),
        ("HNeRV", OTHER),
        ("NIRVANA", OTHER),
        ("OliVe", OTHER),
        ("Latency Adjustable Transformer Encoder", OTHER),
        ("Lossless Compression with Probabilistic Circuits", OTHER),
    ],
)
def test_method_family_from_the_papers_own_method(papers, title_start, family):
    row = papers[papers["title"].str.startswith(title_start)]
    assert len(row) == 1, title_start
    assert method_family(row["title"].iloc[0], row["abstract"].iloc[0]) == family


def test_own_method_leaves_out_the_background():
    abstract = (
        "Speculative decoding accelerates inference with a draft model. "
        "We propose a state space model with linear time. It is fast."
    )
    assert own_method(abstract) == "We propose a state space model with linear time. It is fast."
    assert method_family("A new model", abstract) == OTHER
    # an abstract that proposes nothing in those words is read whole
    assert own_method("Drafts are verified. Fast.") == "Drafts are verified. Fast."


def test_real_corpus_claims(claims):
    df = claims
    assert df["paper_id"].nunique() >= 30
    assert (df["factor"] > 1).all()
    kangaroo = df[df["title"].str.startswith("Kangaroo")]
    assert kangaroo["factor"].tolist() == [1.68]
    # no resolution or hardware count slipped in
    assert not df["match"].str.contains(r"\d\s*(?:x|times)\s*\d").any()


def test_headline_holds_generation_claims_only(claims):
    assert claims["headline"].equals(claims["family"].isin(HEADLINE_FAMILIES))
    # every headline family has claims: no empty row in the figure
    assert set(claims.loc[claims["headline"], "family"]) == set(HEADLINE_FAMILIES)
    other = claims[claims["family"] == OTHER]
    # the graph network's 828x and the time-series model's 54x are shown apart
    assert {828.0, 54.0} <= set(other["factor"])
    assert claims.loc[claims["headline"], "factor"].max() < 100


def test_family_order_lists_every_family_once_other_last(claims):
    assert FAMILY_ORDER[-1] == OTHER and len(set(FAMILY_ORDER)) == len(FAMILY_ORDER)
    assert set(FAMILY_ORDER[:-1]) == {name for name, _ in METHOD_FAMILIES} == set(HEADLINE_FAMILIES)
    assert set(FAMILY_MEANING) == set(FAMILY_ORDER)
    # every family the real claims fall in has its place in the figures' order
    assert set(claims["family"]) <= set(FAMILY_ORDER)


def _claims(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"paper_id": p, "title": f"Paper {p}: a method", "family": f, "factor": x}
            | {"up_to": False, "baseline": None}
            for p, f, x in rows
        ]
    )


def test_family_summary_spread_and_order():
    spec, par = "speculative / draft models", "parallel / multi-token decoding"
    df = _claims(
        [
            ("a", OTHER, 828.0),
            ("b", par, 8.0),
            *[("c", spec, 1.0), ("c", spec, 2.0), ("d", spec, 3.0)],
            *[("e", spec, 4.0), ("f", spec, 5.0)],
        ]
    )
    s = family_summary(df)
    assert s.index.tolist() == [spec, par, OTHER]  # display order, empty families left out
    assert s.loc[spec].to_dict() == {
        "claims": 5,
        "papers": 4,
        "min": 1.0,
        "q1": 2.0,
        "median": 3.0,
        "q3": 4.0,
        "max": 5.0,
    }


def test_factor_text():
    assert [factor_text(x) for x in (2.42, 828.0, 8.0, 20.6)] == ["2.4x", "828x", "8x", "20.6x"]


def test_findings_agree_with_the_numbers():
    spec, par, cach = (
        "speculative / draft models",
        "parallel / multi-token decoding",
        "caching",
    )
    rows = [("s1", spec, 2.0), ("s2", spec, 2.0), ("s3", spec, 3.0), ("p1", par, 8.0)]
    text = speedup_findings(_claims([*rows, ("c1", cach, 1.5), ("o1", OTHER, 828.0)]))
    assert len(text) == 4
    assert "5 of them, from 5 papers" in text[0] and "median of **2x**" in text[0]
    assert text[1].endswith("runs higher, a median of 8x over 1 claim from 1 paper.")
    assert FAMILY_MEANING[spec] in text[1] and FAMILY_MEANING[OTHER] in text[2]
    assert text[2].startswith("1 other claim from 1 paper comes from methods outside")
    assert "namely 828x for Paper o1; it is shown apart" in text[2]
    assert "raise the median to 2.5x" in text[2]
    assert (
        "0 of the 6 claims name" in text[3]
        and "0 of those 5 decoding and serving claims are" in text[3]
    )
    # the verb follows the numbers
    low = speedup_findings(_claims([*rows[:3], ("p1", par, 1.2)]))
    assert "runs lower" in low[1]
    same = speedup_findings(_claims([*rows[:3], ("p1", par, 2.1)]))
    assert "runs about as high" in same[1]
    assert not any("1 papers" in s or "1 claims" in s for s in text + low + same)
