"""What the listings are (`analysis.analyses.listings`): marking words, chance, the verdict and
the rank, on crafted dumps whose answer is known and on the real dumps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.analyses import listing_rank, listings
from analysis.analyses.explore import dump_label
from analysis.config import OUTLIER_NAME
from analysis.dataset import load_entries, load_occurrences


def entries_of(dumps: dict[str, list[tuple[str, str]]], date: str = "Jan 1") -> pd.DataFrame:
    """Entries table of crafted dumps: name -> [(title, abstract), ...] in listing order."""
    rows = []
    for dump, items in dumps.items():
        for rank, (title, abstract) in enumerate(items):
            rows.append(
                {
                    "paper_id": f"{dump}-{rank}",
                    "title": title,
                    "abstract": abstract,
                    "dump": dump,
                    "rank": rank,
                    "page_date": date,
                }
            )
    return pd.DataFrame(rows)


def quantum_dumps(n: int = 12) -> pd.DataFrame:
    """d1: every abstract says "quantum"; d2: none does; half of each says "common"."""
    return entries_of(
        {
            "d1": [(f"Paper {i}", f"quantum{' common' * (i % 2)}") for i in range(n)],
            "d2": [(f"Paper {i}", f"graph{' common' * (i % 2)}") for i in range(n)],
        }
    )


def row(marks: pd.DataFrame, dump: str, word: str) -> pd.Series:
    hit = marks[(marks["dump"] == dump) & (marks["word"] == word)]
    assert len(hit) == 1, f"{word!r} in {dump}: {len(hit)} rows"
    return hit.iloc[0]


def test_a_word_every_entry_of_a_dump_holds_marks_it_with_a_high_z():
    marks = listings.marking_words(quantum_dumps())
    top = marks[marks["dump"] == "d1"].iloc[0]
    assert top["word"] == "quantum"
    assert top["z"] > 3
    assert top["share"] == 1.0 and top["share_abstract"] == 1.0 and top["share_title"] == 0.0
    assert top["share_elsewhere"] == 0.0 and top["holding"] == 12 and top["entries"] == 12
    # the other way round it marks d2 negatively, by as much
    assert row(marks, "d2", "quantum")["z"] == pytest.approx(-top["z"])


def test_a_word_equally_common_everywhere_has_z_zero():
    marks = listings.marking_words(quantum_dumps())
    for dump in ("d1", "d2"):
        r = row(marks, dump, "common")
        assert r["share"] == 0.5 and r["share_elsewhere"] == 0.5
        assert r["z"] == pytest.approx(0.0, abs=1e-12)


def test_ties_are_broken_alphabetically_and_rows_follow_dumps_then_z():
    # "zebra" and "apple" are held by the same entries: equal z, apple first
    e = entries_of(
        {
            "d2": [("T", "zebra apple walk")] * 6 + [("T", "walk")] * 6,
            "d1": [("T", "walk")] * 12,
        }
    )
    marks = listings.marking_words(e)
    assert list(marks["dump"].unique()) == ["d1", "d2"]
    d2 = marks[marks["dump"] == "d2"]
    assert list(d2["word"].head(2)) == ["apple", "zebra"]
    assert d2["z"].iloc[0] == d2["z"].iloc[1]
    assert d2["z"].is_monotonic_decreasing
    assert list(listings.marking_words(e, top=1)["word"]) == ["walk", "apple"]


def test_the_prior_keeps_z_finite_pulls_log_odds_in_and_few_entries_weigh_less():
    e = entries_of(
        {
            "d1": [("T", "rare half")] * 2 + [("T", "half")] * 18 + [("T", "plain")] * 20,
            "d2": [("T", "plain")] * 40,
        }
    )
    weak, strong = listings.marking_words(e, prior_entries=1.0), listings.marking_words(e)
    for w in ("rare", "half"):  # d2 never holds them: still a finite z
        assert np.isfinite(row(weak, "d1", w)["z"]) and np.isfinite(row(strong, "d1", w)["z"])
        assert 0 < row(strong, "d1", w)["log_odds"] < row(weak, "d1", w)["log_odds"]
    # held by 2 entries rather than 20: the standard error makes it weigh less
    assert row(strong, "d1", "rare")["z"] < row(strong, "d1", "half")["z"] / 2


def test_title_and_abstract_shares_are_counted_apart():
    e = entries_of(
        {
            "d1": [("Quantum title", "plain text"), ("Plain", "quantum text"), ("Plain", "text")],
            "d2": [("Plain", "quantum text"), ("Plain", "text")],
        }
    )
    r = row(listings.marking_words(e), "d1", "quantum")
    assert r["holding"] == 2 and r["entries"] == 3
    assert r["share_title"] == pytest.approx(1 / 3) and r["share_abstract"] == pytest.approx(1 / 3)
    assert r["share"] == pytest.approx(2 / 3) and r["share_elsewhere"] == 0.5
    assert r["label"] == "d1 · Jan 1"


def test_words_are_the_projects_tokens_with_forms_folded_and_hyphen_parts_counted():
    e = entries_of(
        {
            "d1": [("A decoder", "the decoders and decoding with cross-attention")],
            "d2": [("Decode it", "we propose a model; e.g. x-ray")],
        }
    )
    marks = listings.marking_words(e)
    words = set(marks["word"])
    assert {"decode", "cross", "attention", "cross-attention", "ray", "x-ray"} <= words
    # stop words (English and the corpus boilerplate) and one-letter words are not words
    assert not words & {"the", "and", "with", "we", "propose", "model", "e", "g", "x"}
    # each form is held by one entry: the family is named by the first form a-z
    r = row(marks, "d1", "decode")
    assert r["forms"] == "decode/decoder/decoders/decoding"
    assert r["share"] == 1.0 and r["share_elsewhere"] == 1.0  # "Decode" is the same family


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["decoder", "decoders", "decoding", "decode", "decoded", "decodes"], True),
        (["encoder", "encodings", "encoding"], True),
        (["share", "shared", "sharing", "shares"], True),
        (["architecture", "architectures"], True),
        (["channel", "channels"], True),
        (["cross", "cros"], False),  # "cross" keeps its "s"
        (["map", "maps"], False),  # too short to fold
        (["cross-attention", "cross-attentions"], False),  # hyphenated words are kept whole
    ],
)
def test_word_family(words, same):
    keys = {listings.word_family(w) for w in words}
    assert (len(keys) == 1) is same


def test_words_that_are_no_plural_keep_their_s():
    for w in ["cross", "loss", "analysis", "focus", "map", "gpt"]:
        assert listings.word_family(w) == w


def test_holding_matches_the_marking_table():
    e = quantum_dumps()
    held = listings.holding(e, "Quantum")
    assert held.sum() == 12 and held[e["dump"] == "d1"].all()
    assert listings.holding(e, "graphs").sum() == 12  # any form of the word
    shares = listings.word_shares(e, ["quantum", "common"])
    assert shares.loc["quantum"].to_dict() == {"d1": 1.0, "d2": 0.0}
    assert shares.loc["common"].to_dict() == {"d1": 0.5, "d2": 0.5}


def test_one_dump_cannot_be_compared():
    with pytest.raises(ValueError, match="two or more dumps"):
        listings.marking_words(entries_of({"d1": [("T", "a text")]}))


def noise_dumps(plant: bool, seed: int = 1) -> pd.DataFrame:
    """Three dumps of 30 entries with words drawn at random from one vocabulary; with
    `plant`, every entry of d0 also says "quantum"."""
    rng = np.random.default_rng(seed)
    vocab = [f"word{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    dumps = {}
    for d in range(3):
        items = []
        for _ in range(30):
            text = " ".join(rng.choice(vocab, size=6, replace=False))
            items.append(("T", text + (" quantum" if plant and d == 0 else "")))
        dumps[f"d{d}"] = items
    return entries_of(dumps)


def test_chance_is_beaten_by_a_planted_word_and_not_by_noise():
    planted = noise_dumps(plant=True)
    marks = listings.marking_words(planted)
    chance = listings.chance_z(planted, shuffles=200)
    verdict = listings.search_verdict(marks, chance)
    first = verdict.set_index("dump").loc["d0"]
    assert first["word"] == "quantum" and first["beats_chance"] and first["search_like"]
    noise = noise_dumps(plant=False)
    verdict = listings.search_verdict(
        listings.marking_words(noise), listings.chance_z(noise, shuffles=200)
    )
    assert not verdict["beats_chance"].any()


def test_chance_is_the_same_every_run_and_depends_on_the_seed():
    e = noise_dumps(plant=False)
    a = listings.chance_z(e, shuffles=50)
    assert a.equals(listings.chance_z(e, shuffles=50))
    assert not a.equals(listings.chance_z(e, shuffles=50, seed=1))
    assert list(a.index) == ["d0", "d1", "d2"] and a.name == "chance_z"


def test_search_verdict_needs_both_chance_and_share():
    marks = pd.DataFrame(
        {
            "dump": ["a", "a", "b", "c"],
            "label": ["a", "a", "b", "c"],
            "word": ["x", "y", "z", "w"],
            "z": [5.0, 4.0, 5.0, 2.0],
            "share": [0.5, 0.9, 0.2, 0.9],
        }
    )
    chance = pd.Series({"a": 3.0, "b": 3.0, "c": 3.0})
    v = listings.search_verdict(marks, chance, min_share=0.4).set_index("dump")
    assert v.loc["a", "word"] == "x" and v.loc["a", "search_like"]
    assert v.loc["b", "beats_chance"] and not v.loc["b", "widely_held"]
    assert not v.loc["b", "search_like"]
    assert v.loc["c", "widely_held"] and not v.loc["c", "beats_chance"]
    assert not v.loc["c", "search_like"]


def test_relative_rank_and_listing_tops():
    e = entries_of({"d1": [("A", "x"), ("B", "x"), ("C", "x")], "d2": [("Solo", "x")]})
    assert listing_rank.relative_rank(e).tolist() == [0.0, 0.5, 1.0, 0.0]
    tops = listing_rank.listing_tops(e, n=2)
    assert tops["title"].tolist() == ["A", "B", "Solo"]
    assert tops["position"].tolist() == [1, 2, 1]
    assert tops["label"].iloc[0] == "d1 · Jan 1"


def test_rank_and_word_sees_holders_first():
    first = [("T", "quantum stuff")] * 10 + [("T", "other stuff")] * 10
    e = entries_of({"d1": first, "d2": [("T", "other stuff")] * 20})
    verdict = pd.DataFrame({"dump": ["d1"], "label": ["d1"], "word": ["quantum"]})
    r = listing_rank.rank_and_word(e, verdict).iloc[0]
    assert r["share_top_half"] == 1.0  # ranks 0..9 of 0..19 are the top half
    assert r["share_bottom_half"] == 0.0
    assert r["median_rank_holding"] < r["median_rank_other"]
    assert r["p_value"] < 0.001
    # the same words in shuffled order: holders are not first any more
    mixed = entries_of({"d1": first[::2] + first[1::2], "d2": [("T", "other")] * 20})
    mixed["abstract"] = ["quantum" if i % 2 == 0 else "other" for i in range(20)] + ["o"] * 20
    r = listing_rank.rank_and_word(mixed, verdict).iloc[0]
    assert r["p_value"] > 0.5


def test_rank_by_theme_and_its_test():
    e = entries_of({"d1": [("T", "quantum a")] * 6 + [("T", "b")] * 6 + [("T", "c")] * 2})
    theme = ["Top"] * 6 + ["Bottom"] * 6 + ["Tiny"] * 2
    papers = pd.DataFrame({"paper_id": e["paper_id"], "theme_name": theme})
    by_theme = listing_rank.rank_by_theme(e, papers, min_entries=3)
    assert by_theme["theme_name"].tolist() == ["Top", "Bottom"]  # Tiny has too few entries
    assert by_theme["median_rank"].iloc[0] < by_theme["median_rank"].iloc[1]
    assert by_theme["share_top_half"].tolist() == [1.0, pytest.approx(1 / 6)]
    test = listing_rank.rank_theme_test(e, papers, min_entries=3)
    assert test.groups == 2 and test.entries == 12 and test.p_value < 0.01
    # outliers are not a theme
    papers.loc[papers["theme_name"] == "Bottom", "theme_name"] = OUTLIER_NAME
    assert listing_rank.rank_by_theme(e, papers, min_entries=3)["theme_name"].tolist() == ["Top"]
    with pytest.raises(ValueError, match="two or more themes"):
        listing_rank.rank_theme_test(e, papers, min_entries=3)


def test_rank_by_theme_with_the_verdict_and_the_link():
    # one listing: Top (all hold the word) first, Middle (half) next, Bottom (none) last
    rows = [("T", "quantum a")] * 6 + [("T", "quantum c"), ("T", "c")] * 3 + [("T", "b")] * 6
    e = entries_of({"d1": rows, "d2": [("T", "b")]})
    theme = ["Top"] * 6 + ["Middle"] * 6 + ["Bottom"] * 6 + ["Tiny"]
    papers = pd.DataFrame({"paper_id": e["paper_id"], "theme_name": theme})
    verdict = pd.DataFrame({"dump": ["d1", "d2"], "label": ["d1", "d2"], "word": ["quantum"] * 2})
    assert listing_rank.holds_own_word(e, verdict).sum() == 9
    t = listing_rank.rank_by_theme(e, papers, verdict, min_entries=3)
    assert t["theme_name"].tolist() == ["Top", "Middle", "Bottom"]
    assert t["share_holding"].tolist() == [1.0, 0.5, 0.0]
    rho, _ = listing_rank.rank_word_link(t)
    assert rho == pytest.approx(-1.0)
    # the other way round: the themes that hold the word sit last
    t["share_holding"] = t["share_holding"].to_numpy()[::-1]
    assert listing_rank.rank_word_link(t)[0] == pytest.approx(1.0)


def test_same_date_pairs():
    occ = pd.DataFrame(
        {
            "paper_id": ["a", "b", "a", "c", "d", "a"],
            "dump": ["000_x", "000_x", "001_y", "001_y", "001_y", "002_z"],
            "page_date": ["Mar 11", "Mar 11", "Mar 11", "Mar 11", "Mar 11", "Jul 1"],
        }
    )
    pairs = listing_rank.same_date_pairs(occ)
    assert len(pairs) == 1
    p = pairs.iloc[0]
    assert (p["label_a"], p["label_b"]) == ("000 · Mar 11", "001 · Mar 11")
    assert (p["papers_a"], p["papers_b"], p["shared"]) == (2, 3, 1)


def test_focus_words_names_the_word_the_lifted_theme_holds():
    e = entries_of(
        {
            "d1": [("T", "quantum spin")] * 4 + [("T", "graph spin")] * 4,
            "d2": [("T", "graph walk")] * 8,
        }
    )
    theme = ["Q"] * 4 + ["G"] * 12
    papers = pd.DataFrame({"paper_id": e["paper_id"], "theme_name": theme})
    marks = listings.marking_words(e)
    f = listing_rank.focus_words(e, papers, marks).set_index("dump")
    assert f.loc["d1", "theme"] == "Q" and f.loc["d1", "lift"] == pytest.approx(2.0)
    # "spin" and "quantum" are both held by all of Q: the tie goes to the alphabet
    assert f.loc["d1", "word"] == "quantum" and f.loc["d1", "share_holding"] == 1.0
    assert f.loc["d1", "share_in_dump"] == 0.5
    assert f.loc["d2", "theme"] == "G" and f.loc["d2", "word"] == "graph"  # graph, walk: a-z


# --- the real dumps ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    entries = load_entries()
    marks = listings.marking_words(entries)
    verdict = listings.search_verdict(marks, listings.chance_z(entries))
    return entries, marks, verdict


def label_of(entries: pd.DataFrame, date: str) -> list[str]:
    dumps = entries.loc[entries["page_date"] == date, "dump"].unique()
    return [dump_label(d, date) for d in sorted(dumps)]


def test_real_mar_13_is_marked_by_architecture_and_encoder(real):
    entries, marks, _ = real
    assert label_of(entries, "Mar 13") == ["002 · Mar 13"]
    mar13 = marks[marks["label"] == "002 · Mar 13"]
    assert mar13["word"].iloc[0] == "architecture"
    top5 = mar13.head(5).set_index("word")
    assert {"encoder", "encoder-decoder"} <= set(top5.index)
    assert top5.loc["encoder", "z"] > 3
    assert top5.loc["encoder", "share"] > top5.loc["encoder", "share_elsewhere"] + 0.15
    # readers counted "encoder" in 61 and "decoder" in 59 of its 101 abstracts
    decoder = row(mar13, mar13["dump"].iloc[0], "decoder")
    assert decoder["entries"] == 101 and decoder["holding"] >= 59 and decoder["z"] > 0


def test_real_verdict_every_dump_looks_like_a_keyword_search(real):
    entries, _, verdict = real
    v = verdict.set_index("label")
    assert v["word"].to_dict() == {
        "000 · Jul 11": "cross",
        "001 · Mar 11": "decoder",
        "002 · Mar 13": "architecture",
        "003 · Oct 2": "channel",
        "004 · Mar 11": "shared",
    }
    assert v["search_like"].all()
    assert (v["share"] >= listings.SEARCH_SHARE).all() and (v["z"] > v["chance_z"]).all()
    jul = v.loc["000 · Jul 11"]
    assert jul["holding"] >= 61 and jul["entries"] == 86 and jul["share_elsewhere"] < 0.2
    from analysis.narrative.dumps import verdict_text

    assert "rather than one trending list" in verdict_text(verdict, listings.SEARCH_SHARE)
    # each marking count is what `holding` finds in the texts
    for r in verdict.itertuples():
        in_dump = entries["dump"] == r.dump
        assert listings.holding(entries[in_dump], r.word).sum() == r.holding


def test_real_holders_come_first_and_the_mar_11_dumps_barely_overlap(real):
    entries, _, verdict = real
    ranks = listing_rank.rank_and_word(entries, verdict)
    assert (ranks["share_top_half"] > ranks["share_bottom_half"]).all()
    assert (ranks["p_value"] < 0.05).all()
    pairs = listing_rank.same_date_pairs(load_occurrences(entries=entries))
    assert pairs[["label_a", "label_b", "shared"]].values.tolist() == [
        ["001 · Mar 11", "004 · Mar 11", 6]
    ]
