"""Notebook 03's sentences (`analysis.narrative.speedups`): every number computed from the tables,
comparisons worded from the numbers, each paper counted once."""

from __future__ import annotations

import re

import pandas as pd

from analysis.analyses.speedup_summaries import headline_summary, paper_speedups, value_axis
from analysis.analyses.speedups import (
    AUTOREGRESSIVE_TEXT,
    DECODES,
    FAMILY_ORDER,
    FAST,
    OPERATION,
    OTHER,
    PHRASINGS,
    UNSTATED,
    percent_speedups,
)
from analysis.narrative.speedups import (
    CLEAR_RATIO,
    FAMILY_MEANING,
    KIND_MEANING,
    caption,
    caveats,
    compared,
    factor_text,
    findings,
    phrasing_table,
    reading,
    short_title,
)
from analysis.narrative.wording import at_most

from ..analyses.speedup_claims import (
    CACHING,
    DIFFUSION,
    IMAGES,
    PAR,
    RECOGNITION,
    SPEC,
    claims_frame,
)


def _rows(spec: list[tuple[str, str, float]], **extra) -> list[dict]:
    return [{"paper_id": p, "family": f, "factor": x, **extra} for p, f, x in spec]


def _bad_plural(text: str) -> bool:
    return bool(re.search(r"\b1 (?:papers|claims)\b", text))


def test_factor_text_and_short_title():
    assert [factor_text(x) for x in (2.42, 828.0, 8.0, 20.6)] == ["2.4x", "828x", "8x", "20.6x"]
    assert short_title("Tiny Time Mixers (TTMs): Fast Pre-trained Models") == "Tiny Time Mixers"


def test_compared_needs_a_clear_margin():
    assert compared(2.0 * CLEAR_RATIO, 2.0) == "higher"
    assert compared(2.0, 2.0 * CLEAR_RATIO) == "lower"
    assert compared(2.1, 2.0) == "about as high" and compared(2.0, 2.1) == "about as high"


def test_every_family_and_kind_is_said_in_plain_words():
    assert set(FAMILY_MEANING) == set(FAMILY_ORDER)
    assert set(KIND_MEANING) == {AUTOREGRESSIVE_TEXT} | {k for k, _ in DECODES}


def _crafted(par_median: float = 8.0) -> pd.DataFrame:
    """Three speculative papers against plain decoding, one with three claims; caching and
    parallel papers; a further claim, an unstated one, an attention-only one; diffusion and
    OCR papers; one other paper."""
    return claims_frame(
        [
            *_rows([("s1", SPEC, 2.0), ("s1", SPEC, 2.0), ("s1", SPEC, 9.0)]),
            *_rows([("s2", SPEC, 3.0), ("s3", SPEC, 4.0)]),
            *_rows([("s3", SPEC, 1.2)], baseline_kind=FAST),
            *_rows([("s4", SPEC, 2.5)], baseline_kind=UNSTATED, up_to=True),
            *_rows([("c1", CACHING, 14.0)], scope=OPERATION),
            *_rows([("c2", CACHING, 1.5), ("c3", CACHING, 1.6), ("c4", CACHING, 1.7)]),
            *_rows([("p1", PAR, par_median)]),
            *_rows([("d1", PAR, 20.0), ("d2", PAR, 10.0)], decodes=DIFFUSION),
            *_rows([("o1", PAR, 5.0)], decodes=RECOGNITION),
            *_rows([("x1", OTHER, 828.0)]),
        ]
    )


def test_headline_is_per_paper_against_plain_decoding():
    text = findings(_crafted())
    head = text[0]
    # s1 (median 2), s2 (3), s3 (4), c2-c4 and p1: 7 papers, median 2; s1's three claims are
    # one value (the claim median would be lower)
    assert "**7 papers**" in head and "median of **2x**" in head
    assert "9 claims, 1.5x to 8x" in head
    assert (
        "1 against another accelerated method or stacked on one (a speed-up on top of one)" in head
    )
    assert "1 naming no baseline and 1 for one operation only" in head
    assert "so 2 of the 9 papers on autoregressive text in those families do not count" in head
    assert "The 3 claims from 3 papers of those families that decode something else" in head
    assert f"({DIFFUSION} and {RECOGNITION})" in head


def test_the_family_comparison_follows_the_numbers():
    text = findings(_crafted())[1]
    # speculative: s1 2, s2 3, s3 4, s4 2.5 -> 2.75; caching c2-c4 -> 1.6; parallel p1 8 (alone)
    assert "the largest family, **speculative / draft models**" in text
    assert "median of **2.8x** over 4 papers (2x to 4x)" in text
    assert FAMILY_MEANING[SPEC] in text
    # the highest of the rest has one paper: named, not called higher
    assert "**parallel / multi-token decoding**" in text and "rests on only 1 paper" in text
    assert "higher" not in text.replace("too few to call it higher", "")
    # with the parallel paper low, caching (3 papers) is the highest of the rest: lower
    low = findings(_crafted(par_median=1.1))[1]
    assert "**caching**" in low and "runs lower, a median of 1.6x over 3 papers" in low
    same = claims_frame(
        _rows([("a", SPEC, 2.0), ("b", SPEC, 2.0), ("c", SPEC, 2.0), ("d", SPEC, 2.0)])
        + _rows([("e", CACHING, 2.2), ("f", CACHING, 2.1), ("g", CACHING, 2.3)])
    )
    assert "runs about as high" in findings(same)[1]


def test_the_parallel_family_is_worded_by_kind():
    text = findings(_crafted())[2]
    assert f"{AUTOREGRESSIVE_TEXT} ({KIND_MEANING[AUTOREGRESSIVE_TEXT]}) 8x (1 paper)" in text
    assert f"{DIFFUSION} ({KIND_MEANING[DIFFUSION]}) 15x (2 papers)" in text
    assert f"{RECOGNITION} ({KIND_MEANING[RECOGNITION]}) 5x (1 paper)" in text
    # the pooled median of the four papers (6.5x) is said nowhere
    assert "6.5x" not in " ".join(findings(_crafted()))


def test_other_claims_and_baselines_are_worded_from_the_numbers():
    text = findings(_crafted())
    assert text[3].startswith("1 other claim from 1 paper comes from methods outside")
    assert "namely 828x for Paper x1; it is shown apart" in text[3]
    # the 9 papers on text (values 2, 3, 4, 2.5, 1.5, 1.6, 1.7, 8) -> 2.25; with 828x -> 2.5
    assert "raise the median from 2.2x to 2.5x" in text[3]
    assert "Only 15 of the 16 claims say what they were measured against (14 plain" in text[4]
    assert "1 another accelerated method" in text[4]
    assert '1 is stated as "up to", a best case (0 of the 9 in the headline)' in text[4]
    assert not any(_bad_plural(s) for s in text)


def test_findings_on_the_corpus_say_the_tables_numbers(claims):
    text = findings(claims)
    h = headline_summary(claims)
    assert len(text) == 5
    assert f"**{h['papers']} papers**" in text[0]
    assert f"median of **{factor_text(h['median'])}**" in text[0]
    assert f"{h['fast']} against another accelerated method" in text[0]
    assert "Medusa decoding" in text[0] and "state-of-the-art solutions" in text[0]
    assert f"{h['unstated']} naming no baseline" in text[0]
    assert "parallel / multi-token decoding" in text[2]
    for kind in (AUTOREGRESSIVE_TEXT, DIFFUSION, RECOGNITION, IMAGES):
        assert kind in text[2]
    assert "828x for VQGraph" in text[3]
    assert not any(_bad_plural(s) for s in text)


def test_the_reading_paragraph_shows_every_phrasing(claims):
    table = phrasing_table(claims)
    lines = table.splitlines()[2:]
    assert len(lines) == len(PHRASINGS)
    counts = [int(line.rstrip(" |").rsplit("|", 1)[1]) for line in lines]
    assert sum(counts) == len(claims)  # every claim is read by exactly one phrasing
    assert all(n > 0 for n in counts)  # and every phrasing reads some claim of the corpus
    text = reading(claims)
    assert table in text
    assert "`speculat|\\bdraft|medusa|acceptance rate`" in text
    assert "Ntimes (LaTeX \\times lost)" in text


def test_the_caption_names_what_lies_beyond_the_axis(claims):
    text = caption(claims)
    _, hi = value_axis(paper_speedups(claims))
    assert f"up to {at_most(hi)}x" in text
    assert "VQGraph (828x)" in text
    assert float(at_most(hi)) >= hi  # the bound printed never understates the axis


def test_caveats_list_the_percentages_not_read(claims, papers):
    text = caveats(claims, percent_speedups(papers))
    assert "Faster Diffusion (41%, 24%)" in text and "5 speed-ups given as percentages" in text
    assert "self-reported" in caveats(claims)
