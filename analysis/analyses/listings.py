"""What the listings are: the words that mark each dump against the others, and what the
listing rank says.

A dump is a copy of one listing page. If the five were one trending list seen on different
days, their words would differ only as topics drift; if each is the answer to a keyword search,
one word (the query) is held by most of its entries and by few entries of the other dumps, and
the entries that hold it come first. `marking_words` measures the first, `search_verdict` checks
it against chance; `analysis.analyses.listing_rank` the second.

Words are the project's (`analysis.modeling.keywords`: its token pattern and stop words, words
of two or more letters), lower-cased, each part of a hyphenated word also counted as a word
("cross-attention" holds "cross"), and folded into families by their endings ("decoder",
"decoders", "decoding" and "decode" are one family; see `word_family`), since a search matches
a word in any of its forms. A family is shown by its form held by most entries.

Units are entries: a paper listed in several dumps counts once in each, as each listing was
shown. A word is counted once per entry however often it is repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..modeling.keywords import STOP_WORDS, TOKEN_PATTERN
from .explore import dump_label

__all__ = [
    "CHANCE_QUANTILE",
    "CHANCE_SEED",
    "CHANCE_SHUFFLES",
    "PRIOR_ENTRIES",
    "SEARCH_SHARE",
    "chance_z",
    "holding",
    "marking_words",
    "search_verdict",
    "word_family",
    "word_shares",
]

#: Strength of the informative prior, in entries: a word's odds on each side start as if that
#: side had this many more entries, holding the word at its share in all dumps pooled. It keeps
#: the log-odds finite for a word one side never holds and pulls each a little towards "no
#: difference"; the z-score's standard error then says how little a handful of entries tells.
PRIOR_ENTRIES = 10.0
#: Random deals of the entries to dumps of the same sizes behind `chance_z`.
CHANCE_SHUFFLES = 500
#: A word beats chance when its z exceeds this quantile of the top z of random dumps.
CHANCE_QUANTILE = 0.95
#: Fixed, so that the chance threshold is the same every run.
CHANCE_SEED = 0
#: A keyword search's word is held by at least this share of its results (title or abstract).
SEARCH_SHARE = 1 / 3

# Endings folded away, longest first; a word keeps at least _MIN_STEM letters, and a final
# "s" after s, u or i is not a plural ("cross", "focus", "analysis").
_ENDINGS = ("ings", "ing", "ers", "er", "ed", "es", "s", "e")
_MIN_STEM = 4
_WORD = re.compile(TOKEN_PATTERN)


def word_family(word: str) -> str:
    """The family key of a lower-case word: its endings "-ings/-ing/-ers/-er/-ed/-es/-s/-e"
    folded away (one, longest first, keeping 4 letters), so that a word's forms count as one.

    Deliberately crude (no dictionary): it joins "decoder", "decoding" and "decode" and leaves
    "cross", "loss" and "analysis" alone; hyphenated words are kept whole.
    """
    if "-" in word:
        return word
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= _MIN_STEM:
            if end == "s" and word[-2] in "siu":
                continue
            return word[: -len(end)]
    return word


def _words(text: str) -> set[str]:
    """The words of `text` as the module counts them (see the module docstring)."""
    out: set[str] = set()
    for tok in _WORD.findall(text.lower()):
        parts = tok.split("-") if "-" in tok else []
        for w in [tok, *parts]:
            if len(w) >= 2 and w[0].isalpha() and w not in STOP_WORDS:
                out.add(w)
    return out


@dataclass(frozen=True)
class _Presence:
    """Which entries hold which word family, in the title, the abstract, either."""

    keys: np.ndarray  # family keys, alphabetical
    words: np.ndarray  # each family's form held by most entries (ties: alphabetical)
    forms: np.ndarray  # "form/form/...", most held first
    title: sparse.csr_matrix  # entries x families, 0/1
    abstract: sparse.csr_matrix
    either: sparse.csr_matrix


def _presence(entries: pd.DataFrame) -> _Presence:
    t_words = [_words(t) for t in entries["title"]]
    a_words = [_words(a) for a in entries["abstract"]]
    surface = sorted(set().union(*t_words, *a_words))
    keys = sorted({word_family(w) for w in surface})
    col = {k: j for j, k in enumerate(keys)}
    # entries holding each surface form, to name the family by its most held form
    held = pd.Series(0, index=surface)
    for tw, aw in zip(t_words, a_words, strict=True):
        held[list(tw | aw)] += 1

    def matrix(per_entry: list[set[str]]) -> sparse.csr_matrix:
        rows, cols = [], []
        for i, ws in enumerate(per_entry):
            js = sorted({col[word_family(w)] for w in ws})
            rows += [i] * len(js)
            cols += js
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(per_entry), len(keys)))

    title, abstract = matrix(t_words), matrix(a_words)
    either = (title + abstract).sign().tocsr()
    by_family = pd.DataFrame({"form": surface, "held": held.to_numpy()})
    by_family["key"] = [word_family(w) for w in surface]
    by_family = by_family.sort_values(["key", "held", "form"], ascending=[True, False, True])
    grouped = by_family.groupby("key", sort=True)["form"]
    return _Presence(
        keys=np.array(keys, dtype=object),
        words=grouped.first().loc[keys].to_numpy(dtype=object),
        forms=grouped.agg("/".join).loc[keys].to_numpy(dtype=object),
        title=title,
        abstract=abstract,
        either=either,
    )


def _dumps(entries: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """The dumps in name order, each entry's dump (an index into them) and the dumps x entries
    one-hot matrix."""
    names, codes = np.unique(entries["dump"].to_numpy(dtype=str), return_inverse=True)
    if len(names) < 2:
        raise ValueError(f"need entries of two or more dumps to compare, got {len(names)}")
    onehot = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(names), len(codes))
    )
    return names, codes, onehot


def _log_odds_z(
    held: np.ndarray, sizes: np.ndarray, pooled: np.ndarray, n: int, prior_entries: float
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio of holding each word, each dump against the rest, with the informative
    Dirichlet prior of Monroe, Colaresi & Quinn (2008), and its z-score.

    `held`: dumps x words, entries holding the word; `sizes`: entries per dump; `pooled`:
    entries holding each word in all dumps; `n`: all entries. Each word is a two-way choice
    (an entry holds it or not), its prior `prior_entries` entries split at the pooled share.
    """
    share = pooled / n
    a = prior_entries * share
    b = prior_entries * (1.0 - share)
    sizes = sizes[:, None]
    rest, rest_size = pooled[None, :] - held, n - sizes
    hi, lo = held + a, sizes - held + b
    hj, lj = rest + a, rest_size - rest + b
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log(hi / lo) - np.log(hj / lj)
        z = delta / np.sqrt(1 / hi + 1 / lo + 1 / hj + 1 / lj)
    # a word held by every entry (or none) cannot tell dumps apart
    flat = (share <= 0) | (share >= 1)
    delta[:, flat] = 0.0
    z[:, flat] = 0.0
    return delta, z


def marking_words(
    entries: pd.DataFrame, top: int | None = None, prior_entries: float = PRIOR_ENTRIES
) -> pd.DataFrame:
    """The words that mark each dump against the other dumps, most marking first.

    `entries`: one row per entry with ``title``, ``abstract``, ``dump`` (and ``page_date`` for
    the label), as `analysis.load_entries` gives. For every dump and word family: ``z`` (the
    log-odds ratio of an entry holding the word, this dump against the others, over its
    standard error; the informative prior is the word's pooled share), ``log_odds``,
    ``holding`` and ``entries`` (of this dump), ``share`` (holding / entries; title or
    abstract), ``share_title``, ``share_abstract`` and ``share_elsewhere`` (in the other dumps).
    Rows: dumps in name order, then z high to low, ties by word; `top` keeps that many per dump.
    """
    p = _presence(entries)
    names, _, onehot = _dumps(entries)
    n = len(entries)
    sizes = np.asarray(onehot.sum(axis=1)).ravel()
    held = (onehot @ p.either).toarray()
    in_title = (onehot @ p.title).toarray()
    in_abstract = (onehot @ p.abstract).toarray()
    pooled = np.asarray(p.either.sum(axis=0)).ravel()
    delta, z = _log_odds_z(held, sizes, pooled, n, prior_entries)
    dates = entries.groupby("dump")["page_date"].first() if "page_date" in entries else None
    frames = []
    for i, d in enumerate(names):
        rest = n - sizes[i]
        frame = pd.DataFrame(
            {
                "dump": d,
                "label": dump_label(d, None if dates is None else dates[d]),
                "word": p.words,
                "forms": p.forms,
                "z": z[i],
                "log_odds": delta[i],
                "holding": held[i].astype(np.int64),
                "entries": int(sizes[i]),
                "share": held[i] / sizes[i],
                "share_title": in_title[i] / sizes[i],
                "share_abstract": in_abstract[i] / sizes[i],
                "share_elsewhere": (pooled - held[i]) / rest if rest else np.nan,
            }
        )
        frame = frame.sort_values(["z", "word"], ascending=[False, True], kind="stable")
        frames.append(frame if top is None else frame.head(top))
    return pd.concat(frames, ignore_index=True)


def chance_z(
    entries: pd.DataFrame,
    shuffles: int = CHANCE_SHUFFLES,
    quantile: float = CHANCE_QUANTILE,
    seed: int = CHANCE_SEED,
    prior_entries: float = PRIOR_ENTRIES,
) -> pd.Series:
    """Per dump, how high its top z climbs by chance: the `quantile` of the top z over all
    words when the entries are dealt to dumps of the same sizes at random, `shuffles` times.

    Thousands of words are tried, so some word always has a high z; a word marks a dump only
    when its z beats what a random dump of that size reaches.
    """
    p = _presence(entries)
    names, codes, onehot = _dumps(entries)
    n = len(entries)
    sizes = np.asarray(onehot.sum(axis=1)).ravel()
    pooled = np.asarray(p.either.sum(axis=0)).ravel()
    rng = np.random.default_rng(seed)
    tops = np.empty((shuffles, len(names)))
    either = p.either.tocsc()
    for s in range(shuffles):
        dealt = rng.permutation(codes)
        deal = sparse.csr_matrix((np.ones(n), (dealt, np.arange(n))), shape=(len(names), n))
        _, z = _log_odds_z((deal @ either).toarray(), sizes, pooled, n, prior_entries)
        tops[s] = z.max(axis=1)
    return pd.Series(np.quantile(tops, quantile, axis=0), index=names, name="chance_z")


def search_verdict(
    marks: pd.DataFrame, chance: pd.Series, min_share: float = SEARCH_SHARE
) -> pd.DataFrame:
    """Per dump, its top marking word and whether the dump looks like a keyword search's
    results: the word beats chance (``z > chance_z``) and at least `min_share` of the dump's
    entries hold it (``widely_held``); ``search_like`` when both hold.

    `marks`: `marking_words` (sorted as it returns them); `chance`: `chance_z`.
    """
    top = marks.groupby("dump", sort=True).head(1).reset_index(drop=True)
    top["chance_z"] = top["dump"].map(chance).to_numpy()
    top["beats_chance"] = top["z"] > top["chance_z"]
    top["widely_held"] = top["share"] >= min_share
    top["search_like"] = top["beats_chance"] & top["widely_held"]
    return top


def holding(entries: pd.DataFrame, word: str) -> pd.Series:
    """Whether each entry's title or abstract holds a form of `word` (its `word_family`)."""
    key = word_family(word.lower())
    return pd.Series(
        [
            any(word_family(w) == key for w in _words(f"{t} {a}"))
            for t, a in zip(entries["title"], entries["abstract"], strict=True)
        ],
        index=entries.index,
        name=word,
    )


def word_shares(entries: pd.DataFrame, words: list[str]) -> pd.DataFrame:
    """Word x dump table: the share of each dump's entries holding each word (any form)."""
    out = {}
    for w in words:
        out[w] = holding(entries, w).groupby(entries["dump"]).mean()
    table = pd.DataFrame(out).T
    table.index.name, table.columns.name = "word", "dump"
    return table
