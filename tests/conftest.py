"""Shared fixtures: real pipeline runs in temp folders (slow, so run once per session)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Imported first: sets the portable numerics environment (analysis.numerics) for this process,
# before anything imports numpy, and for every subprocess and notebook kernel started from it.
import analysis  # noqa: F401
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


CACHES = ["embeddings.npz", "vocabulary_fine_embeddings.npz", "vocabulary_broad_embeddings.npz"]


def copy_caches(src: Path, dst: Path) -> None:
    """Give `dst` the embedding caches of an earlier run, so only new texts get embedded."""
    import shutil

    dst.mkdir(parents=True, exist_ok=True)
    for f in CACHES:
        shutil.copy(src / f, dst / f)


@pytest.fixture(scope="session")
def run_a(tmp_path_factory) -> Path:
    """A cold run (nothing cached) with the default thread count."""
    out = tmp_path_factory.mktemp("run_a")
    res = run_cli(out)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def run_b(tmp_path_factory) -> Path:
    """A second cold run, single-threaded (OMP_NUM_THREADS=1), recomputing everything, and
    embedding in-process where run_a used the forked worker."""
    out = tmp_path_factory.mktemp("run_b")
    res = run_cli(
        out,
        "--force",
        "--embed-in-process",
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    assert res.returncode == 0, res.stderr
    return out


HOSTILE = [
    (
        '<script>window.__pwned = "title"</script> Speculative Decoding for Hostile Titles',
        "We propose a speculative decoding method with a small draft model that proposes tokens "
        "which the large target model verifies in parallel, giving lossless acceleration of "
        "large language model inference. </script><script>window.__pwned = 'abstract'</script> "
        "Experiments show a 2.5x speedup over autoregressive decoding on several benchmarks.",
    ),
    (
        "<img src=x onerror=\"window.__pwned = 'img'\"> Learned Image Compression Revisited",
        "We revisit learned image compression with a hyperprior entropy model and a new "
        "channel-wise autoregressive context, improving rate-distortion performance over JPEG, "
        "BPG and VVC intra coding at low bitrates. <b>bold</b> & <i>italic</i> stay text. "
        "Code will be released.",
    ),
]


@pytest.fixture(scope="session")
def run_with_new_dump(tmp_path_factory, run_a: Path) -> Path:
    """The real dumps plus a crafted dump of hostile titles, run through the CLI.

    The embedding caches of `run_a` are copied in, so only the new papers are embedded.
    """
    import shutil

    from analysis.config import RAW_DIR
    from analysis.load import write_dump

    root = tmp_path_factory.mktemp("newdump")
    raw = root / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    write_dump(HOSTILE, raw / "999_crafted.txt", page_date="Nov 23")
    out = root / "out"
    copy_caches(run_a, out)
    res = run_cli(out, "--raw-dir", str(raw))
    assert res.returncode == 0, res.stderr
    return out
