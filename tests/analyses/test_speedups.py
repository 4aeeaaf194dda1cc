"""The speed-up extractor (`analysis.analyses.speedups`) on real sentences from the dumps,
including ones that must not match."""

from __future__ import annotations

import pytest

from analysis.analyses.speedups import (
    FAMILY_ORDER,
    METHOD_FAMILIES,
    extract_speedups,
    find_speedups,
    method_family,
)
from analysis.dataset import load_papers


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
        (
            "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting",
            "speculative / draft models",
        ),
        (
            "Lossless Acceleration for Seq2seq Generation with Aggressive Decoding",
            "parallel / multi-token decoding",
        ),
        (
            "You Need Multiple Exiting: Dynamic Early Exiting for Accelerating Unified Vision "
            "Language Model",
            "early exit / layer skipping",
        ),
        ("dKV-Cache: The Cache for Diffusion Language Models", "caching"),
        ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces", "other"),
    ],
)
def test_method_family(title, family):
    assert method_family(title) == family


def test_real_corpus_claims():
    df = extract_speedups(load_papers())
    assert df["paper_id"].nunique() >= 30
    assert (df["factor"] > 1).all()
    kangaroo = df[df["title"].str.startswith("Kangaroo")]
    assert kangaroo["factor"].tolist() == [1.68]
    # no resolution or hardware count slipped in
    assert not df["match"].str.contains(r"\d\s*(?:x|times)\s*\d").any()


def test_family_order_lists_every_family_once_other_last():
    assert FAMILY_ORDER[-1] == "other" and len(set(FAMILY_ORDER)) == len(FAMILY_ORDER)
    assert set(FAMILY_ORDER[:-1]) == {name for name, _ in METHOD_FAMILIES}
    # every family the real claims fall in has its place in the figures' order
    assert set(extract_speedups(load_papers())["family"]) <= set(FAMILY_ORDER)
