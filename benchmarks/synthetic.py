"""Synthetic corpora of any size that keep the real corpus' topical structure.

Each synthetic paper is one theme's: its title is a real title of that theme with "(synthetic
i)" appended, its abstract 6-10 sentences drawn without replacement from that theme's abstracts
(outliers form their own pool). Themes are drawn in proportion to their size. Sentences are cut
where the analysis cuts them (`analysis.text.sentences`), so windows fall as they would on real
abstracts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Sentences per synthetic abstract: at least, at most.
SENTENCES = (6, 10)
#: Synthetic abstracts are kept at least this long, like real ones
#: (`LoadConfig.abstract_min_chars`), so the reader never has to weigh a short one against a
#: missing one; a shorter one is written twice.
MIN_ABSTRACT_CHARS = 200


def synthetic_entries(papers: pd.DataFrame, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """`n` (title, abstract) pairs from papers with `title`, `abstract` and `theme_id`."""
    from analysis.text import sentences

    rng = np.random.default_rng(seed)
    by_theme = {t: g for t, g in papers.groupby("theme_id")}
    pools = {t: [s for a in g["abstract"] for s in sentences(a)] for t, g in by_theme.items()}
    titles = {t: g["title"].tolist() for t, g in by_theme.items()}
    keys = sorted(pools)
    weights = np.array([len(titles[k]) for k in keys], dtype=float)
    weights /= weights.sum()
    low, high = SENTENCES
    entries = []
    for i in range(n):
        k = keys[rng.choice(len(keys), p=weights)]
        size = min(int(rng.integers(low, high + 1)), len(pools[k]))
        abstract = " ".join(rng.choice(pools[k], size=size, replace=False))
        if len(abstract) < MIN_ABSTRACT_CHARS:
            abstract = f"{abstract} {abstract}"
        entries.append((f"{rng.choice(titles[k])} (synthetic {i})", abstract))
    return entries


def synthetic_dump(papers: pd.DataFrame, n: int, path: Path, seed: int = 0) -> Path:
    """A dump file of `n` synthetic papers (`synthetic_entries`) at `path`."""
    from analysis.dataset import write_dump

    return write_dump(synthetic_entries(papers, n, seed), path, page_date="Jan 1")
