"""Progress bars for long work: tqdm's, in a terminal or a notebook alike.

`tqdm.auto` warns ("IProgress not found") the first time it is imported inside Jupyter without
ipywidgets; the bars are ours to show or hide (notebooks hide them), so the warning is not
passed on, and stored notebook outputs stay free of it.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["progress_bar", "quiet_tqdm_import"]


def quiet_tqdm_import() -> None:
    """Import tqdm.auto (directly, or through transformers) without its IProgress warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import tqdm.auto  # noqa: F401


def progress_bar(**kw: Any):  # -> tqdm
    """`tqdm.auto.tqdm(**kw)`, imported quietly."""
    quiet_tqdm_import()
    from tqdm.auto import tqdm

    return tqdm(**kw)
