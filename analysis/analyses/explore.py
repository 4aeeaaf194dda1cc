"""Tables behind the notebooks' questions: architectures, compression, dumps, outliers.

Each function takes the papers table (and where needed the occurrences) and returns a tidy
DataFrame; `analysis.narrative` words them and the notebooks show them. No sentences here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..text import paper_texts

__all__ = [
    "ARCHITECTURES",
    "COMPRESSION_WORDS",
    "LayoutTables",
    "architecture_by",
    "architecture_mentions",
    "compression_kind",
    "compression_sentences",
    "dump_label",
    "dump_overlap_matrix",
    "dump_theme_lift",
    "dump_theme_mix",
    "layout_sentences",
    "layout_tables",
    "outlier_topics",
    "theme_similarity",
]

#: How abstracts name the three Transformer layouts.
ARCHITECTURES: dict[str, str] = {
    "encoder-decoder": r"encoder[- ]decoder|seq2seq|sequence[- ]to[- ]sequence|"
    r"(?-i:\bT5\b|\bBART\b)|cross[- ]decoder",
    "decoder-only": r"decoder[- ]only|\bGPT|\bLLaMA|\bLlama|\bMistral|\bVicuna|"
    r"causal language model|autoregressive (?:language )?models?",
    "encoder-only": r"encoder[- ]only|\bBERT|\bRoBERTa|masked language model|\bViT\b",
}


def architecture_mentions(papers: pd.DataFrame) -> pd.DataFrame:
    """Per paper, which layouts its title + abstract mention (booleans), and `explicit`: the
    layouts named outright ("encoder-decoder", "decoder-only", "encoder-only")."""
    text = pd.Series(paper_texts(papers), index=papers.index)
    out = pd.DataFrame({"paper_id": papers["paper_id"], "title": papers["title"]})
    for name, pat in ARCHITECTURES.items():
        out[name] = text.str.contains(pat, regex=True, flags=re.IGNORECASE)
    explicit = {
        "encoder-decoder": r"encoder[- ]decoder",
        "decoder-only": r"decoder[- ]only",
        "encoder-only": r"encoder[- ]only",
    }
    out["explicit"] = [
        [k for k, p in explicit.items() if re.search(p, t, re.IGNORECASE)] for t in text
    ]
    out["n_layouts"] = out[list(ARCHITECTURES)].sum(axis=1)
    return out


def architecture_by(papers: pd.DataFrame, by: str) -> pd.DataFrame:
    """Papers mentioning each layout, per value of `by` (e.g. theme_name): `papers` in all,
    the count for each layout, and its share (%, one decimal) in `<layout> %`."""
    m = architecture_mentions(papers)
    m[by] = papers[by].to_numpy()
    g = m.groupby(by)[list(ARCHITECTURES)]
    out = g.sum().astype("int64")
    out.insert(0, "papers", g.size())
    for a in ARCHITECTURES:
        out[f"{a} %"] = (100 * out[a] / out["papers"]).round(1)
    return out.sort_values(["papers"], ascending=False, kind="stable")


def _first_sentence(text: str, pattern: str) -> str:
    """The first sentence of `text` that `pattern` matches (case-insensitive), verbatim."""
    from ..text import sentences

    rx = re.compile(pattern, re.IGNORECASE)
    return next((s for s in sentences(text) if rx.search(s)), "")


def layout_sentences(papers: pd.DataFrame) -> pd.DataFrame:
    """Every paper that mentions a layout, with the layouts and the sentence (title or
    abstract, verbatim) that first mentions each: paper_id, title, theme_name, layout,
    sentence; one row per paper and layout."""
    text = paper_texts(papers)
    rows = []
    for i, t in enumerate(text):
        for name, pat in ARCHITECTURES.items():
            said = _first_sentence(t, pat)
            if said:
                rows.append(
                    {
                        "paper_id": papers["paper_id"].iloc[i],
                        "title": papers["title"].iloc[i],
                        "theme_name": papers["theme_name"].iloc[i],
                        "layout": name,
                        "sentence": said,
                    }
                )
    return pd.DataFrame(rows, columns=["paper_id", "title", "theme_name", "layout", "sentence"])


# Compression of a *model*: its weights made fewer or narrower (quantization of weights or
# activations, pruning, knowledge distillation into a smaller student, "model compression"), or
# its KV cache (the keys and values kept while generating) compressed, quantized, evicted or
# sparsified. Not: vector quantization inside a tokenizer or codec, low-rank *adaptation*
# (LoRA fine-tuning), self-distillation as a training signal, pruning of input tokens.
_MODEL_COMPRESSION = (
    r"(?:model|network|weight|llm|language model|kv[- ]cache) compression|"
    r"compress(?:es|ed|ing)?(?: the)? (?:models?|llms?|networks?|weights|kv)|"
    r"compression of (?:the )?(?:models?|llms?|networks?|weights|kv)|"
    r"kv[- ]cache (?:quantiz|evict|sparsif|merg)|kv sparsif|"
    r"(?:post-training|weight|activation|low-bit\w*|\d-bit|model|floating-point|integer) quantiz|"
    r"quantiz(?:e|es|ed|ing) (?:both )?(?:the )?(?:weights|activations|models?|llms?|"
    r"large language models)|"
    r"quantized (?:llms?|models?|transformers|large language models)|"
    r"(?:weight|structured|unstructured|model|network|expert|layer|channel|head|block) pruning|"
    r"prun(?:e|es|ed|ing) (?:the )?(?:weights|models?|llms?|heads|experts|layers|channels)|"
    r"distil[^.]{0,80}\b(?:into|to) (?:a |an )?(?:\w+[- ])?(?:smaller|compact|lightweight|tiny)\b|"
    r"distil[^.]*\bstudent\b|\bstudent\b[^.]*distil"
)
# Compression of *data*: codecs and compressed representations of images, video, audio,
# speech, point clouds or text (learned or classical, lossless or lossy), judged by bitrate
# and rate-distortion; implicit neural representations, which store a video or image as a
# network. Not: "neural representation" of brain signals, compressing visual tokens or a
# context before an LLM reads them, a codec used only as a tokenizer's input format.
_DATA_COMPRESSION = (
    r"\b(?:image|video|audio|speech|point[- ]cloud|text|feature|neural|learned|lossless|lossy|"
    r"generative|variational) (?:(?!network|model|token|kv|weight)\w+ )?(?:compression|coding)\b|"
    r"bit-?rates?|\bbpp\b|rate[- ]distortion|entropy (?:coding|model)|source[- ]channel coding|"
    r"neurally compressed|neural (?:text )?compressors?|"
    r"(?:implicit neural|neural implicit) representations?|\bnerv\b"
)
# A codec named in the title makes a codec paper ("Speech Codecs", "Codec Tokenizer").
_DATA_TITLE = r"\bcodecs?\b|\bcoding\b"


def compression_kind(papers: pd.DataFrame) -> pd.DataFrame:
    """Per paper: does it compress models (quantization, pruning, distillation into a smaller
    model, KV cache compression) or data (codecs, learned compression, rate-distortion,
    implicit neural representations), both, or neither (`_MODEL_COMPRESSION`,
    `_DATA_COMPRESSION`). Each rule names what is compressed, so that a word like "quantized",
    "compression ratio" or "neural representation" alone decides nothing."""
    text = pd.Series(paper_texts(papers), index=papers.index).str.lower()
    title = papers["title"].str.lower()
    model = text.str.contains(_MODEL_COMPRESSION, regex=True)
    data = text.str.contains(_DATA_COMPRESSION, regex=True) | title.str.contains(
        _DATA_TITLE, regex=True
    )
    kind = np.select([model & data, model, data], ["both", "model", "data"], "none")
    out = papers[["paper_id", "title", "theme_name"]].copy()
    out["model_compression"] = model.to_numpy()
    out["data_compression"] = data.to_numpy()
    out["kind"] = kind
    return out


def compression_sentences(papers: pd.DataFrame, comp: pd.DataFrame) -> pd.DataFrame:
    """Every paper that compresses models or data (`compression_kind`), with the sentence
    that puts it there (verbatim; for a codec named only in the title, the title)."""
    text = paper_texts(papers)
    rules = {"model": _MODEL_COMPRESSION, "data": _DATA_COMPRESSION}
    rows = []
    for i, kind in enumerate(comp["kind"]):
        if kind == "none":
            continue
        kinds = ["model", "data"] if kind == "both" else [kind]
        said = [_first_sentence(text[i], rules[k]) for k in kinds]
        said = [s for s in said if s] or [papers["title"].iloc[i]]
        rows.append(
            {
                "paper_id": papers["paper_id"].iloc[i],
                "title": papers["title"].iloc[i],
                "theme_name": papers["theme_name"].iloc[i],
                "kind": kind,
                "sentence": " / ".join(dict.fromkeys(said)),
            }
        )
    return pd.DataFrame(rows, columns=["paper_id", "title", "theme_name", "kind", "sentence"])


#: Words of compression in a text, whether or not the paper compresses anything.
COMPRESSION_WORDS = (
    r"compress|quantiz|codec|prun(?:e|ed|ing)|distill|low-rank|neural representation|bit-?rate"
)


@dataclass
class LayoutTables:
    """What notebook 04's findings and tables share: papers that name two or more layouts,
    papers per compression kind (overall and by theme), and whose text uses a word of
    compression."""

    versus: pd.DataFrame
    kinds: pd.Series
    by_kind: pd.DataFrame
    worded: pd.Series


def layout_tables(papers: pd.DataFrame, arch: pd.DataFrame, comp: pd.DataFrame) -> LayoutTables:
    """`LayoutTables` from `architecture_mentions` and `compression_kind`."""
    return LayoutTables(
        versus=arch[arch["explicit"].map(len) >= 2],
        kinds=comp["kind"].value_counts().reindex(["model", "data", "both", "none"], fill_value=0),
        by_kind=pd.crosstab(comp["theme_name"], comp["kind"]),
        worded=pd.Series(paper_texts(papers), index=papers.index).str.contains(
            COMPRESSION_WORDS, flags=re.IGNORECASE, regex=True
        ),
    )


def dump_theme_mix(
    papers: pd.DataFrame, occurrences: pd.DataFrame, level: str = "theme_name"
) -> pd.DataFrame:
    """Dump x theme counts of entries (a paper counts once in every dump it appears in)."""
    occ = occurrences.merge(papers[["paper_id", level]], on="paper_id", how="left")
    return pd.crosstab(occ["dump"], occ[level])


def dump_theme_lift(
    papers: pd.DataFrame, occurrences: pd.DataFrame, level: str = "theme_name", min_count: int = 3
) -> pd.DataFrame:
    """How much each dump over-represents each theme against the pooled corpus.

    lift = (theme's share of the dump) / (theme's share of all entries); 2.0 = twice as common.
    Rows with fewer than `min_count` entries of the theme in the dump are left out: a lift of
    one or two papers says nothing.
    """
    mix = dump_theme_mix(papers, occurrences, level)
    share = mix.div(mix.sum(axis=1), axis=0)
    pooled = mix.sum(axis=0) / mix.to_numpy().sum()
    lift = share.div(pooled, axis=1)
    long = (
        lift.stack()
        .rename("lift")
        .to_frame()
        .join(mix.stack().rename("entries"))
        .join(share.stack().rename("share"))
        .reset_index()
    )
    long = long[long["entries"] >= min_count]
    return long.sort_values(["dump", "lift"], ascending=[True, False]).reset_index(drop=True)


def theme_similarity(centroids: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Cosine similarity between theme centroids, labelled by theme name."""
    c = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
    return pd.DataFrame(c @ c.T, index=names, columns=names)


def dump_label(dump: str, page_date: str | None = None) -> str:
    """Short dump label: the file's numeric prefix and its page date ("000 · Jul 11")."""
    head = dump.split("_", 1)[0]
    return f"{head} · {page_date}" if page_date else head


def dump_overlap_matrix(occurrences: pd.DataFrame) -> pd.DataFrame:
    """Dump x dump counts of shared papers (diagonal: papers in the dump)."""
    dates = occurrences.groupby("dump")["page_date"].first()
    onehot = pd.crosstab(occurrences["paper_id"], occurrences["dump"]).clip(upper=1)
    m = onehot.T @ onehot
    labels = [dump_label(d, dates[d]) for d in m.index]
    m.index, m.columns = labels, labels
    m.index.name, m.columns.name = "dump", "dump"
    return m


def outlier_topics(
    papers: pd.DataFrame, vectors: np.ndarray, min_size: int = 3, min_similarity: float = 0.5
) -> pd.DataFrame:
    """Coherent mini-topics among the outliers: groups of `min_size` or more outliers of which
    every pair has cosine >= `min_similarity` (complete linkage, so no chaining), largest first.

    Too small to be a theme (a theme needs `min_cluster_size` papers), yet a topic: the reader
    should see them. Columns: topic, size, keywords (c-TF-IDF against the other outliers),
    titles, paper_ids.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    from ..modeling.keywords import c_tf_idf_keywords

    cols = ["topic", "size", "keywords", "titles", "paper_ids"]
    out_idx = np.flatnonzero(papers["theme_id"].to_numpy() < 0)
    if len(out_idx) < max(min_size, 2):
        return pd.DataFrame(columns=cols)
    V = np.asarray(vectors, dtype=np.float64)[out_idx]
    groups = fcluster(linkage(pdist(V, "cosine"), "complete"), 1 - min_similarity, "distance")
    ids, counts = np.unique(groups, return_counts=True)
    keep = sorted(ids[counts >= min_size], key=lambda g: (-int((groups == g).sum()), int(g)))
    if not keep:
        return pd.DataFrame(columns=cols)
    texts = paper_texts(papers.iloc[out_idx])
    docs = [" ".join(t for t, g in zip(texts, groups, strict=True) if g == k) for k in keep]
    rest = " ".join(t for t, g in zip(texts, groups, strict=True) if g not in set(keep))
    keywords, _ = c_tf_idf_keywords([*docs, rest] if rest else docs, 5)
    rows = []
    for i, k in enumerate(keep):
        members = out_idx[groups == k]
        rows.append(
            {
                "topic": i,
                "size": len(members),
                "keywords": keywords[i],
                "titles": papers["title"].iloc[members].tolist(),
                "paper_ids": papers["paper_id"].iloc[members].tolist(),
            }
        )
    return pd.DataFrame(rows, columns=cols)
