"""Tables behind the notebooks (`analysis.analyses.explore`), on small crafted inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import explore


def crafted() -> pd.DataFrame:
    rows = [
        ("a", "T5 for tables", "An encoder-decoder model pretrained on tables.", "Enc", "L"),
        ("b", "GPT speedups", "A decoder-only LLM with speculative decoding.", "Dec", "L"),
        ("c", "BERT probing", "We probe an encoder-only masked language model.", "Enc", "L"),
        (
            "d",
            "Tiny codec",
            "A learned image compression codec beating JPEG at low bitrate.",
            "Comp",
            "V",
        ),
        ("e", "Quantized LLMs", "We quantize weights to 4 bits and prune heads.", "Dec", "L"),
        (
            "f",
            "Both at once",
            "Model compression by distillation, and video compression codec.",
            "Comp",
            "V",
        ),
        ("g", "Lossless decoding", "A lossless speculative decoding method.", "Dec", "L"),
    ]
    return pd.DataFrame(
        rows, columns=["paper_id", "title", "abstract", "theme_name", "broad_theme_name"]
    )


def test_architecture_mentions():
    m = explore.architecture_mentions(crafted()).set_index("paper_id")
    assert m.loc["a", "encoder-decoder"] and not m.loc["a", "decoder-only"]
    assert m.loc["b", "decoder-only"] and m.loc["b", "explicit"] == ["decoder-only"]
    assert m.loc["c", "encoder-only"] and m.loc["c", "explicit"] == ["encoder-only"]
    assert not m.loc["d", ["encoder-decoder", "decoder-only", "encoder-only"]].any()


def test_architecture_by_theme_shares():
    t = explore.architecture_by(crafted(), "theme_name")
    assert t.loc["Enc", "papers"] == 2
    assert t.loc["Enc", "encoder-decoder"] == 1 and t.loc["Enc", "encoder-decoder %"] == 50.0
    assert t.loc["Dec", "decoder-only %"] == pytest.approx(100 / 3, abs=0.1)


def test_compression_kind():
    k = explore.compression_kind(crafted()).set_index("paper_id")["kind"]
    assert k.to_dict() == {
        "a": "none",
        "b": "none",
        "c": "none",
        "d": "data",
        "e": "model",
        "f": "both",
        "g": "none",
    }  # "lossless decoding" is not compression


def _kind_of(papers: pd.DataFrame, title_start: str) -> str:
    rows = papers[papers["title"].str.startswith(title_start)]
    assert len(rows) == 1, title_start
    return explore.compression_kind(rows.assign(theme_name="", broad_theme_name=""))["kind"].iloc[0]


@pytest.fixture(scope="module")
def real_papers() -> pd.DataFrame:
    from analysis.dataset import load_papers

    return load_papers()


@pytest.mark.parametrize(
    "title_start",
    [
        # KV cache compression is model compression ("both" before, via "compression ratio")
        "CSKV: Training-Efficient Channel Shrinking for KV Cache",
        "EMS: Adaptive Evict-then-Merge Strategy for Head-wise KV Cache Compression",
        "Plug-and-Play 1.x-Bit KV Cache Quantization",
        "CacheGen: Fast Context Loading",
        "Video-XL-2: Towards Very Long-Video Understanding Through Task-Aware KV Sparsification",
        "LLM-FP4: 4-Bit Floating-Point Quantized Transformers",
        "QMoE: Practical Sub-1-Bit Compression of Trillion-Parameter Models",
        "EvoPress: Towards Optimal Dynamic Model Compression",
        "Revisiting SMoE Language Models by Evaluating Inefficiencies with Task Specific Expert",
        "PromptKD: Unsupervised Prompt Distillation",  # into a lightweight student
    ],
)
def test_model_compression_titles(real_papers, title_start):
    assert _kind_of(real_papers, title_start) == "model"


@pytest.mark.parametrize(
    "title_start",
    [
        "HNeRV: A Hybrid Neural Representation for Videos",
        "NERV++: An Enhanced Implicit Neural Video Representation",
        "MLICv2: Enhanced Multi-Reference Entropy Modeling for Learned Image Compression",
        "SwinJSCC: Taming Swin Transformer for Deep Joint Source-Channel Coding",
        "Semantics-Guided Diffusion for Deep Joint Source-Channel Coding",  # "none" before
        # audio codecs, whose vector quantization is no model compression ("both" before)
        "WavTokenizer: an Efficient Acoustic Discrete Codec Tokenizer",
        "XY-Tokenizer: Mitigating the Semantic-Acoustic Conflict in Low-Bitrate Speech Codecs",
        "Language-Codec: Reducing the Gaps",
        "Neural Video Compression with Feature Modulation",
        "NIRVANA: Neural Implicit Representations of Videos",
        "Lossless Compression with Probabilistic Circuits",
        "Training LLMs over Neurally Compressed Text",  # "none" before
    ],
)
def test_data_compression_titles(real_papers, title_start):
    assert _kind_of(real_papers, title_start) == "data"


@pytest.mark.parametrize(
    "title_start",
    [
        # brain signals' "neural representation" is no codec ("data" before)
        "See Through Their Minds: Learning Transferable Neural Representation from Cross-Subject",
        "Du-IN: Discrete units-guided mask modeling for decoding speech from Intracranial",
        # dropping, pruning or compressing input tokens is neither ("data" / "model" before)
        "Multi-Stage Vision Token Dropping",
        "QuoTA: Query-oriented Token Assignment",
        "Slow-Fast Architecture for Video Multi-Modal Large Language Models",
        "CrossLMM: Decoupling Long Video Sequences",
        # a codec used as a tokenizer's input, a texture codebook ("data" before)
        "MobileSpeech: A Fast and High-Fidelity Framework",
        "Text2Human: Text-Driven Controllable Human Image Generation",
        # vector quantization, LoRA, self-distillation, fewer parameters ("model" before)
        "SpeechT5: Unified-Modal Encoder-Decoder Pre-Training",
        "Disentanglement via Latent Quantization",
        "Computational Limits of Low-Rank Adaptation",
        "Trans-Encoder: Unsupervised sentence-pair modelling through self- and mutual",
        "MetaFormer Is Actually What You Need for Vision",
        "Transformers to SSMs: Distilling Quadratic Knowledge",
        # compression as a theory of representations, context compression, lossless decoding
        "White-Box Transformers via Sparse Rate Reduction",
        "Two are better than one: Context window extension",
        "Kangaroo: Lossless Self-Speculative Decoding",
        "dKV-Cache: The Cache for Diffusion Language Models",
    ],
)
def test_neither_compression_titles(real_papers, title_start):
    assert _kind_of(real_papers, title_start) == "none"


def test_dump_theme_mix_and_lift():
    papers = pd.DataFrame({"paper_id": list("abcd"), "theme_name": ["X", "X", "Y", "Y"]})
    occ = pd.DataFrame(
        {
            "paper_id": list("abcdab"),
            "dump": ["d1", "d1", "d1", "d2", "d2", "d2"],
        }
    )
    mix = explore.dump_theme_mix(papers, occ)
    assert mix.loc["d1", "X"] == 2 and mix.loc["d2", "X"] == 2 and mix.loc["d2", "Y"] == 1
    lift = explore.dump_theme_lift(papers, occ, min_count=1).set_index(["dump", "theme_name"])
    # X is 4/6 of all entries; in d2 it is 2/3 -> lift 1.0; Y in d1 is 1/3 vs 2/6 -> 1.0
    assert lift.loc[("d2", "X"), "lift"] == pytest.approx(1.0)
    assert lift.loc[("d1", "Y"), "lift"] == pytest.approx(1.0)
    assert explore.dump_theme_lift(papers, occ, min_count=3).empty


def test_theme_similarity_is_cosine():
    c = np.array([[1.0, 0.0], [1.0, 1.0]])
    s = explore.theme_similarity(c, ["a", "b"])
    assert s.loc["a", "a"] == pytest.approx(1.0)
    assert s.loc["a", "b"] == pytest.approx(1 / np.sqrt(2))


def test_dump_labels_and_overlap_matrix():
    assert explore.dump_label("000_trending_jul", "Jul 11") == "000 · Jul 11"
    assert explore.dump_label("003_daily") == "003"
    occ = pd.DataFrame(
        {
            "paper_id": ["a", "b", "a", "c", "a"],
            "dump": ["000_x", "000_x", "001_y", "001_y", "001_y"],  # a is listed twice in 001
            "page_date": ["Jul 11", "Jul 11", "Oct 2", "Oct 2", "Oct 2"],
        }
    )
    m = explore.dump_overlap_matrix(occ)
    assert list(m.index) == list(m.columns) == ["000 · Jul 11", "001 · Oct 2"]
    assert m.to_numpy().tolist() == [[2, 1], [1, 2]]  # papers per dump, and the one shared


def _outlier_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "paper_id": [f"p{i}" for i in range(n)],
            "title": [f"Title {i}" for i in range(n)],
            "abstract": ["brain fmri decoding"] * 3 + ["other words here"] * (n - 3),
            "theme_id": [-1] * n,
        }
    )


def test_outlier_topics_need_every_pair_close():
    # three mutually close outliers; a chain 3-4-5 whose ends are not close; one loner
    V = np.array(
        [
            [1, 0, 0],
            [0.95, 0.3, 0],
            [0.95, 0, 0.3],
            [0, 1, 0],
            [0, 0.8, 0.6],
            [0, 0.2, 0.98],
            [-1, 0, 0],
        ],
        np.float64,
    )
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    got = explore.outlier_topics(_outlier_frame(7), V, min_size=3, min_similarity=0.7)
    assert got["paper_ids"].tolist() == [["p0", "p1", "p2"]]
    assert "brain" in got.loc[0, "keywords"]
    # members of a theme are never part of a mini-topic
    papers = _outlier_frame(7).assign(theme_id=[0, -1, -1, -1, -1, -1, -1])
    assert explore.outlier_topics(papers, V, 3, 0.7).empty


@pytest.mark.slow
def test_brain_decoding_papers_form_an_outlier_topic(run_a, corpus_vectors):
    from analysis.artifacts import load_artifacts

    papers, _ = load_artifacts(run_a)
    topics = explore.outlier_topics(papers, corpus_vectors)
    brain = [t for t in topics["titles"] if any("Brain Decoding" in x for x in t)]
    assert brain and len(brain[0]) >= 3, topics["titles"].tolist()
