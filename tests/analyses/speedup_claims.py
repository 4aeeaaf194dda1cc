"""Crafted speed-up claims shaped like `extract_speedups` output, for the tables', the sentences'
and the figure's tests, and the families and kinds they name (the real corpus' claims are the
`papers` and `claims` fixtures of `tests/conftest.py`)."""

from __future__ import annotations

import pandas as pd

from analysis.analyses.speedups import (
    AUTOREGRESSIVE_TEXT,
    CLAIM_COLUMNS,
    DECODES,
    END_TO_END,
    HEADLINE_FAMILIES,
    PHRASINGS,
    PLAIN,
    why_left_out,
)

SPEC, PAR, EARLY, CACHING = (
    "speculative / draft models",
    "parallel / multi-token decoding",
    "early exit / layer skipping",
    "caching",
)
DIFFUSION, RECOGNITION, IMAGES = (kind for kind, _ in DECODES)


def claims_frame(rows: list[dict]) -> pd.DataFrame:
    """Claims from rows holding at least paper_id, family and factor; decodes defaults to
    autoregressive text in the decoding and serving families, scope to end to end, the
    baseline kind to plain decoding; headline and left_out follow the module's own rule."""
    out = []
    for r in rows:
        fam = r["family"]
        c = {
            "title": f"Paper {r['paper_id']}: a method",
            "decodes": AUTOREGRESSIVE_TEXT if fam in HEADLINE_FAMILIES else None,
            "factor_high": None,
            "up_to": False,
            "metric": "speed-up",
            "scope": END_TO_END,
            "baseline": None,
            "baseline_kind": PLAIN,
            "phrasing": PHRASINGS[0].name,
            "match": f"{r['factor']:g}x",
            "sentence": "",
        } | r
        why = why_left_out(fam, c["decodes"], c["scope"], c["baseline_kind"])
        out.append(c | {"headline": why is None, "left_out": why})
    return pd.DataFrame(out, columns=CLAIM_COLUMNS)
