"""The speed-up tables (`analysis.analyses.speedups`): the extractor on real sentences from the
dumps, including ones that must not match, each phrasing and factor form of the corpus, scope and
baseline kinds, families and what they decode, and the per-paper headline on the real corpus."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.analyses.speedup_summaries import (
    family_summary,
    headline_summary,
    paper_speedups,
    value_axis,
)
from analysis.analyses.speedups import (
    AUTOREGRESSIVE_TEXT,
    BASELINE_KINDS,
    END_TO_END,
    FACTOR_FORMS,
    FAMILY_ORDER,
    FAST,
    HEADLINE_FAMILIES,
    LEFT_OUT,
    METHOD_FAMILIES,
    OPERATION,
    OTHER,
    OTHER_MODEL,
    PHRASINGS,
    PLAIN,
    UNSTATED,
    find_percent_speedups,
    find_speedups,
    method_family,
    own_method,
    percent_speedups,
    what_it_decodes,
)
from analysis.text import sentences

from ..conftest import run_python
from .speedup_claims import DIFFUSION, IMAGES, PAR, RECOGNITION, SPEC, claims_frame


def _paper(claims: pd.DataFrame, title_start: str) -> pd.DataFrame:
    got = claims[claims["title"].str.startswith(title_start)]
    assert len(got), title_start
    return got


def _title_and_abstract(papers: pd.DataFrame, title_start: str) -> tuple[str, str]:
    """The one paper whose title starts so."""
    row = papers[papers["title"].str.startswith(title_start)]
    assert len(row) == 1, title_start
    return row["title"].iloc[0], row["abstract"].iloc[0]


@pytest.mark.parametrize("phrasing", PHRASINGS, ids=[p.name for p in PHRASINGS])
def test_every_phrasing_reads_its_own_example(phrasing):
    """Each phrasing of the table finds the factor of its real example, under its own name."""
    found = [(c["factor"], c["phrasing"]) for c in find_speedups(phrasing.example)]
    assert (phrasing.factor, phrasing.name) in found, found


@pytest.mark.parametrize(("form", "text", "factor"), FACTOR_FORMS, ids=[f[0] for f in FACTOR_FORMS])
def test_every_factor_form_is_read(form, text, factor):
    assert [c["factor"] for c in find_speedups(text)] == [factor], form


def test_every_phrasing_example_is_a_sentence_of_the_corpus(papers):
    corpus = {s.strip() for abstract in papers["abstract"] for s in sentences(abstract)}
    assert [p.name for p in PHRASINGS if p.example not in corpus] == []


def test_the_phrasing_table_names_each_phrasing_once():
    names = [p.name for p in PHRASINGS]
    assert len(set(names)) == len(names)
    assert sum(p.joins for p in PHRASINGS) == 1  # one list phrasing, tried last
    assert PHRASINGS[-1].joins


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
        # missed before: "gains in" was no word of speed
        (
            "By leveraging global and local modules, the Block Transformer architecture "
            "demonstrates 10-20x gains in inference throughput compared to vanilla transformers "
            "with equivalent perplexity.",
            10.0,
            20.0,
            False,
            "throughput",
        ),
        # missed before: "compression" counted as a size
        (
            "our model has better rate-distortion performance and an impressive 3.18times "
            "compression speed up, giving us the ability to perform real-time compression.",
            3.18,
            None,
            False,
            "speed-up",
        ),
        (
            "This in turn allows us to train an equivalent model using 4x less GPUs in the same "
            "wall time, or leverage the original resources and train it in 2x shorter wall time.",
            2.0,
            None,
            False,
            "training",
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


@pytest.mark.parametrize(
    ("sentence", "factors"),
    [
        # a list shares its claim's words, before or after it
        (
            "Experiments on ImageNet256times 256 and UCF101 demonstrate that NAR achieves "
            "2.4times and 8.6times higher throughput respectively.",
            [2.4, 8.6],
        ),
        (
            "Experiments show that MSD boosts inference speed by up to 2.29times for "
            "LLaVA-1.5-7B and up to 2.46times for LLaVA-1.5-13B on multimodal benchmarks.",
            [2.29, 2.46],
        ),
        (
            "our method achieves up to 22.58times speedup without any performance drop, and up "
            "to 57.51times when combined with KV-Cache.",
            [22.58, 57.51],
        ),
        # a listed factor with a noun of its own is not the list's ("energy efficiency")
        (
            "Empirical evaluations demonstrate a 10-fold improvement in energy efficiency and a "
            "5-fold reduction in latency compared to conventional full-length context processing "
            "methods.",
            [5.0],
        ),
        # bandwidth is not speed, the delay is; "by" starts a comparison of its own
        (
            "Compared to recent methods that handle long contexts, CacheGen reduces bandwidth "
            "usage by 3.7-4.3x and the total delay in fetching and processing contexts by 2.7-3x.",
            [2.7],
        ),
        (
            "including novel MoE architecture designs and model compression techniques that "
            "reduce MoE model size by up to 3.7x, and a highly optimized inference system that "
            "provides 7.3x better latency and cost compared to existing MoE inference solutions.",
            [7.3],
        ),
        (
            "DeepSpeed-MoE offers an unprecedented scale and efficiency to serve massive MoE "
            "models with up to 4.5x faster and 9x cheaper inference compared to "
            "quality-equivalent dense models.",
            [4.5],
        ),
        (
            "It also drastically reduces the compute needs as compared to LLM-TS methods, with a "
            "14X cut in learnable parameters, 106X less total parameters, and substantial "
            "reductions in fine-tuning (65X) and inference time (54X).",
            [65.0, 54.0],
        ),
    ],
)
def test_which_factors_of_a_sentence_are_claims(sentence, factors):
    assert [c["factor"] for c in find_speedups(sentence)] == factors


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
        # a "respectively" list pairs baselines by position (none were given before)
        (
            "We further explore the design space of Hydra head training objectives and "
            "architectures, and propose a carefully-tuned Hydra head recipe, which we call "
            "Hydra++, that improves decoding throughput by 1.31x and 2.71x compared to Medusa "
            "decoding and autoregressive decoding, respectively.",
            ["Medusa decoding", "autoregressive decoding"],
        ),
        # ... but only when the list names as many baselines as there are factors
        (
            "On the GSM8K and HumanEval datasets, our method achieves a 2.26x speedup (9.4% "
            "improvement) and 2.23x speedup (11.1% improvement), respectively.",
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
        ("validate that our fused MHA outperforms PyTorch by 6.13x.", ["PyTorch"]),
        (
            "resulting in an average of 2.6x attention execution speedup over FlashAttention-2 "
            "and up to 8.33x speedup for 512k context lengths.",
            ["FlashAttention-2", None],
        ),
        # a coordinated "and 9x cheaper" shares the baseline; a sentence may open with it
        (
            "serve massive MoE models with up to 4.5x faster and 9x cheaper inference compared "
            "to quality-equivalent dense models.",
            ["quality-equivalent dense models"],
        ),
        (
            "Compared to encoder-decoder OWSM, our OWSM-CTC achieves competitive results on ASR "
            "and up to 25% relative improvement on ST, while it is more robust and 3 to 4 times "
            "faster for inference.",
            ["encoder-decoder OWSM"],
        ),
    ],
)
def test_baselines_clean_or_none(sentence, baselines):
    assert [c["baseline"] for c in find_speedups(sentence)] == baselines


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        (
            "achieving an average latency speedup ratio of 2.7x compared to the vanilla "
            "auto-regressive decoding approach.",
            [PLAIN],
        ),
        (
            "improves decoding throughput by 1.31x and 2.71x compared to Medusa decoding and "
            "autoregressive decoding, respectively.",
            [FAST, PLAIN],
        ),
        # on top of another method: "further", "combined with"
        (
            "our parallel prompt decoding can serve as an orthogonal optimization for synergistic "
            "integration with existing speculative decoding, showing up to 1.22times further "
            "speed improvement.",
            [FAST],
        ),
        (
            "our method achieves up to 22.58times speedup without any performance drop, and up "
            "to 57.51times when combined with KV-Cache.",
            [UNSTATED, FAST],
        ),
        # "additional" about another number (the bracket) does not make 2.04x relative
        (
            "Our adaptive method achieves a 2.04x speedup on the Alpaca dataset (an additional "
            "7.2% improvement over the baseline speculative decoding).",
            [UNSTATED],
        ),
        ("Extensive evaluation shows that BatchLLM outperforms vLLM by 1.1x to 2x.", [FAST]),
        (
            "With offloading, it achieves a decoding speed acceleration of 16.3times compared to "
            "state-of-the-art solutions at a sequence length of 256K.",
            [FAST],
        ),
        ("Token Recycling achieves approximately 2x speedup across all sizes of LLMs.", [UNSTATED]),
        # two models compared, not one model with and without a way of decoding
        (
            "the Block Transformer architecture demonstrates 10-20x gains in inference "
            "throughput compared to vanilla transformers with equivalent perplexity.",
            [OTHER_MODEL],
        ),
        (
            "DeepSpeed-MoE offers an unprecedented scale and efficiency to serve massive MoE "
            "models with up to 4.5x faster and 9x cheaper inference compared to "
            "quality-equivalent dense models.",
            [OTHER_MODEL],
        ),
        (
            "This novel framework demonstrates 2x speedup over distributed and batched vanilla "
            "decoding with the base model on eight AMD MI250 GPUs.",
            [PLAIN],
        ),
    ],
)
def test_baseline_kinds(sentence, kinds):
    assert [c["baseline_kind"] for c in find_speedups(sentence)] == kinds


@pytest.mark.parametrize(
    ("sentence", "scopes"),
    [
        (
            "It brings up to a 14.1times acceleration in attention operations and a 1.9times "
            "improvement in end-to-end inference on GPUs.",
            [OPERATION, END_TO_END],
        ),
        # the whole sentence is about attention: its second factor too
        (
            "We extend the stream-K style reduction of tiled calculation to self-attention to "
            "enable parallel computation resulting in an average of 2.6x attention execution "
            "speedup over FlashAttention-2 and up to 8.33x speedup for 512k context lengths.",
            [OPERATION, OPERATION],
        ),
        ("validate that our fused MHA outperforms PyTorch by 6.13x.", [OPERATION]),
        (
            "Token Recycling achieves approximately 2x speedup across all sizes of LLMs.",
            [END_TO_END],
        ),
    ],
)
def test_scope_from_the_sentence(sentence, scopes):
    assert [c["scope"] for c in find_speedups(sentence)] == scopes


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
        "TLEG achieves comparable or better performance while reducing around 2x training cost.",
        "Empirical evaluations demonstrate a 10-fold improvement in energy efficiency.",
        "CacheGen reduces bandwidth usage by 3.7-4.3x while maintaining similar performance.",
        "at least a 6.5times reduction compared to traditional approaches.",
        "LLMs' size grows by 240times every two years.",
        "our LMUFormer necessitates a remarkable 53 times reduction in parameters.",
    ],
)
def test_must_not_match(sentence):
    assert find_speedups(sentence) == []


def test_percentages_are_found_apart():
    assert find_percent_speedups(
        "i.e., 33\\% speed up on natural language generation with no quality loss, and 30\\% "
        "speed up on code generation with a negligible quality loss of 3\\%."
    ) == [33.0, 30.0]
    assert find_percent_speedups(
        "our approach accelerates both the Stable Diffusion (SD) and the DeepFloyd-IF models "
        "sampling by 41% and 24% respectively"
    ) == [41.0, 24.0]
    # a share of another kind is no speed-up
    assert find_percent_speedups("with reduced generation-memory by 65% on one GPU") == []
    assert find_speedups("yielding an average 49% additional speed-up over speculation.") == []


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
        (
            "BatchLLM: Optimizing Large Batched LLM Inference with Global Prefix Sharing and "
            "Throughput-oriented Token Batching",
            "serving",
        ),
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
        ("BatchLLM", "serving"),
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
        # an encoder's kernels, not a decoding or serving method
        ("ByteTransformer", OTHER),
    ],
)
def test_method_family_from_the_papers_own_method(papers, title_start, family):
    assert method_family(*_title_and_abstract(papers, title_start)) == family


@pytest.mark.parametrize(
    ("title_start", "kind"),
    [
        ("dParallel", DIFFUSION),
        ("Learning to Parallel", DIFFUSION),
        ("Diffusion Language Models Know the Answer", DIFFUSION),
        ("dKV-Cache", DIFFUSION),
        ("OWSM-CTC", RECOGNITION),
        ("Context Perception Parallel Decoder", RECOGNITION),
        ("Neighboring Autoregressive Modeling", IMAGES),
        ("Collaborative Decoding Makes Visual", IMAGES),
        ("Superposed Decoding", AUTOREGRESSIVE_TEXT),
        ("Speculative Decoding Reimagined for Multimodal", AUTOREGRESSIVE_TEXT),
        # "image generation" only in the field's background: its own method decodes text
        ("Lean Attention", AUTOREGRESSIVE_TEXT),
    ],
)
def test_what_a_paper_decodes(papers, title_start, kind):
    assert what_it_decodes(*_title_and_abstract(papers, title_start)) == kind


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
    assert df["paper_id"].nunique() >= 40
    assert (df["factor"] > 1).all()
    kangaroo = df[df["title"].str.startswith("Kangaroo")]
    assert kangaroo["factor"].tolist() == [1.68]
    # no resolution or hardware count slipped in
    assert not df["match"].str.contains(r"\d\s*(?:x|times)\s*\d").any()
    assert set(df["phrasing"]) <= {p.name for p in PHRASINGS}
    assert set(df["baseline_kind"]) <= set(BASELINE_KINDS)


@pytest.mark.parametrize(
    ("title_start", "factor", "high"),
    [
        ("Block Transformer", 10.0, 20.0),
        ("ByteTransformer", 6.13, None),
        ("Unified Multivariate Gaussian Mixture", 3.18, None),
        ("CacheGen", 2.7, 3.0),
        ("BatchLLM", 1.1, 2.0),
        ("Speculative Decoding Reimagined", 2.46, None),
        ("CopySpec", 2.66, None),
        ("Neighboring Autoregressive Modeling", 2.4, None),
        ("Learning to Parallel", 57.51, None),
        ("Training and Inference Efficiency of Encoder-Decoder", 2.0, None),
        ("Tiny Time Mixers", 65.0, None),
        ("Dolphin", 5.0, None),
    ],
)
def test_claims_missed_before_are_found(claims, title_start, factor, high):
    got = _paper(claims, title_start)
    row = got[got["factor"] == factor]
    assert len(row) == 1, got[["factor", "sentence"]]
    assert (None if pd.isna(row["factor_high"].iloc[0]) else row["factor_high"].iloc[0]) == high


def test_what_must_stay_out_of_the_corpus_claims(claims):
    # Dolphin's energy, CacheGen's bandwidth, DeepSpeed-MoE's size and cost
    for title, factor in (("Dolphin", 10.0), ("CacheGen", 3.7), ("DeepSpeed-MoE", 3.7)):
        assert factor not in set(_paper(claims, title)["factor"]), title
    assert 9.0 not in set(_paper(claims, "DeepSpeed-MoE")["factor"])


def test_hydra_and_ppd_further_claims_are_against_another_fast_method(claims):
    hydra = _paper(claims, "Hydra").set_index("factor")
    assert hydra.loc[1.31, "baseline"] == "Medusa decoding"
    assert hydra.loc[1.31, "baseline_kind"] == FAST and hydra.loc[2.71, "baseline_kind"] == PLAIN
    assert hydra["headline"].tolist() == [False, True]
    ppd = _paper(claims, "Hardware-Aware Parallel Prompt Decoding").set_index("factor")
    assert ppd.loc[1.22, "baseline_kind"] == FAST and ppd.loc[1.22, "left_out"] == FAST
    assert ppd.loc[2.49, "baseline_kind"] == UNSTATED


def test_double_sparsity_keeps_its_three_factors_apart(claims):
    ds = _paper(claims, "Post-Training Sparse Attention").set_index("factor")
    assert ds.loc[14.1, "scope"] == OPERATION and ds.loc[14.1, "left_out"] == OPERATION
    assert ds.loc[1.9, "scope"] == END_TO_END and ds.loc[1.9, "baseline_kind"] == UNSTATED
    assert ds.loc[16.3, "baseline_kind"] == FAST
    assert not ds["headline"].any()
    # its one value is the end-to-end factor, never the attention-only one
    p = paper_speedups(claims).set_index("title")
    assert p.loc[ds["title"].iloc[0], "factor"] == 1.9


def test_headline_claims_mean_one_thing(claims):
    head = claims[claims["headline"]]
    assert len(head) >= 3
    # two models compared are no speed-up of decoding: out, as against another model
    for title, factor in (("Block Transformer", 10.0), ("DeepSpeed-MoE", 4.5)):
        row = _paper(claims, title).set_index("factor").loc[factor]
        assert row["baseline_kind"] == OTHER_MODEL and row["left_out"] == OTHER_MODEL
    assert head["family"].isin(HEADLINE_FAMILIES).all()
    assert (head["decodes"] == AUTOREGRESSIVE_TEXT).all()
    assert (head["scope"] == END_TO_END).all() and (head["baseline_kind"] == PLAIN).all()
    assert claims["headline"].equals(claims["left_out"].isna())
    assert set(claims["left_out"].dropna()) <= set(LEFT_OUT)
    other = claims[claims["family"] == OTHER]
    # the graph network's 828x and the time-series model's 54x are shown apart
    assert {828.0, 54.0} <= set(other["factor"])
    assert (other["left_out"] == LEFT_OUT[0]).all()
    assert claims.loc[claims["family"].isin(HEADLINE_FAMILIES), "factor"].max() < 100


def test_the_headline_is_one_value_per_paper(claims):
    h = headline_summary(claims)
    p = paper_speedups(claims)
    head = p[p["headline"]]
    assert h["papers"] == len(head) == claims.loc[claims["headline"], "paper_id"].nunique()
    per_paper = claims[claims["headline"]].groupby("paper_id")["factor"].median()
    assert h["median"] == pytest.approx(per_paper.median())
    assert h["claims"] == int(claims["headline"].sum())
    # every claim of those families on autoregressive text is either in or counted out
    text = claims[claims["left_out"].isin([None, OPERATION, FAST, OTHER_MODEL, UNSTATED])]
    assert h["claims"] + h["operation"] + h["fast"] + h["other_model"] + h["unstated"] == len(text)


def test_the_parallel_family_is_split_by_what_it_decodes(claims):
    s = family_summary(claims)
    kinds = set(s.loc[PAR].index)
    assert kinds == {AUTOREGRESSIVE_TEXT, DIFFUSION, RECOGNITION, IMAGES}
    par = paper_speedups(claims)
    par = par[par["family"] == PAR].set_index("decodes")
    assert {t.split(":")[0] for t in par.loc[[RECOGNITION], "title"]} == {
        "Context Perception Parallel Decoder for Scene Text Recognition",
        "OWSM-CTC",
    }
    assert set(par.loc[[DIFFUSION], "title"].str.split(":").str[0]) == {
        "dParallel",
        "Learning to Parallel",
    }
    # no row pools kinds: each row counts exactly the papers of its kind
    valued = par.dropna(subset=["factor"])
    assert {
        k: int(s.loc[(PAR, k), "papers"]) for k in kinds
    } == valued.index.value_counts().to_dict()


def test_family_order_lists_every_family_once_other_last(claims):
    assert FAMILY_ORDER[-1] == OTHER and len(set(FAMILY_ORDER)) == len(FAMILY_ORDER)
    assert set(FAMILY_ORDER[:-1]) == {name for name, _ in METHOD_FAMILIES} == set(HEADLINE_FAMILIES)
    # every family the real claims fall in has its place in the figures' order
    assert set(claims["family"]) <= set(FAMILY_ORDER)


def test_paper_values_and_family_summary_count_each_paper_once():
    df = claims_frame(
        [
            # paper c states three factors: its median, 2, counts once
            *[{"paper_id": "c", "family": SPEC, "factor": x} for x in (1.0, 2.0, 9.0)],
            {"paper_id": "d", "family": SPEC, "factor": 3.0},
            {"paper_id": "e", "family": SPEC, "factor": 4.0},
            # e's further claim and its attention-only one do not move its value
            {"paper_id": "e", "family": SPEC, "factor": 1.2, "baseline_kind": FAST},
            {"paper_id": "e", "family": SPEC, "factor": 50.0, "scope": OPERATION},
            # f names no baseline: a value (hollow in the figure), not in the headline
            {"paper_id": "f", "family": SPEC, "factor": 8.0, "baseline_kind": UNSTATED},
            {"paper_id": "g", "family": PAR, "factor": 20.0, "decodes": DIFFUSION},
            {"paper_id": "h", "family": OTHER, "factor": 828.0},
        ]
    )
    p = paper_speedups(df).set_index("paper_id")
    assert p.loc["c", "factor"] == 2.0 and p.loc["c", "claims"] == 3
    assert p.loc["e", "factor"] == 4.0 and p.loc["e", "used"] == 1
    assert p.loc["f", "basis"] == UNSTATED and not p.loc["f", "headline"]
    assert p["headline"].tolist() == [True, True, True, False, False, False]
    s = family_summary(df)
    assert s.index.tolist() == [(SPEC, AUTOREGRESSIVE_TEXT), (PAR, DIFFUSION), (OTHER, "")]
    assert s.loc[(SPEC, AUTOREGRESSIVE_TEXT)].to_dict() == {
        "papers": 4,
        "claims": 6,
        "plain": 3,
        "min": 2.0,
        "q1": 2.75,
        "median": 3.5,
        "q3": 5.0,
        "max": 8.0,
    }
    h = headline_summary(df)
    assert (h["papers"], h["claims"], h["median"]) == (3, 5, 3.0)  # over papers: 2, 3, 4
    assert (h["operation"], h["fast"], h["unstated"], h["papers_out"]) == (1, 1, 1, 1)
    assert (h["other_output_claims"], h["other_output_papers"]) == (1, 1)


def test_value_axis_is_set_by_the_decoding_and_serving_papers(claims):
    p = paper_speedups(claims)
    lo, hi = value_axis(p)
    fam = p.loc[p["family"].isin(HEADLINE_FAMILIES), "factor"].dropna()
    assert lo <= 1 <= fam.min() and fam.max() < hi < 828
    digits = hi / 10 ** math.floor(math.log10(hi))
    assert digits == int(digits)  # one significant digit: printed as it is
    # a far value of another family does not move the axis
    far = pd.concat([p, pd.DataFrame([{"family": OTHER, "factor": 5000.0}])])
    assert value_axis(far) == (lo, hi)


def test_percent_speedups_in_the_corpus(papers):
    got = percent_speedups(papers)
    by_title = got.groupby(got["title"].str.split(":").str[0])["percent"].apply(list).to_dict()
    assert by_title == {
        "CopySpec": [49.0],
        "Decoding at the Speed of Thought": [33.0, 30.0],
        "Faster Diffusion": [41.0, 24.0],
    }


def test_the_tables_module_imports_no_sentences():
    """Layering: the tables never word a sentence, so they never import the narrative."""
    res = run_python(
        "-c",
        "import sys, analysis.analyses.speedups; "
        "print(any(m.startswith('analysis.narrative') for m in sys.modules))",
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"
