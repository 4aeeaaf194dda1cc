"""Atomic writes (`analysis.io`): an interrupted write never leaves half a file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.io import sha256_text, write_atomic, write_text_atomic


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
