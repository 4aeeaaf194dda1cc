"""Notebook 04's sentences: how the corpus names the three Transformer layouts (with a test
before any "more"), and how its compression work splits between models and data."""

from __future__ import annotations

import pandas as pd

from .wording import at_most, counted, joined

__all__ = [
    "compression_counts_text",
    "compression_where_text",
    "findings",
    "layouts_text",
    "layouts_where_text",
]

_LAYOUTS_MEAN = (
    "an encoder reads the whole input, a decoder writes the output token by token; "
    "decoder-only models drop the encoder"
)


def _versus(do_only: int, ed_only: int, how_counted: str) -> str:
    """Papers that mention decoder-only and not encoder-decoder against the reverse, worded by
    a sign test on those papers alone (a paper mentioning both counts for neither side; a
    corpus found by searching for "decoder" has no reason to be balanced, so only a clear gap
    is called one)."""
    from .wording import more_than

    how, p = more_than(do_only, ed_only)
    pair = f"{do_only} against {ed_only} papers that {how_counted} only one of the two"
    if how == "about as many":
        return f"about as many ({pair}: within chance, sign test p = {p:.2f})"
    return (
        f"{how} decoder-only ({pair}: sign test p ≤ {at_most(p)}; these listings, found by "
        "keyword searches, not the field)"
    )


def _sides(a: pd.Series, b: pd.Series) -> tuple[int, int]:
    """Papers with `a` and not `b`, and with `b` and not `a`."""
    return int((a & ~b).sum()), int((b & ~a).sum())


def findings(papers: pd.DataFrame, arch: pd.DataFrame, comp: pd.DataFrame, tables) -> list[str]:
    """What notebook 04 found (`tables`: `analysis.analyses.explore.LayoutTables`)."""
    layouts = ["encoder-decoder", "decoder-only", "encoder-only"]
    counts = arch[layouts].sum()
    kinds, by_kind = tables.kinds, tables.by_kind
    n_do, n_ed = int(counts["decoder-only"]), int(counts["encoder-decoder"])
    named_do = arch["explicit"].map(lambda names: "decoder-only" in names)
    named_ed = arch["explicit"].map(lambda names: "encoder-decoder" in names)
    by_model_do = int((arch["decoder-only"] & ~named_do).sum())
    by_model_ed = int((arch["encoder-decoder"] & ~named_ed).sum())

    def lead(kind: str) -> str:
        col = by_kind.get(kind, 0) + by_kind.get("both", 0)
        if not isinstance(col, pd.Series) or col.sum() == 0:
            return "in no theme: no paper does it"
        top, n, total = col.idxmax(), int(col.max()), int(col.sum())
        where = "concentrated in" if n / total >= 0.5 else "led by"
        return f"{where} **{top}** ({n} of {total})"

    misleading = int((tables.worded & (comp["kind"] == "none")).sum())
    both = int(kinds["both"])
    both_text = "none does both" if both == 0 else f"{counted(both, 'paper')} do both"
    return [
        f"Of the {len(papers)} papers, {n_do} mention decoder-only models and {n_ed} "
        f"encoder-decoder ones ({_LAYOUTS_MEAN}; a mention is the layout's name or a model "
        "of it, such as GPT or LLaMA, T5 or BART): "
        f"{_versus(*_sides(arch['decoder-only'], arch['encoder-decoder']), 'mention')}. "
        f"The two counts are not alike: {by_model_do} of the decoder-only mentions come "
        f"from a model's name or a phrase alone, {by_model_ed} of the encoder-decoder ones. "
        f"By the layouts' own names alone, {int(named_do.sum())} papers say "
        f"decoder-only and {int(named_ed.sum())} encoder-decoder: "
        f"{_versus(*_sides(named_do, named_ed), 'name')}. "
        f"{int(counts['encoder-only'])} mention encoder-only models, and "
        f"{counted(len(tables.versus), 'paper')} "
        f"{'names' if len(tables.versus) == 1 else 'name'} two or more layouts outright; every "
        "mention is listed below with the sentence that makes it.",
        f"**{counted(int(kinds['model']), 'paper')}** compress models (make a trained model "
        "smaller: quantization to fewer bits, pruning, distillation into a smaller model, or "
        "compressing the KV cache, the attention keys and values a model keeps while "
        f"generating) and **{kinds['data']}** compress data (codecs and compressed "
        f"representations of images, video, audio or text, judged by bitrate); {both_text}.",
        f"Data compression is {lead('data')}; model compression is {lead('model')}.",
        f"{counted(misleading, 'paper')} use a word of compression (quantized, codec, pruning, "
        "neural representation) but compress neither, and count as neither; the tables below "
        "list them.",
    ]


def layouts_text(arch: pd.DataFrame) -> str:
    counts = arch[["encoder-decoder", "decoder-only", "encoder-only"]].sum()
    both = int((arch["encoder-decoder"] & arch["decoder-only"]).sum())
    return (
        "Papers whose title or abstract mentions each layout (names like T5 or BART count as "
        "encoder-decoder, GPT or LLaMA as decoder-only, BERT or ViT as encoder-only): "
        + ", ".join(f"**{k}** {v}" for k, v in counts.items())
        + f". {counted(both, 'paper')} mention both encoder-decoder and decoder-only designs "
        "this way (by name or model; fewer name two layouts outright)."
    )


def layouts_where_text(by_theme: pd.DataFrame, min_papers: int = 10) -> str:
    """Which themes mention each layout most (themes of at least `min_papers`)."""
    themed = by_theme.drop(index="Unassigned (outlier)", errors="ignore")
    themed = themed[themed["papers"] >= min_papers]

    def top(layout: str, n: int) -> str:
        rows = themed.sort_values(f"{layout} %", ascending=False, kind="stable").head(n)
        return joined(
            [
                f"{t} ({int(r[layout])} of {int(r['papers'])})"
                for t, r in rows.iterrows()
                if r[layout] > 0
            ]
        )

    return (
        "The encoder-decoder layout runs through the themes rather than making one: the themes "
        f"whose papers mention it most are {top('encoder-decoder', 4)}. Decoder-only models "
        f"are mentioned most in {top('decoder-only', 3)}."
    )


def compression_counts_text(kinds: pd.Series) -> str:
    both = int(kinds["both"])
    both_text = "none does both" if both == 0 else f"{counted(both, 'paper')} do both"
    return (
        f"**{kinds['model']}** papers compress models, **{kinds['data']}** compress data, "
        f"{both_text}, and {kinds['none']} neither."
    )


def compression_where_text(table: pd.DataFrame, names: pd.Series) -> str:
    """Where the compression papers sit, by theme, next to which theme names say
    compression (so that this and notebook 02's "named for compression" agree)."""
    named = [n for n in names if "compression" in n.lower()]
    parts = []
    for kind in ("model", "data"):
        if kind not in table or table[kind].sum() == 0:
            continue
        col = table[kind][table[kind] > 0].sort_values(ascending=False, kind="stable")
        parts.append(
            f"{kind} compression papers sit in {counted(len(col), 'theme')}, most in "
            f"**{col.index[0]}** ({col.iloc[0]} of {col.sum()})"
        )
    return (
        f"{counted(len(named), 'theme')} {'is' if len(named) == 1 else 'are'} named for "
        f"compression ({joined(named)}); the papers themselves spread wider: "
        + "; ".join(parts)
        + "."
    )
