"""Portable numerics: the environment that pins CPU-independent code paths, and float64
embeddings that do not depend on batch shapes or thread counts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from analysis.config import PROJ_ROOT, EmbedConfig
from analysis.dataset import load_papers
from analysis.embedding import Embedder, cache_key, resolve_model
from analysis.numerics import PORTABLE_ENV, portability_problems
from analysis.text import paper_texts

from .conftest import run_python


def test_makefile_exports_exactly_the_portable_env():
    """make, its Jupyter kernel and CI get the variables the package checks for."""
    text = (PROJ_ROOT / "Makefile").read_text()
    exported = dict(re.findall(r"^export (\w+) := (.*)$", text, flags=re.M))
    assert {k: exported.get(k) for k in PORTABLE_ENV} == PORTABLE_ENV
    listed = re.search(r"^PORTABLE := (.*)$", text, flags=re.M)
    assert listed is not None and set(listed.group(1).split()) == set(PORTABLE_ENV)


def test_this_process_is_portable():
    # the test suite runs with the portable environment (make test, or conftest's defaults)
    assert portability_problems() == []
    from numpy._core._multiarray_umath import __cpu_features__

    assert not __cpu_features__.get("X86_V4", False)


def _child(code: str, env: dict[str, str]):
    """`code` in a fresh process without the portable environment, plus `env`."""
    return run_python("-c", code, env=env, drop=PORTABLE_ENV, timeout=120)


KERNEL_VARS = ("ATEN_CPU_CAPABILITY", "MKL_CBWR")
EMBED_CHILD = (
    "import sys, numpy as np, torch\n"
    "from analysis.config import EmbedConfig\n"
    "from analysis.dataset import load_papers\n"
    "from analysis.embedding import Embedder\n"
    "from analysis.text import paper_texts\n"
    "path, n, precisions, batch_size, threads = sys.argv[1:]\n"
    "if threads != '0': torch.set_num_threads(int(threads))\n"
    "texts = paper_texts(load_papers())[:int(n)]\n"
    "np.savez(path, **{p: Embedder(EmbedConfig(precision=p, batch_size=int(batch_size)),\n"
    "                              progress=False).encode(texts) for p in precisions.split(',')})"
)


def _embed_in_child(
    path, n: int, precision: str = "float64", batch_size: int = 16, threads: int = 0, **env: str
) -> dict[str, np.ndarray]:
    """The first `n` papers' vectors in each of the comma-separated precisions, embedded in a
    fresh process. Its torch and MKL kernels are the machine's own unless `env` picks others."""
    args = [str(path), str(n), precision, str(batch_size), str(threads)]
    res = run_python("-c", EMBED_CHILD, *args, env=env, drop=KERNEL_VARS, timeout=300)
    assert res.returncode == 0, res.stderr[-500:]
    with np.load(path) as z:
        return {p: z[p] for p in precision.split(",")}


def test_import_analysis_first_sets_the_env_itself():
    res = _child(
        "import warnings; warnings.simplefilter('error'); import analysis, os; "
        "from analysis.numerics import PORTABLE_ENV as P; "
        "print(all(os.environ[k] == v for k, v in P.items()))",
        {},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True"


def test_numpy_imported_first_with_other_paths_warns():
    res = _child(
        "import numpy, warnings\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    import analysis\n"
        "print([str(x.message) for x in w if x.category.__name__ == 'NumericsWarning'])",
        {"NPY_DISABLE_CPU_FEATURES": ""},
    )
    assert res.returncode == 0, res.stderr
    assert "NPY_DISABLE_CPU_FEATURES=''" in res.stdout, res.stdout


@pytest.mark.slow
def test_float64_vectors_do_not_depend_on_batching_batch_size_or_threads(tmp_path):
    """What makes them portable: float64 rounding noise never reaches float32's bits."""
    texts = paper_texts(load_papers())[:12]
    ref = Embedder(EmbedConfig(batching="model", batch_size=16), progress=False).encode(texts)
    assert ref.dtype == np.float32
    got = Embedder(EmbedConfig(batching="token-sorted", batch_size=3), progress=False).encode(texts)
    assert np.array_equal(got, ref)
    one_thread = _embed_in_child(tmp_path / "v.npz", 12, batch_size=5, threads=1)["float64"]
    assert np.array_equal(one_thread, ref)


def test_float32_is_opt_in_and_keyed_apart():
    ident = resolve_model(None)
    assert EmbedConfig().precision == "float64"
    k64 = cache_key(ident, EmbedConfig())
    k32 = cache_key(ident, EmbedConfig(precision="float32"))
    assert k64 != k32
    with pytest.raises(ValueError, match=r"precision = 'float16': expected one of float64, flo"):
        EmbedConfig(precision="float16")
    with pytest.raises(ValueError, match=r"bf16 = True needs embed\.precision = 'float32'"):
        EmbedConfig(bf16=True)


@pytest.mark.slow
def test_float64_vectors_do_not_depend_on_the_cpu_kernels(tmp_path):
    """torch's AVX2 kernels and MKL's SSE2 branch stand in for another CPU: in float64 they
    give the same float32 vectors as this machine's own kernels; in float32 they do not."""
    other = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"}
    both = "float64,float32"  # one process each: its kernels are chosen when torch loads
    got = {
        (name, precision): vectors
        for name, env in (("own", {}), ("other", other))
        for precision, vectors in _embed_in_child(tmp_path / f"{name}.npz", 6, both, **env).items()
    }
    assert np.array_equal(got["own", "float64"], got["other", "float64"])
    # the check has teeth: the same swap moves float32 vectors (by float noise only)
    assert not np.array_equal(got["own", "float32"], got["other", "float32"])
    assert np.abs(got["own", "float32"] - got["other", "float32"]).max() < 1e-5


def test_cosines_are_the_same_bits_at_every_thread_count():
    """`centroid_similarity` and the assign threshold come from `cosines`: a float32 BLAS
    product of these shapes gave other last bits on one thread than on two."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from analysis.numerics import cosines

    rng = np.random.default_rng(0)
    X = rng.standard_normal((333, 384)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    C = X[:12] + X[12:24]
    C /= np.linalg.norm(C, axis=1, keepdims=True)
    got = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads):
            got.append(cosines(X, C))
    assert got[0].dtype == np.float32 and got[0].shape == (333, 12)
    assert got[0].tobytes() == got[1].tobytes()
    assert np.allclose(got[0], X @ C.T, atol=1e-6)  # the same cosines, to float32 precision
