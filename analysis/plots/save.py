"""Saving figures: the one place a figure becomes a file (atomically, no timestamps inside)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from ..io import write_atomic
from .style import STYLE

__all__ = ["save"]


def save(fig: plt.Figure, figures_dir: str | Path, name: str, svg: bool = False) -> list[Path]:
    """Save `fig` as figures_dir/name.png (and .svg), atomically, with no timestamps inside."""
    out = []
    with plt.rc_context(STYLE):  # svg.hashsalt etc. must hold while saving
        for ext in ["png"] + (["svg"] if svg else []):
            path = Path(figures_dir) / f"{name}.{ext}"
            meta = {"Software": None} if ext == "png" else {"Date": None, "Creator": None}
            write_atomic(
                path,
                lambda p, e=ext, m=meta: fig.savefig(
                    p, format=e, metadata=m, dpi=STYLE["savefig.dpi"], bbox_inches="tight"
                ),
            )
            out.append(path)
    return out
