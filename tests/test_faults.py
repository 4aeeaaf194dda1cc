"""Faults a run must survive, each with an intact set and at most one line to say it:

1. a run killed at any file event: `current` points to a whole set, old or new, byte for
   byte (every event of a run, and real SIGKILLs at each step of the switch, each followed by
   a run that cleans up and finishes the job); readers during a run never see a mix;
2. figures are part of the set; a full device while they are published replaces none;
3. titles with no letter or digit never merge (`test_symbol_only_titles_keep_apart`);
4. a full device while the embedding cache or the set is written is one line naming the file
   and the room needed, and the previous set stays current;
5. a Dask scheduler that cannot be reached is one line within the connect timeout, before any
   work (malformed addresses and too many workers: `tests/test_cli.py`);
6. arguments out of range are refused before any work (`tests/test_cli.py`);
7. the sweep's stamp matches its table (`test_a_sweep_stamp_*`);
8. CSV cells a spreadsheet would run are escaped (`tests/analyses/test_reading_lists.py`);
9. `assign` refuses missing titles and abstracts (`tests/test_query_arguments.py`).

Faults are injected by `tests.fault_injection` (an audit hook in the run's own process).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.config import PROJ_ROOT

from .conftest import run_python

#: The new run: another seed and one fit (quick), so its set differs from run_a's.
NEW = ("--seed", "7", "--consensus-seeds", "1")


def _run_args(out: Path) -> list[str]:
    return ["run", "--output-dir", str(out), "--figures-dir", str(out / "figures"), "--quiet"]


def faulty(
    action: str, at: str, out: Path, *extra: str
) -> tuple[subprocess.CompletedProcess, list]:
    """`python -m analysis run` into `out` with NEW and `extra`, `action` at event `at`; the
    run's result and its logged events."""
    log = out.parent / f"events-{action}-{time.monotonic_ns()}.jsonl"
    res = run_python(
        "-m", "tests.fault_injection", action, at, str(log), "--",
        *_run_args(out), *NEW, *extra,
        timeout=900,
    )  # fmt: skip
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return res, events


def set_state(out: Path) -> dict:
    from .fault_injection import set_state as state

    return state(str(out), str(out / "figures"))


def copy_of(old: Path, where: Path) -> Path:
    out = where / "out"
    shutil.copytree(old, out, symlinks=True)
    return out


def leftovers(out: Path) -> list[str]:
    """Staging folders, temp files and temp links anywhere in the output folder."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob(".*")
        if ".staging." in p.name or p.name.endswith(".tmp")
    )


@pytest.fixture(scope="module")
def old(run_a: Path, tmp_path_factory) -> Path:
    """run_a's folder as it is (its set current, its figures published), copied."""
    return copy_of(run_a, tmp_path_factory.mktemp("faults-old"))


@pytest.fixture(scope="module")
def old_state(old: Path) -> dict:
    return set_state(old)


@pytest.fixture(scope="module")
def counted(old: Path, tmp_path_factory) -> tuple[list, dict]:
    """The new run on a copy of `old`, every file event logged with the state a kill there
    would leave; and the state it ends in."""
    out = copy_of(old, tmp_path_factory.mktemp("faults-new"))
    res, events = faulty("count", "0", out)
    assert res.returncode == 0, res.stderr
    return events, set_state(out)


@pytest.mark.slow
def test_at_every_file_event_the_current_set_is_whole_old_or_new(counted, old_state):
    events, new_state = counted
    assert new_state["set"] != old_state["set"] and new_state["verified"]
    assert len(events) > 40  # probes, locks, the set's files, the switch, the publish
    sets = []
    for k, event, path, state in events:
        assert state["verified"], (k, event, path)
        assert state["digest"] in (old_state["digest"], new_state["digest"]), (k, event, path)
        for name, digest in state["figures"].items():  # each published figure: whole
            assert digest in (old_state["figures"][name], new_state["figures"][name]), name
        sets.append(state["set"])
    switch = sets.index(new_state["set"])
    assert set(sets[:switch]) == {old_state["set"]} and set(sets[switch:]) == {new_state["set"]}
    before = events[switch - 1]  # the last event with the old set current: the switch itself
    assert before[1] == "os.rename" and before[2].endswith("/current")
    assert events[-1][3]["figures"] == new_state["figures"]


def _step(events: list, step: str) -> str:
    """The event number of a step of the run, from the counted run's log."""
    tests = {
        "writing the set": lambda e, p: e == "to_parquet" and "/runs/.staging." in p,
        "naming the set": lambda e, p: e == "os.rename" and re.search(r"/runs/[0-9a-f]{16}$", p),
        "making the pointer": lambda e, p: e == "os.symlink",
        "switching the pointer": lambda e, p: e == "os.rename" and p.endswith("/current"),
        "publishing the figures": lambda e, p: (
            e == "os.rename" and "/figures/" in p and "/runs/" not in p
        ),
    }
    return str(next(k for k, e, p, _ in events if tests[step](e, p)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("step", "current_after"),
    [
        ("writing the set", "old"),
        ("naming the set", "old"),
        ("making the pointer", "old"),
        ("switching the pointer", "old"),
        ("publishing the figures", "new"),
    ],
)
@pytest.mark.slow
def test_a_sigkill_at_each_step_leaves_one_whole_set_and_the_next_run_finishes(
    step: str, current_after: str, old: Path, old_state: dict, counted, tmp_path: Path
):
    events, new_state = counted
    out = copy_of(old, tmp_path)
    res, _ = faulty("kill", _step(events, step), out)
    assert res.returncode == -9, res.stderr
    state = set_state(out)
    want = old_state if current_after == "old" else new_state
    assert state["verified"] and (state["set"], state["digest"]) == (want["set"], want["digest"])
    from analysis.artifacts import load_run

    assert load_run(out).folder.name == want["set"]  # what queries and notebooks read
    again, _ = faulty("count", "0", out)  # the same run, undisturbed
    assert again.returncode == 0, again.stderr
    state = set_state(out)
    # the new set's data and figures, byte for byte, and its record; only how it computed may
    # differ: the killed run had cached its fits, so the rerun starts no engine and says so
    assert state["verified"]
    assert (state["files"], state["record"], state["figures"]) == (
        new_state["files"],
        new_state["record"],
        new_state["figures"],
    )
    assert state["compute"] in ({"engine": None}, new_state["compute"])
    assert leftovers(out) == []  # staging folders, temp files and links of the killed run
    assert len(list((out / "runs").iterdir())) <= 2  # the current set and the one before


READER = """
import json, sys, time
from pathlib import Path
from analysis.artifacts import load_run

out, stop = Path(sys.argv[1]), Path(sys.argv[2])
seen, errors, loads = [], [], 0
while not stop.exists():
    try:
        run = load_run(out)
        sizes = run.papers[run.papers["theme_id"] >= 0].groupby("theme_id").size()
        same = sizes.tolist() == run.themes["size"].tolist()
        same &= run.record["counts"]["themes"] == len(run.themes) == run.model.n_themes_
        same &= run.model.metadata_["theme_names"] == run.themes["theme_name"].tolist()
        same &= run.occurrences["paper_id"].nunique() == len(run.papers)
        if not same:
            errors.append(f"mixed: {run.folder.name}")
        if not seen or seen[-1] != run.folder.name:
            seen.append(run.folder.name)
        loads += 1
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
print(json.dumps({"loads": loads, "errors": errors, "seen": seen}))
"""


@pytest.mark.slow
def test_readers_during_a_slow_switch_never_see_a_mix(
    old: Path, old_state: dict, counted, tmp_path: Path
):
    """Every rename and link outside the staging folder takes 1.5 s (a slow disk) while a
    reader loads the current set over and over, as queries and notebooks do."""
    _, new_state = counted
    out = copy_of(old, tmp_path)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out), str(stop)],
        cwd=PROJ_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        res, events = faulty("slow", "1", out)
    finally:
        stop.touch()
        said, _ = reader.communicate(timeout=120)
    assert res.returncode == 0, res.stderr
    slowed = [
        p for _, e, p, _ in events if e in ("os.rename", "os.symlink") and ".staging." not in p
    ]
    assert len(slowed) >= 3  # the set's rename, the link, the switch (and the figures')
    got = json.loads(said.strip().splitlines()[-1])
    assert got["errors"] == []
    assert got["seen"] == [old_state["set"], new_state["set"]]  # before the switch, then after
    assert got["loads"] >= 20


@pytest.mark.slow
@pytest.mark.parametrize(
    ("at", "file", "current_after"),
    [
        ("=open:themes.csv", "runs/.staging.", "old"),
        ("=open:figures/.staging.", "figures/.staging.", "new"),
    ],
)
def test_a_full_device_while_writing_is_one_line_and_keeps_a_whole_set(
    at: str, file: str, current_after: str, old: Path, old_state: dict, counted, tmp_path: Path
):
    """While the set is written (the old one stays current), while its figures are published
    (the new set is current; no published figure is replaced)."""
    _, new_state = counted
    out = copy_of(old, tmp_path)
    res, _ = faulty("enospc", at, out)
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1, res.stderr
    assert err[0].startswith(f"error: cannot write {out}/") and file in err[0]
    assert "no space left on the device (" in err[0] and " needed)" in err[0]
    state = set_state(out)
    want = old_state if current_after == "old" else new_state
    assert state["verified"] and state["digest"] == want["digest"]
    assert state["figures"] == old_state["figures"]  # none replaced
    assert leftovers(out) == []


@pytest.mark.slow
def test_a_full_device_while_the_embedding_cache_is_written_is_one_line(
    old: Path, old_state: dict, tmp_path: Path
):
    """New texts to embed (a dump added), the cache write fails: one line naming the cache and
    the room it needed, the previous set current, no temp file."""
    from analysis.config import RAW_DIR
    from analysis.dataset import write_dump

    from .conftest import HOSTILE

    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    write_dump(HOSTILE, raw / "999_new.txt")
    out = copy_of(old, tmp_path)
    res, _ = faulty("enospc", "=open:.embeddings.npz.", out, "--raw-dir", str(raw))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    err = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(err) == 1, res.stderr  # besides the warning that two texts are new
    assert re.fullmatch(
        rf"error: cannot write {re.escape(str(out))}/embeddings\.npz: no space left on the "
        r"device \([\d,.]+ [MG]B free there; about [\d,.]+ MB needed\)",
        err[0],
    ), err[0]
    state = set_state(out)
    assert state["verified"] and state["digest"] == old_state["digest"]
    assert leftovers(out) == []


@pytest.fixture
def listener(request):
    """A local server that accepts connections and then stays silent (`silent`) or answers
    what a web server would (`web`): not a Dask scheduler either way."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if request.param == "web":
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4)

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()


def _refused_before_any_work(out: Path, old_state: dict, address: str) -> tuple[str, float]:
    t0 = time.monotonic()
    res = run_python("-m", "analysis", *_run_args(out), "--scheduler", address)
    took = time.monotonic() - t0
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1, res.stderr
    assert "entries in" not in res.stdout  # refused before loading anything
    assert set_state(out)["digest"] == old_state["digest"]
    return err[0], took


@pytest.mark.slow
def test_a_scheduler_nobody_listens_at_is_one_line_at_once(
    old: Path, old_state: dict, tmp_path: Path
):
    err, took = _refused_before_any_work(copy_of(old, tmp_path), old_state, "tcp://127.0.0.1:1")
    assert err == (
        "error: Dask scheduler tcp://127.0.0.1:1 cannot be reached within 10 s (Connection "
        "refused); is it running, and is the address right?"
    )
    assert took < 10  # refused at once: no waiting out the timeout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("listener", "said"),
    [
        ("silent", "did not answer within 10 s; is a Dask scheduler listening there?"),
        ("web", "answered, but not as a Dask scheduler does ("),
    ],
    indirect=["listener"],
)
def test_a_scheduler_that_is_no_dask_scheduler_is_one_line_within_the_timeout(
    listener: str, said: str, old: Path, old_state: dict, tmp_path: Path
):
    from analysis.engines import CONNECT_TIMEOUT

    err, took = _refused_before_any_work(copy_of(old, tmp_path), old_state, listener)
    assert err.startswith(f"error: Dask scheduler {listener} {said}"), err
    assert took < CONNECT_TIMEOUT + 20  # the deadline, and the interpreter's start and end


def test_symbol_only_titles_keep_apart(tmp_path: Path):
    """Titles with no letter or digit normalise to nothing: each keeps an id of its own (from
    its raw text and abstract), none is the id of an empty title, nothing is merged."""
    import hashlib
    import warnings

    from analysis.config import RAW_DIR
    from analysis.dataset import load_papers, paper_id, write_dump

    crafted = [
        ("😀😀😀", "A study of smiles in language model outputs, with a new benchmark."),
        ("🚀🔥", "Faster rockets for decoding: a speculative method with two draft heads."),
        ("???", "Questions about questions: a survey of clarification in dialogue."),
    ]
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    write_dump(crafted, raw / "999_symbols.txt")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "conflicting abstracts" merge warning
        papers = load_papers(raw)
    assert len(papers) == 333 + 3
    ids = [paper_id(t, a) for t, a in crafted]
    assert len(set(ids)) == 3 and set(ids) <= set(papers["paper_id"])
    assert hashlib.sha1(b"").hexdigest()[:10] not in set(papers["paper_id"])
    assert sorted(papers.loc[papers["paper_id"].isin(ids), "title"]) == sorted(
        t for t, _ in crafted
    )


# --- the sweep's stamp ------------------------------------------------------------------------


@pytest.fixture
def counted_sweep(monkeypatch: pytest.MonkeyPatch):
    """`analysis.modeling.sweep` replaced by a quick stand-in that says how it was called: a
    table whose one number is the seeds it was given."""
    import pandas as pd

    import analysis.modeling

    calls = []

    def fake(vectors, seeds, base, progress=False):
        calls.append(len(seeds))
        return pd.DataFrame({"n_neighbors": [15], "seeds": [len(seeds)]})

    monkeypatch.setattr(analysis.modeling, "sweep", fake)
    return calls


def test_a_sweep_stamp_matches_its_table_whoever_made_it(counted_sweep, tmp_path: Path):
    """A 1-seed sweep is not the answer to a 5-seed request (the notebook's), nor to other
    vectors; a table whose stamp is another sweep's (a run killed between the two writes)
    is made again."""
    import numpy as np

    from analysis.config import DEFAULT
    from analysis.sweep import SWEEP_FILES, sweep_table

    cfg = DEFAULT.replace(processed_dir=tmp_path)
    X = np.eye(4, dtype=np.float32)
    assert sweep_table(X, cfg, 1)["seeds"].tolist() == [1]
    assert sweep_table(X, cfg, 5)["seeds"].tolist() == [5]  # not the 1-seed table
    assert sweep_table(X, cfg, 5)["seeds"].tolist() == [5]  # reused: no third call
    assert counted_sweep == [1, 5]
    assert sweep_table(X[::-1].copy(), cfg, 5)["seeds"].tolist() == [5]  # other vectors
    assert counted_sweep == [1, 5, 5]
    table = tmp_path / SWEEP_FILES[0]
    table.write_text(table.read_text().replace(",5", ",1"))  # another sweep's table
    assert sweep_table(X[::-1].copy(), cfg, 5)["seeds"].tolist() == [5]
    assert counted_sweep == [1, 5, 5, 5]
    stamp = json.loads((tmp_path / SWEEP_FILES[1]).read_text())
    assert stamp["made_from"]["seeds"] == 5 and len(stamp["table_sha256"]) == 64
    # a stamp of an older layout (the settings alone, no table hash), or not an object
    for older in (stamp["made_from"], ["made_from"]):
        (tmp_path / SWEEP_FILES[1]).write_text(json.dumps(older))
        assert sweep_table(X[::-1].copy(), cfg, 5)["seeds"].tolist() == [5]
    assert counted_sweep == [1, 5, 5, 5, 5, 5]
