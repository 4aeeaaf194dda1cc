"""Atomic writes (`analysis.io`): an interrupted write never leaves half a file behind, a set of
files is replaced all or none, folders are checked before the work, and killed runs' temp files
are cleaned up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.io import (
    StagedWrites,
    WriteError,
    atomic_path,
    check_writable,
    remove_stale_temps,
    sha256_text,
    write_atomic,
    write_text_atomic,
)


def test_atomic_write_leaves_normal_permissions(tmp_path: Path):
    p = write_text_atomic(tmp_path / "a.txt", "x")
    plain = tmp_path / "b.txt"
    plain.write_text("x")
    assert p.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # not mkstemp's 0600


def test_interrupted_write_keeps_the_old_file(tmp_path: Path):
    path = write_text_atomic(tmp_path / "a.txt", "old")

    def half_then_interrupted(tmp: Path) -> None:
        tmp.write_text("ne")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, half_then_interrupted)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_sha256_text_knows_where_each_part_ends():
    assert sha256_text("ab", "c") != sha256_text("a", "bc")


def test_staged_writes_replace_all_or_none(tmp_path: Path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("old")
    (tmp_path / "c.txt").unlink()
    (tmp_path / "c.txt").mkdir()  # a folder where a file must go: the last rename fails
    with pytest.raises(OSError), StagedWrites() as stage:
        for name in ("a.txt", "b.txt", "c.txt"):
            stage.path(tmp_path / name).write_text("new")
    assert (tmp_path / "a.txt").read_text() == "old"
    assert (tmp_path / "b.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]
    # a failure while writing, before any rename, leaves them too
    with pytest.raises(KeyboardInterrupt), StagedWrites() as stage:
        stage.path(tmp_path / "a.txt").write_text("new")
        raise KeyboardInterrupt
    assert (tmp_path / "a.txt").read_text() == "old"
    with StagedWrites() as stage:
        for name in ("a.txt", "b.txt"):
            stage.path(tmp_path / name).write_text("new")
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "b.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_check_writable_makes_missing_folders_and_names_the_bad_one(tmp_path: Path):
    assert check_writable(tmp_path / "x" / "y", "output folder").is_dir()
    (tmp_path / "f").write_text("")
    with pytest.raises(WriteError, match=r"^output folder .*f is a file, not a folder$"):
        check_writable(tmp_path / "f", "output folder")
    with pytest.raises(WriteError, match="is not writable"):
        check_writable(tmp_path / "f" / "sub", "figures folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "x"]  # no probe left


def test_stale_temps_of_dead_writers_go_and_nothing_else(tmp_path: Path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    names = {
        f".theme_map.png.{dead_pid}.ab12cd_9.tmp": False,  # its writer has exited
        ".theme_map.png.ab12cd_9.tmp": False,  # left by a version without pids
        f".papers.parquet.{dead_pid}.ab12cd_9.bak.tmp": False,
        f".papers.parquet.{os.getppid()}.ab12cd_9.tmp": True,  # a running writer's
        ".notes.tmp": True,  # not ours
        "theme_map.png": True,
    }
    for n in names:
        (tmp_path / n).write_text("x")
    gone = remove_stale_temps(tmp_path)
    assert sorted(p.name for p in gone) == sorted(n for n, keep in names.items() if not keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, k in names.items() if k)


def test_temp_names_carry_the_writers_pid(tmp_path: Path):
    with atomic_path(tmp_path / "a.txt") as tmp:
        assert f".a.txt.{os.getpid()}." in tmp.name
        assert remove_stale_temps(tmp_path) == []  # this process is running
        tmp.write_text("x")
    assert (tmp_path / "a.txt").read_text() == "x"
