"""Name themes, and the theme tables: names, sizes, keywords (`analysis.modeling.keywords`),
representatives.

Names are earned from a theme's members (`earned_names`): the candidates are the editable
vocabulary's names (`theme_vocabulary.json`: name -> one-line description, embedded with the
same model as the papers), the theme's own top two-word keyphrases, and two vocabulary names
joined for a theme that holds both. Each is scored by its coverage (the share of members it
describes) and its precision (the share of the papers it describes that are members); the best
unique name wins, and `themes.csv` keeps both numbers. A broad theme takes a vocabulary name
only when it covers and is precise for most of its papers, else its fine themes' names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ThemeConfig
from ..text import paper_texts
from ..wording import joined
from .keywords import c_tf_idf_keywords, representatives

__all__ = [
    "VOCABULARY_PATH",
    "broad_names",
    "earned_names",
    "load_vocabulary",
    "name_description",
    "theme_table",
]

VOCABULARY_PATH = Path(__file__).with_name("theme_vocabulary.json")


def load_vocabulary(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The editable name vocabulary: {"fine": {name: description}, "broad": {...}}."""
    p = Path(path) if path else VOCABULARY_PATH
    data = json.loads(p.read_text(encoding="utf-8"))
    for level in ("fine", "broad"):
        if not isinstance(data.get(level), dict) or not data[level]:
            raise ValueError(f"{p.name}: expected a non-empty object under {level!r}")
    return {k: dict(v) for k, v in data.items() if k in ("fine", "broad")}


#: A theme whose chosen name covers less of its members than this is flagged (`name_fits`).
MIN_COVERAGE = 0.5
#: Share of a theme's members a second vocabulary name must describe to be joined to the first.
JOIN_SHARE = 0.2


def name_description(name: str, descriptions: dict[str, str]) -> str | None:
    """The vocabulary description of a name; a joined name ("A & b") gets both of its parts'."""
    if name in descriptions:
        return descriptions[name]
    lower = {k.lower(): v for k, v in descriptions.items()}
    parts = [lower.get(p.lower()) for p in name.split(" & ")]
    return " ".join(parts) if len(parts) > 1 and all(parts) else None


def name_matches(vectors: np.ndarray, name_vectors: np.ndarray) -> np.ndarray:
    """Papers x names: whether a name's description is the one nearest each paper's embedding.

    Nearest by cosine less the description's mean cosine over these papers: a description
    that is near every paper of the corpus (a hub: here any that says "transformer" or
    "language model") would otherwise be nearest to papers of every theme and steal them from
    the names that fit. Each paper still matches exactly one name (ties: the earlier name).
    """
    sims = vectors @ name_vectors.T
    sims -= sims.mean(axis=0, keepdims=True)
    nearest = np.argmax(sims, axis=1)
    return nearest[:, None] == np.arange(len(name_vectors))[None, :]


def _give_out(scored: list[tuple]) -> dict[int, tuple]:
    """Best first, each theme one name and each name one theme: `scored` holds
    (-score, theme, name, *extra); returns theme -> (name, -score, *extra)."""
    chosen: dict[int, tuple] = {}
    used: set[int] = set()
    for neg, t, c, *extra in sorted(scored):
        if t not in chosen and c not in used:
            chosen[t] = (c, neg, *extra)
            used.add(c)
    return chosen


def phrase_matches(texts: Sequence[str], phrase: str) -> np.ndarray:
    """Which texts hold `phrase` as whole words (case-insensitive; hyphens and spaces alike)."""
    import re

    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.lower()) if w]
    pattern = re.compile(r"\b" + r"[\s-]+".join(words) + r"\b")
    return np.array([bool(pattern.search(t.lower())) for t in texts])


def name_fit(matches: np.ndarray, members: np.ndarray) -> tuple[float, float]:
    """(coverage, precision) of a name: the share of members it matches, and the share of the
    papers it matches that are members (its distinctiveness)."""
    hit = int((matches & members).sum())
    return hit / max(int(members.sum()), 1), hit / max(int(matches.sum()), 1)


def earned_names(
    labels: np.ndarray,
    texts: Sequence[str],
    vectors: np.ndarray,
    names: Sequence[str],
    name_vectors: np.ndarray,
    keywords: Sequence[Sequence[str]],
    n_phrases: int = 3,
) -> pd.DataFrame:
    """One unique name per theme, chosen by how well it describes the theme's members.

    Candidates: every vocabulary name, each theme's top `n_phrases` c-TF-IDF two-word phrases,
    and
    for a theme that holds two vocabulary themes, the two names joined ("A & b").
    A vocabulary name matches a paper when its description is the one nearest the paper's
    embedding, after each description's mean similarity to the corpus is taken off
    (`name_matches`); a keyphrase matches a paper whose title or abstract holds it. Each
    candidate is scored for a theme by the harmonic mean of its coverage and precision
    (`name_fit`), over every paper of the corpus, outliers included. Names are then given out
    best score first, each name once: no closed list matched one-to-one, and a theme keeps
    the name its members earn even when a larger theme scores lower for it.
    """
    k = int(labels.max()) + 1
    near = name_matches(vectors, name_vectors)
    cands: list[tuple[str, str, np.ndarray]] = [
        (nm, "vocabulary", near[:, j]) for j, nm in enumerate(names)
    ]
    seen = {nm.lower() for nm in names}
    for kws in keywords:
        for kw in [w for w in kws if " " in w][:n_phrases]:  # one word is a keyword, not a name
            label = kw[:1].upper() + kw[1:]
            if label.lower() not in seen:
                seen.add(label.lower())
                cands.append((label, "keyphrase", phrase_matches(texts, kw)))
    # a theme that holds two vocabulary themes gets their joined name as a candidate too, when
    # the second is distinctive of it: nearest for >= JOIN_SHARE of its members, and most of
    # the papers it is nearest to are members
    for t in range(k):
        members = labels == t
        fits = [(name_fit(near[:, j], members), j) for j in range(len(names))]
        top = sorted(fits, key=lambda f: (-f[0][0], f[1]))[:2]
        if len(top) == 2 and all(cov >= JOIN_SHARE and prec >= 0.5 for (cov, prec), _ in top[1:]):
            (_, a), (_, b) = top
            joined = f"{names[a]} & {names[b][:1].lower()}{names[b][1:]}"
            if joined.lower() not in seen:
                seen.add(joined.lower())
                cands.append((joined, "vocabulary, joined", near[:, a] | near[:, b]))
    scored = []
    for t in range(k):
        members = labels == t
        for c, (_, _, matches) in enumerate(cands):
            cov, prec = name_fit(matches, members)
            f1 = 2 * cov * prec / (cov + prec) if cov + prec else 0.0
            scored.append((-round(f1, 12), t, c, cov, prec))
    chosen = _give_out(scored)
    rows = []
    for t in range(k):
        if t not in chosen:  # more themes than candidates: a placeholder that says so
            rows.append(
                {
                    "theme_name": f"Unnamed theme {t}",
                    "name_source": "none",
                    "name_coverage": 0.0,
                    "name_precision": 0.0,
                    "name_fits": False,
                }
            )
            continue
        c, _, cov, prec = chosen[t]
        rows.append(
            {
                "theme_name": cands[c][0],
                "name_source": cands[c][1],
                "name_coverage": cov,
                "name_precision": prec,
                "name_fits": cov >= MIN_COVERAGE,
            }
        )
    return pd.DataFrame(rows)


def broad_names(
    broad_of_fine: np.ndarray,
    fine_names: Sequence[str],
    fine_sizes: Sequence[int],
    broad_labels: np.ndarray,
    fine_labels: np.ndarray,
    vectors: np.ndarray,
    names: Sequence[str],
    name_vectors: np.ndarray,
) -> pd.DataFrame:
    """A name per broad theme that is true of its fine themes.

    A vocabulary name is used when it describes (nearest description, as for fine names) at
    least half of the papers of every fine theme in the broad theme, and at least half of the
    papers it describes are in it; otherwise, and when that name is taken, the broad theme is
    named by joining its fine themes' names, largest first ("A and B", "A, B and C",
    "A, B and 2 more").
    `fine_labels` is each paper's fine theme.
    """
    nb = int(broad_of_fine.max()) + 1
    near = name_matches(vectors, name_vectors)
    scored = []
    for b in range(nb):
        members = broad_labels == b
        fines = np.flatnonzero(broad_of_fine == b)
        for j in range(len(names)):
            cov, prec = name_fit(near[:, j], members)
            each = min(name_fit(near[:, j], fine_labels == f)[0] for f in fines)
            if each >= MIN_COVERAGE and prec >= MIN_COVERAGE:
                scored.append((-(2 * cov * prec / (cov + prec)), b, j, cov, prec))
    chosen = {
        b: (names[j], "vocabulary", cov, prec) for b, (j, _, cov, prec) in _give_out(scored).items()
    }
    rows = []
    for b in range(nb):
        if b in chosen:
            nm, source, cov, prec = chosen[b]
        else:
            fine = sorted(np.flatnonzero(broad_of_fine == b), key=lambda t: -fine_sizes[t])
            parts = [fine_names[t].split(" & ")[0] for t in fine]  # a joined name's first
            if len(parts) <= 3:
                nm = joined(parts)
            else:
                nm = f"{parts[0]}, {parts[1]} and {len(parts) - 2} more"
            source, cov, prec = "fine names", 1.0, 1.0
        rows.append(
            {
                "broad_theme_name": nm,
                "name_source": source,
                "name_coverage": cov,
                "name_precision": prec,
            }
        )
    return pd.DataFrame(rows)


def theme_table(
    papers: pd.DataFrame,
    vectors: np.ndarray,
    labels: np.ndarray,
    broad_of_fine: np.ndarray,
    centroids: np.ndarray,
    name_vectors: dict[str, tuple[list[str], np.ndarray]],
    config: ThemeConfig | None = None,
    stability: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fine and broad theme tables (ids, names and how well they fit, sizes, stability,
    keywords, representatives).

    `name_vectors` maps "fine"/"broad" to (names, embedded descriptions); `stability` is the
    theme model's per-theme stability (`ThemeModel.stability_`).
    """
    cfg = config or ThemeConfig()
    k = len(centroids)
    texts = paper_texts(papers)
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == i) for i in range(k)]
    keywords, _ = c_tf_idf_keywords(docs, cfg.n_keywords)
    reps = representatives(vectors, labels, centroids, cfg.n_representatives)
    fine_names = earned_names(labels, texts, vectors, *name_vectors["fine"], keywords)
    sizes = [int((labels == t).sum()) for t in range(k)]

    nb = int(broad_of_fine.max()) + 1
    broad_labels = np.where(labels >= 0, broad_of_fine[np.maximum(labels, 0)], -1)
    bdocs = [
        " ".join(t for t, lab in zip(texts, broad_labels, strict=True) if lab == b)
        for b in range(nb)
    ]
    bkeywords, _ = c_tf_idf_keywords(bdocs, cfg.n_keywords)
    bnames = broad_names(
        broad_of_fine,
        list(fine_names["theme_name"]),
        sizes,
        broad_labels,
        labels,
        vectors,
        *name_vectors["broad"],
    )
    broad = pd.DataFrame(
        {
            "broad_theme_id": range(nb),
            "broad_theme_name": bnames["broad_theme_name"],
            "size": [int((broad_labels == b).sum()) for b in range(nb)],
            "n_fine": [int((broad_of_fine == b).sum()) for b in range(nb)],
            "fine_themes": [
                [fine_names["theme_name"][t] for t in np.flatnonzero(broad_of_fine == b)]
                for b in range(nb)
            ],
            "keywords": bkeywords,
            "name_source": bnames["name_source"],
            "name_coverage": bnames["name_coverage"],
            "name_precision": bnames["name_precision"],
        }
    )
    fine = pd.DataFrame(
        {
            "theme_id": range(k),
            "theme_name": fine_names["theme_name"],
            "broad_theme_id": broad_of_fine.astype(int),
            "broad_theme_name": [broad["broad_theme_name"][b] for b in broad_of_fine],
            "size": sizes,
            "stability": np.full(k, np.nan) if stability is None else np.round(stability, 4),
            "name_coverage": fine_names["name_coverage"].round(4),
            "name_precision": fine_names["name_precision"].round(4),
            "name_fits": fine_names["name_fits"],
            "name_source": fine_names["name_source"],
            "keywords": keywords,
            "representative_ids": [papers["paper_id"].iloc[r].tolist() for r in reps],
            "representative_titles": [papers["title"].iloc[r].tolist() for r in reps],
        }
    )
    return fine, broad
