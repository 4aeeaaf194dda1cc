"""Atomic writes (`analysis.io`): an interrupted write never leaves half a file behind, folders
are checked (and their free space) before the work, a full device is one line, and killed runs'
temp files are cleaned up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.io import (
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


def test_a_full_device_is_one_line_naming_the_file_and_the_room_needed(tmp_path: Path):
    import errno

    def full(tmp: Path) -> None:
        tmp.write_bytes(b"x" * 10)
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    with pytest.raises(WriteError) as e:
        write_atomic(tmp_path / "embeddings.npz", full, needed=3_000_000)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(f"cannot write {tmp_path / 'embeddings.npz'}: no space left")
    assert "free there; about 3.0 MB needed)" in msg
    assert list(tmp_path.iterdir()) == []  # no temp file left


def test_check_space_refuses_a_device_with_less_room_than_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import shutil
    from collections import namedtuple

    from analysis.io import check_space

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 5_000_000, 5_000_000))
    check_space(tmp_path, "output folder", 4_000_000)  # room enough
    with pytest.raises(
        WriteError,
        match=r"^output folder .* has 5.0 MB free; this run needs "
        r"about 33.3 MB$",
    ):
        check_space(tmp_path, "output folder", 33_300_000)


def test_the_writability_probe_writes_a_real_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """On a full disk an empty file can still be made; the probe must write and flush a byte."""
    import errno

    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(
        WriteError,
        match=r"^output folder .* is not writable: no space left on the "
        r"device \(.* free there\)$",
    ):
        check_writable(tmp_path, "output folder")
    monkeypatch.setattr(os, "write", real_write)
    assert list(tmp_path.iterdir()) == []
