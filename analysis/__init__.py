"""Exploratory analysis of a paper-listing corpus: its papers, their themes and what they claim.

The public API, nine names; everything else lives in its stage's module:

- `load_papers()`: the dumps in `data/raw/` as one row per unique paper;
- `run(config)`: the whole analysis (`python -m analysis run`), written as one set to
  `data/processed/`;
- `ThemeIndex.load(config)`: a run's themes opened read-only, answering `search`, `similar` and
  `assign`; `search`, `similar` and `assign` here ask the default folder's;
- `ThemeModel`: the scikit-learn estimator behind the themes;
- `Config` and `DEFAULT`: every path and parameter.

Names are imported when first used (PEP 562), so `import analysis` loads none of the stack
and a worker process that needs one module gets that module.
"""

# Before anything imports numpy: its CPU dispatch (and numba's, OpenBLAS') is read at import.
from .numerics import apply_portable_env, warn_if_not_portable

apply_portable_env()
warn_if_not_portable()

__all__ = [
    "DEFAULT",
    "Config",
    "ThemeIndex",
    "ThemeModel",
    "assign",
    "load_papers",
    "run",
    "search",
    "similar",
]
__version__ = "0.1.0"

#: Where each public name is defined.
_HOME = {
    "DEFAULT": "config",
    "Config": "config",
    "ThemeIndex": "queries",
    "ThemeModel": "modeling",
    "assign": "queries",
    "load_papers": "dataset",
    "run": "pipeline",
    "search": "queries",
    "similar": "queries",
}


def __getattr__(name: str):  # PEP 562: the public names, imported on first use
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
