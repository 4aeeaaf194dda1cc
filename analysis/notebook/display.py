"""How the notebooks show things: Markdown from the narrative, tables a person reads, figures
saved under their stable names and shown once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

__all__ = ["figure", "found", "html", "markdown", "table"]


def markdown(text: str):
    """Markdown to show as a cell's output."""
    from IPython.display import Markdown

    return Markdown(text)


def html(text: str):
    from IPython.display import HTML

    return HTML(text)


def found(sentences: Iterable[str]):
    """A notebook's opening "What we found" section."""
    from ..narrative.wording import found as words

    return markdown(words(list(sentences)))


def _cell(value: object, decimals: int) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


def table(
    df: pd.DataFrame,
    *,
    decimals: int = 2,
    percent: Iterable[str] = (),
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A table a person reads: blanks for missing values, yes/no for booleans, numbers rounded
    to `decimals`, shares in `percent` as whole percentages, lists joined, columns renamed by
    `labels`, a plain 0..n index. Text is never cut (the notebooks show every character)."""
    out = df.reset_index(drop=True).copy()
    for c in percent:
        out[c] = [("" if pd.isna(v) else f"{100 * v:.0f}%") for v in out[c]]
    for c in out.columns:
        if c in percent:
            continue
        if out[c].dtype == bool:
            out[c] = out[c].map({True: "yes", False: "no"})
        else:
            out[c] = [_cell(v, decimals) for v in out[c]]
    return out.rename(columns=labels or {})


def figure(fig, folder: Path, name: str, svg: bool = False) -> None:
    """Save `fig` as folder/name.png (and .svg), show it once, and close it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    from ..plots import save

    save(fig, folder, name, svg=svg)
    display(fig)
    plt.close(fig)
