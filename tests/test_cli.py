"""The command line: help, a clean run's summary, and one-line errors on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis.config import PROJ_ROOT

ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def cli(*args: str, cwd: Path = PROJ_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=600,
    )


def test_help_documents_options():
    out = cli("run", "--help")
    assert out.returncode == 0
    for opt in ("--model", "--seed", "--min-cluster-size", "--raw-dir", "--output-dir", "--force"):
        assert opt in out.stdout
    assert str(PROJ_ROOT) not in out.stdout  # no machine paths in the help


def test_bad_dump_exits_nonzero_with_one_line(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.txt").write_text("new\n\nJul 11\n\nA lonely title\n", encoding="utf-8")
    out = cli("run", "--raw-dir", str(raw), "--output-dir", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 2
    err = out.stderr.strip().splitlines()
    assert err == [
        "error: broken.txt:5: title 'A lonely title' has no abstract: the file ends (truncated?)"
    ]
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_raw_dir_is_one_line(tmp_path: Path):
    out = cli("run", "--raw-dir", str(tmp_path / "nope"), "--output-dir", str(tmp_path / "o"))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "no such folder" in out.stderr


def test_atomic_write_leaves_normal_permissions(tmp_path: Path):
    from analysis.io import write_text_atomic

    p = write_text_atomic(tmp_path / "a.txt", "x")
    plain = tmp_path / "b.txt"
    plain.write_text("x")
    assert p.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # not mkstemp's 0600
