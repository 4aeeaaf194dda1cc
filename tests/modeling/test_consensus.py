"""Consensus themes (`analysis.modeling.consensus`): crafted labelings, the sparse linkage against
the dense one on the real fits, and on the real corpus the targets themes must meet: disjoint
seed sets agree, and small input changes (one paper added, however long; one word edited)
leave the other papers' themes in place."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.config import ClusterConfig
from analysis.modeling import ThemeModel
from analysis.modeling.consensus import (
    MAX_FITS,
    consensus_labels,
    edge_coassociation,
    member_confidence,
    seed_set,
    stability,
    theme_coassociation,
)
from analysis.run_sets import current_set
from tests.conftest import copy_caches, run_cli

#: Three fits of six papers: papers 0-2 always together, 3-4 together twice, 5 an outlier twice.
RUNS = [
    np.array([0, 0, 0, 1, 1, -1]),
    np.array([1, 1, 1, 0, 0, -1]),
    np.array([0, 0, 0, 1, 2, 2]),
]
#: Every paper a neighbour of every other: the linkage may merge any two groups.
EVERYONE = np.tile(np.arange(6), (6, 1))


def dense_average_linkage(labelings, cut: float, min_size: int) -> np.ndarray:
    """The reference: scipy's average linkage on the dense co-association matrix."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    L = np.asarray(labelings)
    n = L.shape[1]
    C = np.zeros((n, n))
    for lab in L:
        for t in np.unique(lab[lab >= 0]):
            idx = np.flatnonzero(lab == t)
            C[np.ix_(idx, idx)] += 1
    d = 1 - squareform(C / len(L), checks=False)
    groups = fcluster(linkage(d, "average"), cut, "distance")
    ids, counts = np.unique(groups, return_counts=True)
    keep = set(ids[counts >= min_size].tolist())
    return np.array([g if g in keep else -1 for g in groups])


def test_edge_coassociation_counts_shared_themes_not_shared_outliers():
    pairs = np.array([[0, 1], [1, 2], [3, 4], [4, 5], [0, 3], [5, 5]])
    got = edge_coassociation(RUNS, pairs)
    assert got[:2].tolist() == [1.0, 1.0]
    assert got[2] == pytest.approx(2 / 3)
    assert got[3] == pytest.approx(1 / 3)
    assert got[4] == 0.0
    assert got[5] == pytest.approx(1 / 3)  # an outlier shares no theme, not even with itself
    assert np.array_equal(got, edge_coassociation(RUNS[::-1], pairs))  # fits' order is moot


def test_consensus_cut_and_minimum_size():
    lab = consensus_labels(RUNS, EVERYONE, 0.5, min_size=2)
    assert lab[0] == lab[1] == lab[2] >= 0
    assert lab[3] == lab[4] >= 0 and lab[3] != lab[0]
    assert lab[5] == -1  # joins 4 in one fit of three only
    assert (consensus_labels(RUNS, EVERYONE, 0.5, min_size=3)[3:] == -1).all()  # too small now


def test_groups_merge_only_along_the_neighbour_graph():
    none = np.full((6, 1), -1)
    # no edges: only papers with the same theme in every fit (distance 0) group
    assert consensus_labels(RUNS, none, 0.5, min_size=2).tolist() == [0, 0, 0, -1, -1, -1]
    chain = np.array([[1], [2], [0], [4], [3], [4]])  # 0-1-2 and 3-4-5 joined
    lab = consensus_labels(RUNS, chain, 0.5, min_size=2)
    assert lab[0] == lab[1] == lab[2] >= 0 and lab[3] == lab[4] >= 0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cut", [0.3, 0.5, 0.7])
def test_sparse_linkage_is_the_dense_average_linkage(seed: int, cut: float):
    """With every pair a candidate, the sparse linkage cuts exactly where scipy's does."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 4, 40)
    runs = [np.where(rng.random(40) < 0.15, rng.integers(-1, 4, 40), base) for _ in range(7)]
    everyone = np.tile(np.arange(40), (40, 1))
    got = consensus_labels(runs, everyone, cut, min_size=3)
    assert adjusted_rand_score(dense_average_linkage(runs, cut, 3), got) == 1.0


def test_theme_coassociation():
    C = theme_coassociation(np.array([0, 0, 0, 1, 1, -1]), RUNS)
    assert C[0, 0] == 1.0
    assert C[0, 1] == C[1, 0] == 0.0
    assert C[1, 1] == pytest.approx((4 + 4 + 2) / (3 * 4))  # 3-4 apart in the last fit


def test_too_many_fits_are_refused():
    with pytest.raises(ValueError, match=f"at most {MAX_FITS}"):
        consensus_labels(np.zeros((MAX_FITS + 1, 3), int), EVERYONE[:3, :3], 0.5, 1)


def test_stability_and_confidence():
    lab = np.array([0, 0, 0, 1, 1, -1])
    st = stability(lab, RUNS)
    assert st[0] == 1.0  # every fit found exactly papers 0-2
    assert st[1] == pytest.approx((1 + 1 + 1 / 2) / 3)  # the third fit split 3-4: best {3}
    conf = member_confidence(lab, RUNS)
    assert conf[:3].tolist() == [1.0, 1.0, 1.0]
    assert conf[4] == pytest.approx(2 / 3)
    assert conf[5] == pytest.approx(2 / 3)  # an outlier in two fits of three


def test_seed_sets_of_distant_seeds_are_disjoint():
    n = ClusterConfig().consensus_seeds
    assert seed_set(1, n) == list(range(1, n + 1))
    assert not set(seed_set(1, n)) & set(seed_set(1000, n))


@pytest.mark.slow
def test_the_real_consensus_is_the_dense_average_linkage(seed_1_model: ThemeModel):
    """On the real fits, the sparse linkage on the shared neighbour graph gives the dense
    linkage's themes."""
    m = seed_1_model
    got = m.labels_ >= 0
    dense = dense_average_linkage(m.run_labels_, m.consensus_cut, m.min_cluster_size)
    assert adjusted_rand_score(dense, m.labels_) == 1.0
    assert got.sum() == (dense >= 0).sum()


@pytest.mark.slow
def test_disjoint_seed_sets_agree(corpus_vectors, seed_1_model):
    a = seed_1_model
    b = ThemeModel(random_state=1000, with_map=False).fit(corpus_vectors)
    assert adjusted_rand_score(a.labels_, b.labels_) >= 0.9
    for m in (a, b):
        assert 10 <= m.n_themes_ <= 20
        assert (m.labels_ < 0).mean() <= 0.15
        assert m.run_labels_.shape == (ClusterConfig().consensus_seeds, len(corpus_vectors))
        assert ((m.stability_ > 0) & (m.stability_ <= 1)).all()


def _run_on(tmp: Path, run_a: Path, edit) -> pd.DataFrame:
    from analysis.config import RAW_DIR

    raw = tmp / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    edit(raw)
    out = tmp / "out"
    copy_caches(run_a, out)
    res = run_cli(out, "--raw-dir", str(raw), "--no-figures")
    assert res.returncode == 0, res.stderr
    return pd.read_parquet(current_set(out) / "papers.parquet")


def _agreement(before: pd.DataFrame, after: pd.DataFrame, skip: set[str]) -> float:
    both = before.merge(after, on="paper_id", suffixes=("", "_after"))
    both = both[~both["paper_id"].isin(skip)]
    assert len(both) >= len(before) - len(skip)
    return adjusted_rand_score(both["theme_id"], both["theme_id_after"])


@pytest.mark.slow
def test_a_one_paper_dump_leaves_the_other_themes(tmp_path, run_a):
    from analysis.dataset import write_dump

    paper = (
        "Lookahead Drafting for Faster Speculative Decoding",
        "We study speculative decoding for large language models, in which a small draft model "
        "proposes several tokens that the target model verifies in one forward pass. A "
        "lookahead tree of drafts raises the number of accepted tokens per step, and the "
        "output distribution stays that of the target model. On summarisation and code "
        "generation the method decodes 2.8x faster than autoregressive decoding.",
    )
    after = _run_on(tmp_path, run_a, lambda raw: write_dump([paper], raw / "999_one.txt"))
    before = pd.read_parquet(current_set(run_a) / "papers.parquet")
    assert len(after) == len(before) + 1
    assert _agreement(before, after, set()) >= 0.95


@pytest.mark.slow
def test_one_very_long_paper_leaves_the_other_themes(tmp_path, run_a):
    """A 100,000-character abstract made of thirty abstracts of every field: its pooled vector
    sits near most of the corpus (a hub), and is left out of the fits."""
    from analysis.dataset import write_dump

    before = pd.read_parquet(current_set(run_a) / "papers.parquet")
    mixed = " ".join(before.sample(30, random_state=0)["abstract"])
    abstract = (mixed * (100_000 // len(mixed) + 1))[:100_000].rsplit(" ", 1)[0] + "."
    paper = ("A Very Long Survey of Everything", abstract)
    after = _run_on(tmp_path, run_a, lambda raw: write_dump([paper], raw / "999_long.txt"))
    assert len(after) == len(before) + 1
    assert _agreement(before, after, set()) >= 0.95
    long = after[after["title"] == paper[0]].iloc[0]
    assert long["hub"] and long["theme_id"] == -1


@pytest.mark.slow
def test_a_one_word_edit_leaves_the_other_themes(tmp_path, run_a):
    before = pd.read_parquet(current_set(run_a) / "papers.parquet")
    abstract = before["abstract"].iloc[0]
    assert " the " in abstract

    def edit(raw: Path) -> None:
        for p in sorted(raw.glob("*.txt")):
            text = p.read_text(encoding="utf-8")
            if abstract in text:
                p.write_text(
                    text.replace(abstract, abstract.replace(" the ", " a ", 1)), encoding="utf-8"
                )

    after = _run_on(tmp_path, run_a, edit)
    changed = after[after["title"] == before["title"].iloc[0]]["abstract"].iloc[0]
    assert changed != abstract  # the edit reached the run
    assert _agreement(before, after, {before["paper_id"].iloc[0]}) >= 0.95
