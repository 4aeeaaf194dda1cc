"""Shared fixtures: real pipeline runs in temp folders (slow, so run once per session)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.config import PROJ_ROOT


def run_cli(
    out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--output-dir",
            str(out),
            "--figures-dir",
            str(out / "figures"),
            "--quiet",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=PROJ_ROOT,
        timeout=1200,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


@pytest.fixture(scope="session")
def run_a(tmp_path_factory) -> Path:
    """A cold run (nothing cached) with the default thread count."""
    out = tmp_path_factory.mktemp("run_a")
    res = run_cli(out)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def run_b(tmp_path_factory) -> Path:
    """A second cold run, single-threaded (OMP_NUM_THREADS=1), recomputing everything."""
    out = tmp_path_factory.mktemp("run_b")
    res = run_cli(out, "--force", env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    assert res.returncode == 0, res.stderr
    return out
