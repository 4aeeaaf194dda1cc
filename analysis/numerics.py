"""The same bits on every x86-64 machine with AVX2: which code paths the numeric libraries take.

UMAP + HDBSCAN themes move when the embeddings move by one float32 ulp, and the libraries pick
their kernels by CPU at run time: on an AVX-512 machine torch, MKL, numpy and numba all round
differently from an AVX2-only one. Measured on the real corpus, float32 embeddings from four
kernel choices on one Intel machine gave four different vector sets and 11 to 14 themes; the
notebooks committed from an AMD machine could not be reproduced on an Intel one.

What makes the bits portable:

- embeddings are computed in float64 and rounded to float32 once, at the end
  (`EmbedConfig.precision`): float64 kernels differ in the last of 53 bits, far below float32's
  24, so the rounded vectors come out identical (checked across torch's AVX-512 and AVX2
  kernels and MKL's AVX-512, AVX2 and SSE2 branches, batch sizes and thread counts);
- numpy, numba (umap-learn, pynndescent) and OpenBLAS are told to use the code paths every
  AVX2 machine has (`PORTABLE_ENV`). Each reads its variable once, when it is first imported,
  so they must be set before numpy is: `make`, the Jupyter kernel "Python (analysis)", the
  test suite and `python -m analysis` set them; `import analysis` sets what is still unset and
  warns (`NumericsWarning`) when numpy or numba were already loaded with other paths.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "PORTABLE_ENV",
    "NumericsWarning",
    "apply_portable_env",
    "cosines",
    "portability_problems",
]

#: Environment variables that select CPU-independent code paths (AVX2 at most).
PORTABLE_ENV: dict[str, str] = {
    # numpy >= 2.3 names its AVX-512 dispatch targets so; older names are ignored by it
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    # numba otherwise compiles for the host CPU (AVX-512 where there is one); "generic" also
    # leaves the feature list empty, so the machine code is the same everywhere
    "NUMBA_CPU_NAME": "generic",
    # OpenBLAS (numpy's and scipy's) otherwise picks its kernels by CPU model
    "OPENBLAS_CORETYPE": "Haswell",
}


class NumericsWarning(UserWarning):
    """Results may differ in the last bits (and so in their themes) from other machines."""


def apply_portable_env() -> None:
    """Set every `PORTABLE_ENV` variable that is still unset (effective before the imports)."""
    for k, v in PORTABLE_ENV.items():
        os.environ.setdefault(k, v)


def portability_problems() -> list[str]:
    """What in this process takes CPU-specific code paths; empty when all is portable.

    Only libraries already imported are inspected: one imported later reads the environment,
    which `apply_portable_env` has set.
    """
    out = []
    for k, v in PORTABLE_ENV.items():
        if os.environ.get(k) != v:
            out.append(f"{k}={os.environ.get(k)!r} (portable: {v!r})")
    np_core = sys.modules.get("numpy._core._multiarray_umath")
    if np_core is not None:
        enabled = getattr(np_core, "__cpu_features__", {})
        wide = [f for f in ("X86_V4", "AVX512_SKX") if enabled.get(f)]
        if wide:
            out.append(f"numpy was imported with {', '.join(wide)} code paths enabled")
    config = sys.modules.get("numba.core.config")
    if config is not None and getattr(config, "CPU_NAME", None) != PORTABLE_ENV["NUMBA_CPU_NAME"]:
        out.append(f"numba was imported compiling for CPU {config.CPU_NAME or 'host'!r}")
    return out


def warn_if_not_portable() -> None:
    """A `NumericsWarning` naming every `portability_problems()`, if there are any."""
    problems = portability_problems()
    if problems:
        warnings.warn(
            "CPU-specific numerics (results may differ on other machines): "
            + "; ".join(problems)
            + ". Start Python through `make` or the 'Python (analysis)' kernel, or import "
            "analysis before numpy.",
            NumericsWarning,
            stacklevel=3,
        )


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every row of `a` against every row of `b` (L2-normalised vectors: their cosines), the
    same bits at every thread count: a float32 BLAS product's last bits follow how many threads
    share it (one thread and two gave different `centroid_similarity` bytes), so this sums in
    float64 without BLAS and rounds to float32 once, as the embedding does."""
    import numpy as np

    a64 = np.asarray(a, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)
    return np.einsum("ij,kj->ik", a64, b64, optimize=False).astype(np.float32)
