"""search / similar / assign (`analysis.queries`), in a fresh process too, and a new dump picked
up everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.config import DEFAULT
from analysis.dataset import write_dump
from analysis.modeling import ThemeModel
from analysis.queries import ThemeIndex
from analysis.run_sets import current_set

from .conftest import HOSTILE, run_python, snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(run_a: Path) -> ThemeIndex:
    return ThemeIndex.load(DEFAULT.replace(processed_dir=run_a))


def test_index_holds_the_runs_theme_model(index: ThemeIndex):
    assert isinstance(index.model, ThemeModel)
    assert index.model.n_themes_ == len(index.themes)
    assert index.model.metadata_["theme_names"] == index.themes["theme_name"].tolist()
    assert index.vectors.shape == (len(index.papers), index.model.centroids_.shape[1])
    # a corpus paper, embedded again, is placed where the model puts its stored vector
    some = index.papers.iloc[:5]
    got = index.assign(some)
    assert got["title"].tolist() == some["title"].tolist()
    assert got["theme_id"].tolist() == index.model.predict(index.vectors[:5]).tolist()
    best = index.model.transform(index.vectors[:5]).max(1)
    np.testing.assert_allclose(got["confidence"], best, atol=1e-4)


def test_search_finds_speculative_decoding(index: ThemeIndex):
    hits = index.search("speculative decoding with a small draft model", k=10)
    assert list(hits.columns) == [
        "paper_id",
        "title",
        "score",
        "theme_name",
        "summary",
        "dumps",
    ]
    assert len(hits) == 10
    assert hits["score"].is_monotonic_decreasing
    top5 = hits["theme_name"].head(5)
    assert top5.isin(["Decoding speedups", "Parallel decoding"]).all()
    assert (top5 == "Decoding speedups").sum() >= 4
    assert hits["title"].str.contains("Speculative|Draft|Medusa", case=False).sum() >= 7


def test_search_rejects_empty_query(index: ThemeIndex):
    with pytest.raises(ValueError, match="non-empty"):
        index.search("   ")


def test_similar_excludes_itself_and_stays_on_topic(index: ThemeIndex):
    p = index.papers
    pid = p.loc[p["title"].str.startswith("HNeRV"), "paper_id"].iloc[0]
    sim = index.similar(pid, k=5)
    assert pid not in set(sim["paper_id"])
    assert (sim["theme_name"] == "Learned data compression").sum() >= 3
    with pytest.raises(KeyError, match="no paper"):
        index.similar("nope")


def test_assign_texts_dataframe_and_dump(index: ThemeIndex, tmp_path: Path):
    texts = [f"{t}. {a}" for t, a in HOSTILE] + [
        "A sourdough recipe. Mix flour and water, feed the starter daily, and bake at 250 "
        "degrees for forty minutes until the crust is dark."
    ]
    got = index.assign(texts)
    assert got["theme_name"].tolist()[:2] == ["Decoding speedups", "Learned data compression"]
    assert got["theme_id"].iloc[2] == -1  # nothing in the corpus is about bread
    assert got["nearest_theme_id"].ge(0).all()
    assert (got["confidence"].iloc[:2] > got["confidence"].iloc[2]).all()
    df = pd.DataFrame(HOSTILE, columns=["title", "abstract"])
    assert index.assign(df)["theme_name"].tolist() == got["theme_name"].tolist()[:2]
    path = write_dump(HOSTILE, tmp_path / "new.txt")
    assert index.assign(path)["theme_name"].tolist() == got["theme_name"].tolist()[:2]


def test_assign_on_the_members_own_texts_gives_their_fitted_theme(index: ThemeIndex):
    """`assign` of a member's own title and abstract embeds it to its stored vector, bit for
    bit, and returns the theme the fit gave it for at least 95% of the members."""
    members = index.papers[index.papers["theme_id"] >= 0]
    sample = members.iloc[::40]  # a few embedded for real
    got = index.assign(sample[["title", "abstract"]])
    placed = index.placed_members().set_index("paper_id")
    assert got["theme_name"].tolist() == placed.loc[sample["paper_id"], "assigned_name"].tolist()
    assert placed["agrees"].mean() >= 0.95
    assert len(placed) == len(members)


FRESH = """
import json, sys
from pathlib import Path
from analysis.config import DEFAULT
from analysis.queries import ThemeIndex

ix = ThemeIndex.load(DEFAULT.replace(processed_dir=Path(sys.argv[1])))
s = ix.search("neural video compression", k=3)
text = "Parallel decoding of several tokens per step for faster LLMs. " + (
    "We decode multiple tokens in parallel and verify them, a lossless speedup. " * 3
)
a = ix.assign(text)
print(json.dumps({"search": s["theme_name"].tolist(), "assign": a["theme_name"].tolist()}))
"""


def test_api_works_in_a_fresh_process(run_a: Path):
    res = run_python("-c", FRESH, str(run_a))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["search"][0] == "Learned data compression"
    assert out["assign"][0] in ("Parallel decoding", "Decoding speedups")


def test_new_dump_is_included_everywhere(run_with_new_dump: Path, run_a: Path):
    papers = pd.read_parquet(current_set(run_with_new_dump) / "papers.parquet")
    assert len(papers) == 333 + len(HOSTILE)
    new = papers[papers["dumps"].map(lambda d: "999_crafted" in list(d))]
    assert sorted(new["title"]) == sorted(t for t, _ in HOSTILE)  # kept verbatim
    occ = pd.read_parquet(current_set(run_with_new_dump) / "occurrences.parquet")
    assert (occ["dump"] == "999_crafted").sum() == len(HOSTILE)
    meta = json.loads((current_set(run_with_new_dump) / "run.json").read_text())
    assert "999_crafted.txt" in meta["inputs"]
    themes = pd.read_csv(current_set(run_with_new_dump) / "themes.csv")
    sizes = papers[papers["theme_id"] >= 0].groupby("theme_id").size()
    assert sizes.to_dict() == dict(zip(themes["theme_id"], themes["size"], strict=True))
    html = (run_with_new_dump / "figures" / "paper_map.html").read_text(encoding="utf-8")
    assert "Hostile Titles" in html


def test_queries_read_another_runs_artifacts_without_writing(run_a: Path):
    """A run made with another seed is answered from, with one warning, and left as it was."""
    import dataclasses

    from analysis.artifacts import OtherRunWarning

    before = snapshot(run_a)
    other = DEFAULT.replace(
        processed_dir=run_a, cluster=dataclasses.replace(DEFAULT.cluster, random_state=7)
    )
    with pytest.warns(OtherRunWarning, match=r"cluster\.random_state = 42 \(now 7\)") as caught:
        ix = ThemeIndex.load(other)
    assert len(caught) == 1
    assert ix.search("speculative decoding", k=3)["theme_name"].iloc[0] == "Decoding speedups"
    assert len(ix.similar(ix.papers["paper_id"].iloc[0], k=2)) == 2
    ix.assign("A speculative decoding method. A draft model proposes tokens to verify.")
    assert snapshot(run_a) == before


def test_a_folder_without_a_run_is_an_error_not_a_run(tmp_path: Path):
    from analysis.run_sets import RunSetError

    with pytest.raises(RunSetError, match=r"no run here yet; make one with `python -m analysis"):
        ThemeIndex.load(DEFAULT.replace(processed_dir=tmp_path))
    assert list(tmp_path.iterdir()) == []


QUERY_AFTER_ANOTHER_RUN = """
import json, warnings
import analysis
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    hits = analysis.search("speculative decoding", k=3)
    analysis.similar(hits["paper_id"].iloc[0], k=2)
print(json.dumps([str(w.message) for w in caught if w.category.__name__ == "OtherRunWarning"]))
"""


def test_the_module_level_queries_never_rebuild(run_a: Path, tmp_path: Path):
    """The default folder holds a run of other inputs (a dump added since): `analysis.search`
    and `similar` answer from it, say so once, and write nothing."""
    import shutil

    from analysis.config import RAW_DIR

    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, root / "data" / "raw" / p.name)
    write_dump(HOSTILE, root / "data" / "raw" / "999_new.txt")
    shutil.copytree(
        run_a, root / "data" / "processed", symlinks=True, ignore=shutil.ignore_patterns("figures")
    )
    before = snapshot(root / "data" / "processed")
    res = run_python("-c", QUERY_AFTER_ANOTHER_RUN, env={"ANALYSIS_ROOT": str(root)})
    assert res.returncode == 0, res.stderr
    said = json.loads(res.stdout.strip().splitlines()[-1])
    assert len(said) == 1 and "dumps added since: 999_new.txt" in said[0]
    assert snapshot(root / "data" / "processed") == before
    assert len(pd.read_parquet(current_set(root / "data" / "processed") / "papers.parquet")) == 333
