"""Notebook 03's sentences, and the README's speed-up bullet: the headline per paper against plain
decoding, the families compared, the parallel family split by what it decodes, the claims shown
apart, how claims are read, the figure's caption and the caveats. Every number is computed from
the claims of `analysis.analyses.speedups` and their summaries
(`analysis.analyses.speedup_summaries`); comparisons are worded from the numbers."""

from __future__ import annotations

import re

import pandas as pd

from ..analyses import speedup_summaries as summaries
from ..analyses import speedups as tables
from .wording import at_most, counted, joined

__all__ = [
    "CLEAR_RATIO",
    "FAMILY_MEANING",
    "KIND_MEANING",
    "MIN_PAPERS",
    "caption",
    "caveats",
    "compared",
    "factor_text",
    "findings",
    "phrasing_table",
    "reading",
    "short_title",
]

#: The families in plain words, for the text that first names them.
FAMILY_MEANING: dict[str, str] = {
    "speculative / draft models": "a cheap draft guesses several tokens and the model checks "
    "them in one pass",
    "parallel / multi-token decoding": "several tokens per step, without a separate draft",
    "early exit / layer skipping": "stopping early, after fewer layers or refinement steps",
    "caching": "keeping the attention keys and values of earlier tokens, or reading fewer of them",
    "serving": "the system that runs the model: inference engines, kernels, batching",
    tables.OTHER: "architectures, compression, and models for other tasks and data",
}

#: What each kind of output is, for the text that first names it.
KIND_MEANING: dict[str, str] = {
    tables.AUTOREGRESSIVE_TEXT: "LLMs and seq2seq models, one token after another",
    "diffusion language models": "text unmasked over refinement steps",
    "speech and text recognition": "CTC speech recognition and scene-text OCR",
    "autoregressive images": "visual autoregressive image and video generation",
}

#: A family with fewer papers than this is named, but not called higher or lower than another.
MIN_PAPERS = 3

#: How far apart two medians must be (as a ratio) to be called higher or lower; closer ones are
#: "about as high". Self-reported factors on different set-ups differ by this much for little.
CLEAR_RATIO = 1.25


def factor_text(x: float) -> str:
    """A factor as the text shows it, to one decimal and no trailing zero: "2.4x", "828x"."""
    return f"{round(float(x), 1):g}x"


def short_title(title: str) -> str:
    """A paper's name as a sentence can carry it: before the colon, without a bracketed acronym."""
    return re.sub(r"\s*\([^)]*\)", "", title.split(":", 1)[0]).strip()


def compared(a: float, b: float) -> str:
    """How median `a` stands to median `b`: "higher" or "lower" only past `CLEAR_RATIO`."""
    ratio = a / b
    return (
        "higher"
        if ratio >= CLEAR_RATIO
        else "lower"
        if ratio <= 1 / CLEAR_RATIO
        else ("about as high")
    )


def _headline(claims: pd.DataFrame) -> str:
    """The headline: per paper, against plain decoding, with what it leaves out."""
    h = summaries.headline_summary(claims)
    if not h["papers"]:
        return (
            "No decoding or serving paper on autoregressive text states a speed-up against plain "
            "decoding, so there is no headline median."
        )
    n_text = h["claims"] + h["operation"] + h["fast"] + h["other_model"] + h["unstated"]

    def _named(kind: str) -> str:
        return f" ({_baselines_named(claims, kind)})"

    out = (
        f"Against plain decoding, **{counted(h['papers'], 'paper')}** on autoregressive text in "
        f"the decoding and serving families claim a median of **{factor_text(h['median'])}** "
        f"(one value per paper, the median of its claims; {counted(h['claims'], 'claim')}, "
        f"{factor_text(h['min'])} to {factor_text(h['max'])}). Of those families' "
        f"{counted(n_text, 'claim')} on autoregressive text, the rest are left out: "
        f"{h['fast']} against another accelerated method or stacked on one"
        f"{_named(tables.FAST) if h['fast'] else ''}, {h['other_model']} against "
        "another model or architecture"
        f"{_named(tables.OTHER_MODEL) if h['other_model'] else ''}, "
        f"{h['unstated']} "
        f"naming no baseline and {h['operation']} for one operation only (attention alone, a "
        f"kernel), so {h['papers_out']} of the {h['papers'] + h['papers_out']} papers on "
        f"autoregressive text in those families {'does' if h['papers_out'] == 1 else 'do'} not "
        "count."
    )
    if h["other_output_claims"]:
        kinds = [k for k, _ in tables.DECODES if (claims["decodes"] == k).any()]
        out += (
            f" The {counted(h['other_output_claims'], 'claim')} from "
            f"{counted(h['other_output_papers'], 'paper')} of those families that decode "
            f"something else ({joined(kinds)}) are kept apart, by kind."
        )
    return out


def _baselines_named(claims: pd.DataFrame, kind: str) -> str:
    """What the claims left out as `kind` (another accelerated method, or another model) name:
    their baselines, and a speed-up on top of one when some name none."""
    fast = claims[claims["left_out"] == kind]
    names = list(dict.fromkeys(fast["baseline"].dropna()))
    if fast["baseline"].isna().any():
        names.append("a speed-up on top of one")
    return joined(names)


def _text_rows(claims: pd.DataFrame) -> pd.DataFrame:
    """The family summary's rows on autoregressive text, indexed by family."""
    s = summaries.family_summary(claims)
    if s.empty:
        return s
    rows = s.xs(tables.AUTOREGRESSIVE_TEXT, level="decodes", drop_level=True)
    return rows.loc[[f for f in tables.HEADLINE_FAMILIES if f in rows.index]]


def _families(claims: pd.DataFrame) -> str | None:
    """The largest family against the one with the highest median, over per-paper values."""
    fams = _text_rows(claims)
    if fams.empty:
        return None
    big = fams.sort_values(["papers", "claims"], ascending=False, kind="stable").index[0]
    b = fams.loc[big]
    text = (
        "Over every paper's own value on autoregressive text (against plain decoding where it "
        "says so, else its claims that name no baseline), the largest family, "
        f"**{big}** ({FAMILY_MEANING[big]}), has a median of **{factor_text(b['median'])}** "
        f"over {counted(int(b['papers']), 'paper')} ({factor_text(b['min'])} to "
        f"{factor_text(b['max'])})"
    )
    rest = fams.drop(index=big)
    if len(rest):
        top = rest["median"].idxmax()
        t = rest.loc[top]
        n = int(t["papers"])
        spread = f"{factor_text(t['min'])} to {factor_text(t['max'])}"
        if n < MIN_PAPERS:
            text += (
                f"; the highest median of the rest, **{top}** ({FAMILY_MEANING[top]}), "
                f"{factor_text(t['median'])}, rests on only {counted(n, 'paper')}"
                f"{f' ({spread})' if n > 1 else ''}, too few to call it higher or lower"
            )
        else:
            text += (
                f"; **{top}** ({FAMILY_MEANING[top]}) runs {compared(t['median'], b['median'])}, "
                f"a median of {factor_text(t['median'])} over {counted(n, 'paper')} ({spread})"
            )
    return text + "."


def _parallel(claims: pd.DataFrame) -> str | None:
    """The parallel family by what it decodes, each kind on its own."""
    fam = "parallel / multi-token decoding"
    s = summaries.family_summary(claims)
    if s.empty or fam not in s.index.get_level_values("family"):
        return None
    rows = s.loc[fam]
    parts = [
        f"{kind} ({KIND_MEANING[kind]}) {factor_text(r['median'])} "
        f"({counted(int(r['papers']), 'paper')})"
        for kind, r in rows.iterrows()
    ]
    return (
        f"The **{fam}** family ({FAMILY_MEANING[fam]}) is reported by what it decodes, never "
        "pooled, as a step of a diffusion LM or a CTC frame is not an LLM's token: "
        + "; ".join(parts)
        + "."
    )


def _other(claims: pd.DataFrame) -> str | None:
    """The claims of methods outside the families, named and shown apart."""
    other = claims[claims["family"] == tables.OTHER]
    if other.empty:
        return None
    top = other.sort_values("factor", ascending=False, kind="stable").drop_duplicates("paper_id")
    named = [
        f"{factor_text(f)} for {short_title(t)}"
        for t, f in zip(top["title"][:3], top["factor"][:3], strict=True)
    ]
    p = summaries.paper_speedups(claims).dropna(subset=["factor"])
    text_fam = p[
        p["family"].isin(tables.HEADLINE_FAMILIES) & (p["decodes"] == tables.AUTOREGRESSIVE_TEXT)
    ]
    with_other = pd.concat([text_fam, p[p["family"] == tables.OTHER]])
    one = len(other) == 1
    out = (
        f"{counted(len(other), 'other claim')} from "
        f"{counted(other['paper_id'].nunique(), 'paper')} {'comes' if one else 'come'} from "
        f"methods outside these families ({FAMILY_MEANING[tables.OTHER]}), "
        f"{'namely' if len(named) == 1 else 'among them'} {joined(named)}; "
        f"{'it is' if one else 'they are'} shown apart"
    )
    if len(text_fam) and len(with_other) > len(text_fam):
        a, b = text_fam["factor"].median(), with_other["factor"].median()
        move = "raise" if b > a else "lower" if b < a else "leave"
        out += (
            f", as counting {'its paper' if one else 'their papers'} with the decoding and "
            f"serving papers on autoregressive text (one value each) would {move} the median "
            f"from {factor_text(a)} to {factor_text(b)} while measuring nothing in common"
        )
    return out + "."


def _baselines(claims: pd.DataFrame) -> str:
    """How many claims name a baseline, of which kind, and how many are best cases."""
    n = len(claims)
    named = claims["baseline_kind"] != tables.UNSTATED
    kinds = claims.loc[named, "baseline_kind"].value_counts()
    up = int(claims["up_to"].sum())
    head = int(claims["headline"].sum())
    up_head = int(claims.loc[claims["headline"], "up_to"].sum())
    return (
        f"Only {int(named.sum())} of the {counted(n, 'claim')} say what they were measured "
        f"against ({int(kinds.get(tables.PLAIN, 0))} plain decoding, "
        f"{int(kinds.get(tables.FAST, 0))} another "
        f"accelerated method, {int(kinds.get(tables.OTHER_MODEL, 0))} another model), which is "
        f"why the headline is small; {up} "
        f'{"is" if up == 1 else "are"} stated as "up to", a best case ({up_head} of the '
        f"{head} in the headline)."
    )


def findings(claims: pd.DataFrame) -> list[str]:
    """Notebook 03's "What we found", worded from `extract_speedups` output: the headline per
    paper against plain decoding, the largest family against the one with the highest median,
    the parallel family by what it decodes, the other claims shown apart, and how many claims
    name a baseline or a best case. Each family is said in plain words where first named."""
    parts = [_headline(claims), _families(claims), _parallel(claims), _other(claims)]
    return [p for p in parts if p] + [_baselines(claims)]


def _excerpt(sentence: str, factor: float, width: int = 60) -> str:
    """The words around `factor` in `sentence`, with an ellipsis where they were cut."""
    num = f"{factor:g}"
    at = sentence.find(num)
    a, b = max(0, at - width), min(len(sentence), at + len(num) + width)
    a = sentence.rfind(" ", 0, a) + 1 if a else 0
    b = sentence.find(" ", b) if b < len(sentence) and sentence.find(" ", b) > 0 else len(sentence)
    return ("..." if a else "") + sentence[a:b].strip() + ("..." if b < len(sentence) else "")


def phrasing_table(claims: pd.DataFrame) -> str:
    """The phrasings as a Markdown table: name, a real example, and how many claims each found."""
    counts = claims["phrasing"].value_counts()
    rows = [
        f"| {p.name} | {_excerpt(p.example, p.factor)} | {p.factor:g}x | "
        f"{int(counts.get(p.name, 0))} |"
        for p in tables.PHRASINGS
    ]
    return "\n".join(["| phrasing | example | reads | claims |", "|---|---|---|---|", *rows])


def reading(claims: pd.DataFrame) -> str:
    """How claims are read: factors, the phrasing table, what is left out, scope and baselines,
    families with their patterns and what each decodes."""
    forms = joined([f'"{name}"' for name, _, _ in tables.FACTOR_FORMS])
    kinds = claims["baseline_kind"].value_counts()
    scope = claims["scope"].value_counts()
    fams = "\n".join(
        f"- **{name}** ({FAMILY_MEANING[name]}): `{pat}`" for name, pat in tables.METHOD_FAMILIES
    )
    decodes = "\n".join(
        f"- **{kind}** ({KIND_MEANING[kind]}): `{pat}`" for kind, pat in tables.DECODES
    )
    return (
        f"A claim is a factor, written as {forms} (a range counts as its lower end), that one of "
        "the abstracts' own phrasings words as speed, or that is listed with such a claim "
        '("by 1.31x and 2.71x"). Factors of size, parameters, energy, cost, bandwidth or GPU '
        "counts are not speed. Each phrasing, with a sentence from the corpus it must read and "
        "the claims it found:\n\n"
        + phrasing_table(claims)
        + "\n\nEach claim's **scope** is read from its sentence: "
        f"{counted(int(scope.get(tables.OPERATION, 0)), 'claim')} "
        f"{'is' if scope.get(tables.OPERATION, 0) == 1 else 'are'} for one operation "
        "(attention alone, a kernel), not the whole generation, and never join a headline. "
        "Its **baseline** is taken only when the sentence ties it to the factor: "
        f"{int(kinds.get(tables.PLAIN, 0))} against plain decoding (autoregressive, vanilla, "
        "greedy decoding, the model without the method), "
        f"{int(kinds.get(tables.FAST, 0))} against another accelerated method or on top of one, "
        f"{int(kinds.get(tables.OTHER_MODEL, 0))} against another model or architecture (two "
        "models compared, not one model with and without a way of decoding), and "
        f"{int(kinds.get(tables.UNSTATED, 0))} with none named.\n\n"
        "Each paper gets one **method family**: from its title when the title names one, else "
        "from the part of its abstract that describes its own method, from the first sentence "
        "that proposes or introduces something on; a family named only in the background does "
        "not count. The patterns are checked in this order, so a self-speculative method that "
        "drafts with the model's own early layers counts as early exit, the idea it adds:\n\n"
        + fams
        + f"\n\nPapers in none are **{tables.OTHER}** ({FAMILY_MEANING[tables.OTHER]}). "
        f"A decoding or serving paper also says what it **decodes**: {tables.AUTOREGRESSIVE_TEXT} "
        f"({KIND_MEANING[tables.AUTOREGRESSIVE_TEXT]}) unless its title or own method names "
        "another kind, checked in this order:\n\n" + decodes
    )


def caption(claims: pd.DataFrame) -> str:
    """The caption of `analysis.plots.speedup_factors`: what a dot is, what the rows and the
    axis hold, and which papers sit beyond it, with their values."""
    p = summaries.paper_speedups(claims)
    shown = p.dropna(subset=["factor"])
    hi = summaries.value_axis(p)[1]
    beyond = shown[shown["factor"] > hi].sort_values("factor", ascending=False, kind="stable")
    none = len(p) - len(shown)
    text = (
        "One dot per paper, on a log scale: the median of its end-to-end claims against plain "
        "decoding (filled) or, when it names no baseline, of its claims with none (hollow). "
        "Rows split each family by what it decodes; the bar is a row's median over its papers, "
        "written at the right with its number of papers. "
    )
    if none:
        text += (
            f"{counted(none, 'paper')} whose claims are all for one operation or against another "
            f"accelerated method {'has' if none == 1 else 'have'} no dot. "
        )
    text += f"The axis spans the decoding and serving papers, up to {at_most(hi)}x"
    if len(beyond):
        named = [
            f"{short_title(t)} ({factor_text(f)})"
            for t, f in zip(beyond["title"], beyond["factor"], strict=True)
        ]
        text += f"; {joined(named)} lie beyond it, drawn at its edge with their values"
    return text + "."


def caveats(claims: pd.DataFrame, percents: pd.DataFrame | None = None) -> str:
    """What the numbers are not: self-reported, measured differently, best cases; and the
    speed-ups given as percentages, which are not read."""
    metrics = claims.loc[claims["headline"], "metric"].value_counts()
    text = (
        "These numbers are **self-reported** and **not comparable one to one**: each paper picks "
        "its own model, hardware, batch size and baseline. The headline claims measure different "
        "things ("
        + ", ".join(f"{m} {n}" for m, n in metrics.items())
        + "); a factor counted in decoding steps is not a wall-clock speed-up, and an "
        '"up to" factor is a best case. A claim that names no baseline may be against plain '
        "decoding, but the abstract does not say so, so it stays out of the headline. "
        "Read the figure as the range of claims in each family, not as a ranking."
    )
    if percents is not None and len(percents):
        shown = joined(
            [
                f"{short_title(t)} ({', '.join(f'{v:g}%' for v in d['percent'])})"
                for t, d in percents.groupby("title", sort=False)
            ]
        )
        text += (
            f" {counted(len(percents), 'speed-up')} given as percentages "
            f"{'is' if len(percents) == 1 else 'are'} not read as factors, as a 41% speed-up may "
            f"mean 41% more speed (1.41x) or 41% less time (1.7x): {shown}."
        )
    return text
