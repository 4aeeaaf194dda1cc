"""The whole run on the real data: artifacts, themes, names, determinism across engines and
thread counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.artifacts import load_artifacts, load_run, run_differences
from analysis.config import DEFAULT, PROJ_ROOT, ClusterConfig
from analysis.run_sets import current_set
from benchmarks.targets import DECODING_SPEEDUP_TITLES

from .conftest import copy_caches, run_cli, snapshot

pytestmark = pytest.mark.slow

PAPER_COLUMNS = [
    "paper_id",
    "title",
    "abstract",
    "dumps",
    "theme_id",
    "theme_name",
    "nearest_theme_id",
    "membership",
    "fit",
    "misfit",
    "better_theme_id",
    "area",
    "summary",
    "hub",
    "x",
    "y",
]


def test_artifacts_written_as_one_checked_set(run_a: Path):
    """The run's files sit in one set that `current` points to; run.json records the sha256 of
    every other file of the set, figures included; the published figures are the set's."""
    from analysis.io import sha256_file

    folder = current_set(run_a)
    assert (run_a / "current").is_symlink() and folder.parent == run_a / "runs"
    meta = json.loads((folder / "run.json").read_text())
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == sorted([*meta["artifacts"], "run.json"])
    for name in ["papers.parquet", "themes.csv", "occurrences.parquet", "theme_model.npz"]:
        assert name in meta["artifacts"]
    for name in ["theme_map.png", "theme_map.svg", "theme_sizes.png", "paper_map.html"]:
        assert meta["artifacts"][f"figures/{name}"] == sha256_file(run_a / "figures" / name)
    for name, digest in meta["artifacts"].items():
        assert sha256_file(folder / name) == digest, name
    assert (run_a / "embeddings.npz").is_file()  # caches stay beside the sets
    assert [p.name for p in run_a.iterdir() if p.name.endswith(".tmp")] == []
    assert [p.name for p in (run_a / "runs").iterdir()] == [folder.name]  # no staging left


def test_papers_table_contract(run_a: Path):
    papers, themes = load_artifacts(run_a)
    assert len(papers) == 333 and papers["paper_id"].is_unique
    for c in PAPER_COLUMNS:
        assert c in papers.columns, c
    out = papers["theme_id"] == -1
    assert (papers.loc[out, "membership"] == 0).all()
    assert (papers.loc[~out, "nearest_theme_id"] == papers.loc[~out, "theme_id"]).all()
    assert papers["nearest_theme_id"].between(0, len(themes) - 1).all()
    assert papers[["x", "y"]].notna().all().all()
    assert (papers["n_windows"] >= 2).all()  # no text fits one window: none was truncated
    sizes = papers[~out].groupby("theme_id").size()
    assert sizes.to_dict() == dict(zip(themes["theme_id"], themes["size"], strict=True))


def test_theme_counts_meet_targets(run_a: Path):
    papers, themes = load_artifacts(run_a)
    assert 10 <= len(themes) <= 20
    assert (papers["theme_id"] == -1).mean() <= 0.15
    assert not (run_a / "broad_themes.csv").exists()  # no level above the themes holds


def test_names_unique_and_the_three_topics_findable_by_name(run_a: Path):
    """Decoding speed-ups, language-model pretraining, and compression:
    each is in a theme's name."""
    _, themes = load_artifacts(run_a)
    assert themes["theme_name"].is_unique
    names = themes["theme_name"].str.lower()
    assert "decoding speedups" in set(names)
    assert names.str.contains("language model pretraining").sum() == 1
    assert names.str.contains("compression").sum() >= 2  # models and data apart
    assert names.str.contains("data compression").sum() == 1


def test_names_are_judged_on_members_they_were_not_chosen_from(run_a: Path):
    _, themes = load_artifacts(run_a)
    for col in ("heldout_coverage", "heldout_precision", "name_coverage", "name_precision"):
        assert themes[col].between(0, 1).all(), col
    assert (themes["name_fits"] == (themes["heldout_coverage"] >= 0.5)).all()
    assert themes["name_fits"].all(), themes[["theme_name", "heldout_coverage"]]


def test_evidence_quotes_members_verbatim(run_a: Path):
    papers, themes = load_artifacts(run_a)
    abstracts = dict(zip(papers["paper_id"], papers["abstract"], strict=True))
    theme_of = dict(zip(papers["paper_id"], papers["theme_id"], strict=True))
    for t in themes.itertuples():
        assert 2 <= len(t.evidence) <= 3, t.theme_name
        ids = []
        for quote in t.evidence:
            sentence, pid = quote.rsplit(" [", 1)
            pid = pid.rstrip("]")
            assert sentence in abstracts[pid] and theme_of[pid] == t.theme_id
            ids.append(pid)
        assert len(set(ids)) == len(ids)  # from different members


def test_misfits_are_flagged_selectively_and_catch_the_misplaced(run_a: Path):
    """At most about a quarter of the members; among them papers a domain reader found in
    the wrong theme (scene text, tokenizers, channel estimation, forecasting)."""
    papers, themes = load_artifacts(run_a)
    members = papers[papers["theme_id"] >= 0]
    assert 0 < members["misfit"].mean() <= 0.25
    assert not papers.loc[papers["theme_id"] < 0, "misfit"].any()
    mis = papers[papers["misfit"]]
    assert (mis["better_theme_id"] != mis["theme_id"]).all()
    assert mis["better_theme_id"].between(-1, len(themes) - 1).all()
    assert (mis["better_theme_id"] >= 0).mean() > 0.9  # mostly a better theme to name
    assert (papers.loc[~papers["misfit"], "better_theme_id"] == -1).all()
    by_title = papers.set_index("title")
    for start in [
        "Context Perception Parallel Decoder for Scene Text",
        "Training-Free Tokenizer Transplantation",
        "Cross-Tokenizer Distillation",
        "AdaFortiTran",
        "Building a Safer Maritime Environment",
        "Prithvi WxC",
        "N2N Learning",
    ]:
        row = by_title[by_title.index.str.startswith(start)].iloc[0]
        assert row["theme_id"] < 0 or row["misfit"], start
    fit = members["fit"]
    assert fit.between(0, 1).all() and papers.loc[papers["theme_id"] < 0, "fit"].isna().all()


def test_keywords_are_clean(run_a: Path):
    _, themes = load_artifacts(run_a)
    banned = {"the", "we", "propose", "paper", "model", "results", "and", "of", "to"}
    for kws in themes["keywords"]:
        assert len(kws) == 10
        words = {w for k in kws for w in k.split()}
        assert not words & banned, words & banned
    start = themes["start_here_titles"]
    assert start.map(len).eq(5).all()


def test_decoding_speedups_theme_holds_the_decoding_papers(run_a: Path):
    papers, _ = load_artifacts(run_a)
    by_title = papers.set_index("title")
    assert set(DECODING_SPEEDUP_TITLES) <= set(by_title.index)
    got = by_title.loc[DECODING_SPEEDUP_TITLES, "theme_name"]
    assert (got == "Decoding speedups").sum() >= 6, got.to_dict()
    # and all ten sit in themes named for decoding
    assert got.str.contains("decoding", case=False).all(), got.to_dict()


def test_compression_theme_makes_sense_and_language_models_have_a_home(run_a: Path):
    """The data compression theme is about compressing; the encoder-decoder layout runs through
    many themes (speech, medical, code, ...), while the language-model pretraining and
    architecture papers (encoder-decoder against decoder-only among them) have a theme named for
    them, which the findings name."""
    from analysis.narrative.themes import findings

    papers, themes = load_artifacts(run_a)
    comp = papers[papers["theme_name"] == "Learned data compression"]
    assert comp["abstract"].str.contains("compress", case=False).mean() >= 0.5
    says = papers[papers["abstract"].str.contains(r"encoder[- ]decoder", case=False)]
    held = says.loc[says["theme_id"] >= 0, "theme_name"].value_counts()
    assert held.iloc[0] < 0.5 * len(says) and len(held) >= 5, held
    lm = themes[themes["theme_name"].str.contains("Language model pretraining")]
    assert len(lm) == 1
    lm_papers = papers[papers["theme_id"] == lm["theme_id"].iloc[0]]
    for start in ("What Language Model Architecture", "Decoder-Only or Encoder-Decoder"):
        assert lm_papers["title"].str.startswith(start).any(), start
    where = next(s for s in findings(papers, themes) if s.startswith("Themes named for three"))
    assert f"**{lm['theme_name'].iloc[0]}**" in where, where


def test_quantization_and_pruning_papers_sit_under_a_compression_name(run_a: Path):
    """Titles that say quantization, pruning or KV-cache compression: most of them in a theme
    whose name says compression or quantization."""
    papers, _ = load_artifacts(run_a)
    hit = papers["title"].str.contains(r"quantiz|pruning|prune|kv[- ]?cache", case=False)
    assert hit.sum() >= 8, papers.loc[hit, "title"].tolist()
    named = papers.loc[hit, "theme_name"].str.contains("compression|quantization", case=False)
    assert named.mean() > 0.5, papers.loc[hit, ["title", "theme_name"]].to_dict("records")


def test_themes_table_says_how_stable_and_where_to_start(run_a: Path):
    papers, themes = load_artifacts(run_a)
    assert themes["stability"].between(0, 1).all()
    fit = dict(zip(papers["paper_id"], papers["fit"], strict=True))
    mis = dict(zip(papers["paper_id"], papers["misfit"], strict=True))
    for t in themes.itertuples():
        assert len(t.start_here_ids) == 5 and not any(mis[i] for i in t.start_here_ids)
        fits = [fit[i] for i in t.start_here_ids]
        assert fits == sorted(fits, reverse=True)


def test_run_json_records_parameters_versions_inputs(run_a: Path):
    meta = json.loads((current_set(run_a) / "run.json").read_text())
    assert meta["parameters"]["cluster.random_state"] == ClusterConfig().random_state
    assert meta["versions"]["torch"].startswith("2.13.0")
    assert len(meta["inputs"]) == 5 and all(len(h) == 64 for h in meta["inputs"].values())
    assert meta["embedding"]["texts_over_one_window"] == 333
    assert meta["compute"] == {
        "engine": "in-process",
        "workers": 0,
        "scheduler": None,
        "oversubscribe": False,
    }
    assert str(PROJ_ROOT) not in json.dumps(meta)  # no machine paths in artifacts


def test_run_b_really_used_the_other_engine(run_a: Path, run_b: Path):
    """What the determinism test compares: how each run computed is recorded, not compared."""
    a, b = (json.loads((current_set(r) / "run.json").read_text()) for r in (run_a, run_b))
    plain = {"scheduler": None, "oversubscribe": False}
    assert a["compute"] == {"engine": "in-process", "workers": 0, **plain}
    assert b["compute"] == {"engine": "dask", "workers": 2, **plain}
    differ = {k for k in a["parameters"] if a["parameters"][k] != b["parameters"].get(k)}
    assert differ == {"processed_dir"}  # the two temp folders' names, nothing else
    assert not any(k.startswith("compute") for k in a["parameters"])


def test_deterministic_across_runs_engines_and_thread_counts(run_a: Path, run_b: Path):
    ea, eb = np.load(run_a / "embeddings.npz"), np.load(run_b / "embeddings.npz")
    assert np.array_equal(ea["vectors"], eb["vectors"])
    assert (current_set(run_a) / "themes.csv").read_bytes() == (
        current_set(run_b) / "themes.csv"
    ).read_bytes()
    pa, pb = (
        pd.read_parquet(current_set(run_a) / "papers.parquet"),
        pd.read_parquet(current_set(run_b) / "papers.parquet"),
    )
    pd.testing.assert_frame_equal(pa, pb)
    ma, mb = load_run(run_a).model, load_run(run_b).model
    assert np.array_equal(ma.centroids_, mb.centroids_)
    assert ma.assign_threshold_ == mb.assign_threshold_ and ma.metadata_ == mb.metadata_
    for name in ("theme_map.png", "theme_map.svg", "theme_sizes.png", "paper_map.html"):
        assert (run_a / "figures" / name).read_bytes() == (run_b / "figures" / name).read_bytes()


def test_artifacts_are_current_whatever_engine_made_them(run_b: Path):
    cfg = DEFAULT.replace(processed_dir=run_b, figures_dir=run_b / "figures")
    assert run_differences(cfg) == []  # the default engine, though run_b used Dask
    assert run_differences(cfg.replace(cluster=ClusterConfig(random_state=1))) == [
        "cluster.random_state = 42 (now 1)"
    ]


def test_saved_theme_model_is_the_runs(run_a: Path):
    papers, themes = load_artifacts(run_a)
    model = load_run(run_a).model
    assert model.n_themes_ == len(themes)
    assert model.metadata_["theme_names"] == themes["theme_name"].tolist()
    meta = json.loads((current_set(run_a) / "run.json").read_text())
    assert model.metadata_["embedding_key"] == meta["embedding"]["key"]
    with np.load(run_a / "embeddings.npz") as z:  # rows in papers' order
        X = z["vectors"]
    labels = papers["theme_id"].to_numpy()
    means = np.stack([X[labels == t].mean(0) for t in range(len(themes))])
    np.testing.assert_allclose(
        model.centroids_, means / np.linalg.norm(means, axis=1, keepdims=True), atol=1e-6
    )


def test_warm_rerun_reuses_cache_and_is_identical(run_a: Path, tmp_path: Path):
    out = tmp_path / "warm"
    copy_caches(run_a, out)
    res = run_cli(out, "--no-figures")
    assert res.returncode == 0, res.stderr
    assert "embedded 0 of 333 texts (333 from cache)" in res.stdout
    assert (current_set(out) / "themes.csv").read_bytes() == (
        current_set(run_a) / "themes.csv"
    ).read_bytes()


def test_a_rerun_reads_its_fits_back_and_starts_no_engine(run_a: Path, tmp_path: Path):
    """The same folder run again: embeddings, graph, fits and map come from their caches, no
    engine is started (run.json says so), and the set's data and figures are run_a's bytes."""
    import shutil

    out = tmp_path / "again"
    shutil.copytree(run_a, out, symlinks=True)
    res = run_cli(out)
    assert res.returncode == 0, res.stderr
    meta = json.loads((current_set(out) / "run.json").read_text())
    assert meta["compute"] == {"engine": None}
    before = json.loads((current_set(run_a) / "run.json").read_text())["artifacts"]
    assert meta["artifacts"] == before  # every file of the set, figures included


def test_notebooks_never_rebuild_over_a_run_with_other_options(run_a: Path, tmp_path: Path):
    """ensure_run (the notebooks' setup) loads a run made with another seed as it is, with one
    warning; it rebuilds only a folder with no run."""
    import dataclasses
    import shutil

    from analysis.artifacts import OtherRunWarning
    from analysis.notebook import ensure_run

    out = tmp_path / "out"
    shutil.copytree(run_a, out, symlinks=True, ignore=shutil.ignore_patterns("figures"))
    before = snapshot(out)
    cfg = DEFAULT.replace(
        processed_dir=out,
        figures_dir=tmp_path / "fig",
        cluster=dataclasses.replace(DEFAULT.cluster, random_state=7),
    )
    said = r"cluster\.random_state = 42 \(now 7\)\); showing that run"
    with pytest.warns(OtherRunWarning, match=said):
        papers = ensure_run(cfg).papers
    assert len(papers) == 333
    assert snapshot(out) == before
    assert not (tmp_path / "fig").exists()


def _shuffled_dumps(raw: Path) -> None:
    """The real dumps with the entries inside each file in another order, and the files
    renamed so that they sort the other way round."""
    import random

    from analysis.config import RAW_DIR
    from analysis.dataset import read_dump, write_dump

    paths = sorted(RAW_DIR.glob("*.txt"))
    for i, p in enumerate(paths):
        df = read_dump(p)
        rows = list(zip(df["title"], df["abstract"], strict=True))
        random.Random(i).shuffle(rows)
        write_dump(rows, raw / f"{len(paths) - i}_{p.name}", page_date=df["page_date"].iloc[0])


def test_permuted_input_gives_byte_identical_themes(run_a: Path, tmp_path: Path):
    """Entries shuffled within every dump and the dump files in reverse order: the same themes,
    names, model and maps, byte for byte; per paper the same theme, fit and map position."""
    raw = tmp_path / "raw"
    raw.mkdir()
    _shuffled_dumps(raw)
    out = tmp_path / "out"
    copy_caches(run_a, out)
    res = run_cli(out, "--raw-dir", str(raw))
    assert res.returncode == 0, res.stderr
    assert "embedded 0 of 333 texts" in res.stdout  # the same texts
    for name in ("themes.csv", "theme_model.npz"):
        assert (current_set(out) / name).read_bytes() == (current_set(run_a) / name).read_bytes()
    for name in ("theme_map.png", "theme_map.svg", "theme_sizes.png"):
        a, b = run_a / "figures" / name, out / "figures" / name
        assert a.read_bytes() == b.read_bytes(), name
    pa = pd.read_parquet(current_set(run_a) / "papers.parquet").set_index("paper_id")
    pb = pd.read_parquet(current_set(out) / "papers.parquet").set_index("paper_id")
    assert list(pa.index) == list(pb.index)  # rows in paper_id order, whatever the input's
    same = [c for c in pa.columns if c not in ("dumps", "first_dump", "first_rank")]
    pd.testing.assert_frame_equal(pa[same], pb[same])
