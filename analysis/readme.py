"""The README's numbers, filled from the artifacts: `python -m analysis readme` rewrites every
block between ``<!-- readme:NAME -->`` and ``<!-- /readme:NAME -->`` from the run in
`data/processed/` and the stored benchmark results; `--check` (and a test) fails when the
committed README has drifted from them. Text outside the blocks is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .config import PROJ_ROOT
from .narrative.readme import blocks

__all__ = ["README", "blocks", "fill", "stale_blocks"]

README = PROJ_ROOT / "README.md"
_BLOCK = re.compile(
    r"(<!-- readme:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /readme:(?P=name) -->)", re.S
)


def fill(text: str, makers: dict[str, Callable[[], str]]) -> str:
    """`text` with every known block's body made anew; an unknown block name is an error."""

    def body(m: re.Match) -> str:
        name = m["name"]
        if name not in makers:
            raise KeyError(f"README block {name!r} has no maker (known: {', '.join(makers)})")
        return f"{m.group(1)}{makers[name]().rstrip()}\n{m.group(4)}"

    return _BLOCK.sub(body, text)


def stale_blocks(text: str, makers: dict[str, Callable[[], str]]) -> list[str]:
    """Names of the blocks whose committed text differs from what the data says now."""
    now = {m["name"]: m["body"] for m in _BLOCK.finditer(fill(text, makers))}
    return [m["name"] for m in _BLOCK.finditer(text) if m["body"] != now[m["name"]]]
