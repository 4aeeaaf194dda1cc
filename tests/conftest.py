"""Shared fixtures: real pipeline runs in temp folders (slow, so run once per session), and the
one way tests start a Python child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

# Imported first: sets the portable numerics environment (analysis.numerics) for this process,
# before anything imports numpy, and for every subprocess and notebook kernel started from it.
import analysis  # noqa: F401
from analysis.config import PROJ_ROOT
from analysis.process import apply

apply(embeds_corpus=True)  # the test session is an entry point, like the command line

#: The session runs: a test that uses one (directly or through another fixture) is slow.
RUN_FIXTURES = frozenset({"run_a", "run_b", "run_with_new_dump"})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that needs a session run must be marked slow, so `-m "not slow"` stays quick."""
    used = RUN_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if used and item.get_closest_marker("slow") is None:
        pytest.fail(f"uses {', '.join(sorted(used))} but is not marked @pytest.mark.slow")


def run_python(
    *args: str,
    env: dict[str, str] | None = None,
    drop: Iterable[str] = (),
    timeout: float = 600,
) -> subprocess.CompletedProcess:
    """`python *args` in the project root, offline, with this environment minus `drop` and
    plus `env`; its output captured as text."""
    dropped = set(drop)
    inherited = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=PROJ_ROOT,
        timeout=timeout,
        env={**inherited, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


def run_cli(
    out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m analysis run` into `out` (figures in out/figures), without progress bars."""
    return run_python(
        "-m",
        "analysis",
        "run",
        "--output-dir",
        str(out),
        "--figures-dir",
        str(out / "figures"),
        "--quiet",
        *extra,
        env=env,
        timeout=1200,
    )


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file's bytes and every link's target in `folder` and below, by path inside it:
    what "nothing was written" is checked against."""
    return {
        p.relative_to(folder).as_posix(): str(p.readlink()) if p.is_symlink() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


CACHES = ["embeddings.npz", "vocabulary_embeddings.npz"]


def copy_caches(src: Path, dst: Path) -> None:
    """Give `dst` the embedding caches of an earlier run, so only new texts get embedded."""
    import shutil

    dst.mkdir(parents=True, exist_ok=True)
    for f in CACHES:
        shutil.copy(src / f, dst / f)


@pytest.fixture(scope="session")
def browser():  # -> playwright's Browser
    """The system Chromium, headless, driven by playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    from analysis.plots.screenshot import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def papers():  # -> pd.DataFrame
    """The real corpus, one row per paper (`analysis.dataset.load_papers`)."""
    from analysis.dataset import load_papers

    return load_papers()


@pytest.fixture(scope="session")
def claims(papers):  # -> pd.DataFrame
    """Every speed-up claim of the real corpus (`analysis.analyses.speedups`)."""
    from analysis.analyses.speedups import extract_speedups

    return extract_speedups(papers)


@pytest.fixture(scope="session")
def run_a(tmp_path_factory) -> Path:
    """The default run on the default engine (in-process, all threads), by the CLI into its
    own folder. It starts from data/processed's embedding caches when a run left them there
    (`make test` executes the notebooks first, and notebook 01 builds that run): the caches are
    keyed by their inputs, so only texts they lack get embedded. run_b recomputes everything."""
    out = tmp_path_factory.mktemp("run_a")
    made = PROJ_ROOT / "data" / "processed"
    if all((made / f).is_file() for f in CACHES):
        copy_caches(made, out)
    res = run_cli(out)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def run_b(tmp_path_factory) -> Path:
    """A second cold run, recomputing everything, on the other engine and thread counts: a Dask
    LocalCluster of two single-threaded worker processes, and this run's own process
    single-threaded too (OMP_NUM_THREADS=1, MKL_NUM_THREADS=1)."""
    out = tmp_path_factory.mktemp("run_b")
    res = run_cli(
        out,
        "--force",
        "--engine",
        "dask",
        "--workers",
        "2",
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def corpus_vectors(run_a: Path):  # -> np.ndarray
    """The real corpus' embeddings, as run_a cached them (333 x 384, L2-normalised)."""
    import numpy as np  # not at the top: numpy must come after analysis (see above)

    with np.load(run_a / "embeddings.npz") as z:
        return z["vectors"]


@pytest.fixture(scope="session")
def seed_1_model(corpus_vectors):  # -> ThemeModel
    """The default consensus from seed 1 on the real corpus (no map): the disjoint-seed check's
    first side, and the fitted model the estimator tests inspect (fitted once, shared)."""
    from analysis.modeling import ThemeModel

    return ThemeModel(random_state=1, with_map=False).fit(corpus_vectors)


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
    """The real dumps plus a crafted dump of hostile titles, run through the CLI (one fit).

    The embedding caches of `run_a` are copied in, so only the new papers are embedded.
    """
    import shutil

    from analysis.config import RAW_DIR
    from analysis.dataset import write_dump

    root = tmp_path_factory.mktemp("newdump")
    raw = root / "raw"
    raw.mkdir()
    for p in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(p, raw / p.name)
    write_dump(HOSTILE, raw / "999_crafted.txt", page_date="Nov 23")
    out = root / "out"
    copy_caches(run_a, out)
    # one fit, not the consensus: what these tests check does not depend on how themes agree
    res = run_cli(out, "--raw-dir", str(raw), "--consensus-seeds", "1")
    assert res.returncode == 0, res.stderr
    return out
