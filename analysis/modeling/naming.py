"""Theme names earned from members, and judged on members that did not choose them.

Candidates for a theme: every vocabulary area, every umbrella, two areas joined ("A & b") where
the second is distinctive of the theme, and the theme's top two-word keyphrases. A candidate
*describes* a paper when the paper's area (`analysis.modeling.vocabulary.paper_areas`) is one
of its areas, or, for a keyphrase, when the paper's text holds it. Its fit to a theme is the
harmonic mean of its coverage (the share of members it describes) and its precision (the share
of the papers it describes that are members).

Measured on the papers that chose it, a name would confirm itself. So every theme's members
are split in two halves (by a hash of each paper's id: the same halves in any order); a name is
chosen on one half and scored on the other, both ways (`heldout_coverage`,
`heldout_precision`), and the name a theme gets is the one with the best held-out score: a
keyphrase is a candidate only on the half whose text produced it. Names are given out best
first, each name once. `name_coverage` and `name_precision` are the same numbers over all the
members, for comparison.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .keywords import c_tf_idf_keywords
from .vocabulary import Vocabulary

__all__ = [
    "MIN_COVERAGE",
    "Candidate",
    "describes",
    "halves",
    "name_themes",
    "phrase_matches",
]

#: A theme whose name covers less of its held-out members than this is flagged (`name_fits`).
MIN_COVERAGE = 0.5
#: Share of a theme's members a second area must describe to be joined to the first.
JOIN_SHARE = 0.15
#: Keyphrases of a theme (two-word c-TF-IDF phrases, best first) that are candidates.
N_PHRASES = 3


#: Sources of names, plainest first: on a tie the plainer name wins.
_PLAIN = ["area", "umbrella", "areas joined", "keyphrase"]


@dataclass(frozen=True)
class Candidate:
    """A possible theme name and the papers it describes."""

    name: str
    source: str  # "area", "umbrella", "areas joined", "keyphrase"
    matches: np.ndarray  # papers it describes


def halves(paper_ids: Sequence[str]) -> np.ndarray:
    """0 or 1 per paper, from a hash of its id: fixed whatever order the papers come in."""
    return np.array([hashlib.sha1(p.encode()).digest()[0] & 1 for p in paper_ids])


def phrase_matches(texts: Sequence[str], phrase: str) -> np.ndarray:
    """Which texts hold `phrase` as whole words (case-insensitive; hyphens and spaces alike)."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.lower()) if w]
    pattern = re.compile(r"\b" + r"[\s-]+".join(words) + r"\b")
    return np.array([bool(pattern.search(t.lower())) for t in texts])


def describes(name: str, vocab: Vocabulary, areas: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Which papers a theme name describes: those in one of its areas, or for a name from
    outside the vocabulary (a keyphrase), those whose text holds it."""
    parts = vocab.parts(name)
    if parts:
        index = [vocab.names.index(p) for p in parts]
        return np.isin(areas, index)
    return phrase_matches(texts, name)


def _fit(matches: np.ndarray, members: np.ndarray, others: np.ndarray) -> tuple[float, float]:
    """(coverage, precision) of a name on `members`, its precision against `others` too."""
    hit = int((matches & members).sum())
    return hit / max(int(members.sum()), 1), hit / max(int((matches & (members | others)).sum()), 1)


def _f1(cov: float, prec: float) -> float:
    return 2 * cov * prec / (cov + prec) if cov + prec else 0.0


def _fixed_candidates(vocab: Vocabulary, areas: np.ndarray) -> list[Candidate]:
    out = [Candidate(a, "area", areas == j) for j, a in enumerate(vocab.names)]
    for name, (_, parts) in vocab.umbrellas.items():
        out.append(
            Candidate(name, "umbrella", np.isin(areas, [vocab.names.index(p) for p in parts]))
        )
    return out


def _joined(
    vocab: Vocabulary, areas: np.ndarray, members: np.ndarray, others: np.ndarray
) -> list[Candidate]:
    """The two areas that describe most of `members`, joined, when the second describes at
    least `JOIN_SHARE` of them (how precise the pair is, the score judges)."""
    fits = sorted(
        ((_fit(areas == j, members, others), j) for j in range(len(vocab.names))),
        key=lambda f: (-f[0][0], f[1]),
    )[:2]
    if len(fits) < 2 or fits[1][0][0] < JOIN_SHARE:
        return []
    (_, a), (_, b) = fits
    return [
        Candidate(
            vocab.joined(vocab.names[a], vocab.names[b]), "areas joined", np.isin(areas, [a, b])
        )
    ]


def _phrases(texts: Sequence[str], labels: np.ndarray, side: np.ndarray, k: int) -> list[list[str]]:
    """Each theme's top two-word keyphrases, from the texts of its members on one side only."""
    docs = [
        " ".join(t for t, lab, s in zip(texts, labels, side, strict=True) if lab == i and s)
        for i in range(k)
    ]
    keywords, _ = c_tf_idf_keywords(docs, 20)
    return [[w for w in kws if " " in w][:N_PHRASES] for kws in keywords]


def name_themes(
    labels: np.ndarray,
    paper_ids: Sequence[str],
    texts: Sequence[str],
    areas: np.ndarray,
    vocab: Vocabulary,
) -> pd.DataFrame:
    """One unique name per theme, with how well it fits its members, held out and in sample.

    `areas`: each paper's area (`paper_areas`). Columns: theme_name, name_source,
    name_coverage, name_precision, heldout_coverage, heldout_precision, name_fits (held-out
    coverage at least `MIN_COVERAGE`).
    """
    k = int(labels.max()) + 1
    half = halves(paper_ids)
    fixed = _fixed_candidates(vocab, areas)
    # per side: which candidates that side's members make available, and every candidate's
    # fit on the other side's members
    by_name: dict[str, Candidate] = {c.name: c for c in fixed}
    heldout: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for side in (0, 1):
        chooser, judge = half == side, half != side
        phrases = _phrases(texts, labels, chooser, k)
        for t in range(k):
            members = labels == t
            others = ~members  # outliers included: a name that describes them is less precise
            cands = fixed + _joined(vocab, areas, members & chooser, others)
            for p in phrases[t]:
                label = p[:1].upper() + p[1:]
                if label.lower() not in {n.lower() for n in vocab.names}:
                    cands.append(Candidate(label, "keyphrase", phrase_matches(texts, p)))
            for c in cands:
                by_name.setdefault(c.name, c)
                heldout.setdefault((t, c.name), []).append(
                    _fit(c.matches, members & judge, others & judge)
                )
    scored = []
    for (t, name), fits in heldout.items():
        # a candidate one side did not offer scores nothing on that side
        f1 = sum(_f1(*f) for f in fits) / 2
        # ties (the same papers described): the plainer name first
        scored.append((-round(f1, 12), t, _PLAIN.index(by_name[name].source), name))
    chosen: dict[int, str] = {}
    used: set[str] = set()
    for _, t, _, name in sorted(scored):
        if t not in chosen and name not in used:
            chosen[t] = name
            used.add(name)
    rows = []
    for t in range(k):
        members = labels == t
        name = chosen.get(t, f"Unnamed theme {t}")
        c = by_name.get(name)
        if c is None:
            rows.append((name, "none", 0.0, 0.0, 0.0, 0.0))
            continue
        fits = heldout[(t, name)]
        cov, prec = _fit(c.matches, members, ~members)
        h_cov = sum(f[0] for f in fits) / len(fits)
        h_prec = sum(f[1] for f in fits) / len(fits)
        rows.append((name, c.source, cov, prec, h_cov, h_prec))
    out = pd.DataFrame(
        rows,
        columns=[
            "theme_name",
            "name_source",
            "name_coverage",
            "name_precision",
            "heldout_coverage",
            "heldout_precision",
        ],
    )
    # an unnamed theme has held-out coverage 0, so this is False for it too
    out["name_fits"] = out["heldout_coverage"] >= MIN_COVERAGE
    return out
