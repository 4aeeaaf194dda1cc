"""Consensus themes (`analysis.modeling.consensus`): crafted labelings, and on the real corpus the
targets themes must meet: disjoint seed sets agree, and small input changes leave the other
papers' themes in place."""

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
    coassociation,
    consensus_labels,
    member_confidence,
    seed_set,
    stability,
)
from tests.conftest import copy_caches, run_cli

#: Three fits of six papers: papers 0-2 always together, 3-4 together twice, 5 an outlier twice.
RUNS = [
    np.array([0, 0, 0, 1, 1, -1]),
    np.array([1, 1, 1, 0, 0, -1]),
    np.array([0, 0, 0, 1, 2, 2]),
]


def test_coassociation_counts_shared_themes_not_shared_outliers():
    C = coassociation(RUNS)
    assert C[0, 1] == C[1, 2] == 1.0
    assert C[3, 4] == pytest.approx(2 / 3)
    assert C[4, 5] == pytest.approx(1 / 3)
    assert C[0, 3] == 0.0
    assert C[5, 5] == pytest.approx(1 / 3)  # an outlier shares no theme, not even with itself
    assert np.array_equal(C, coassociation(RUNS[::-1]))  # order of the fits does not matter


def test_consensus_cut_and_minimum_size():
    C = coassociation(RUNS)
    lab = consensus_labels(C, 0.5, min_size=2)
    assert lab[0] == lab[1] == lab[2] >= 0
    assert lab[3] == lab[4] >= 0 and lab[3] != lab[0]
    assert lab[5] == -1  # joins 4 in one fit of three only
    assert (consensus_labels(C, 0.5, min_size=3)[3:] == -1).all()  # 3-4 too small now


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
    return pd.read_parquet(out / "papers.parquet")


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
    before = pd.read_parquet(run_a / "papers.parquet")
    assert len(after) == len(before) + 1
    assert _agreement(before, after, set()) >= 0.95


@pytest.mark.slow
def test_a_one_word_edit_leaves_the_other_themes(tmp_path, run_a):
    before = pd.read_parquet(run_a / "papers.parquet")
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
    changed = after.set_index("paper_id").loc[before["paper_id"].iloc[0], "abstract"]
    assert changed != abstract  # the edit reached the run
    assert _agreement(before, after, {before["paper_id"].iloc[0]}) >= 0.95
