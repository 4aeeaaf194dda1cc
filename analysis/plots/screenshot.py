"""The interactive map's screenshot for the README and notebook 07, taken in a real headless
Chromium so it shows what a reader's browser shows: `python -m analysis.plots.screenshot`
(run by `make notebooks`; needs Debian's chromium and playwright).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SHOT_PAPER",
    "SHOT_QUERY",
    "find_point",
    "map_screenshot",
    "open_shot",
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Offline and quiet: no background network, no GPU.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
#: The search typed and the paper clicked in the screenshot.
SHOT_QUERY = "speculative"
SHOT_PAPER = "Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting"
VIEWPORT = {"width": 1400, "height": 860}


def find_point(page: Any, title: str) -> tuple[int, int, int] | None:
    """(trace, point, paper index) of the paper titled `title` on the map, or None."""
    got = page.evaluate(
        """(title) => {
            const gd = document.querySelector('.plotly-graph-div');
            const papers = JSON.parse(document.getElementById('paper-data').textContent);
            for (let i = 0; i < gd.data.length; i++) {
                const cd = gd.data[i].customdata || [];
                for (let j = 0; j < cd.length; j++) {
                    if (papers[cd[j][0]].title === title) return [i, j, Number(cd[j][0])];
                }
            }
            return null;
        }""",
        title,
    )
    return None if got is None else (int(got[0]), int(got[1]), int(got[2]))


def open_shot(browser: Any, html: Path) -> Any:
    """A page of the map with `SHOT_QUERY` searched and `SHOT_PAPER` hovered and clicked."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(Path(html).resolve().as_uri())
    page.wait_for_selector(".plotly-graph-div")
    page.fill("#search", SHOT_QUERY)
    found = find_point(page, SHOT_PAPER)
    if found is None:
        raise LookupError(f"no point titled {SHOT_PAPER!r} on the map")
    trace, point, _ = found
    # points overlap here, so show this one exactly: hover it and send plotly's click event
    page.evaluate(
        f"(() => {{ const gd = document.querySelector('.plotly-graph-div');"
        f" Plotly.Fx.hover(gd, [{{curveNumber: {trace}, pointNumber: {point}}}]);"
        f" const cd = gd.data[{trace}].customdata[{point}];"
        f" gd.emit('plotly_click', {{points: [{{customdata: cd}}]}});"
        f" }})()"
    )
    return page


def map_screenshot(html: Path, png: Path, browser: Any = None) -> Path:
    """Save the view `open_shot` makes of the map `html` to `png` (atomically)."""
    from playwright.sync_api import sync_playwright

    from ..io import atomic_path

    def shoot(b: Any) -> Path:
        page = open_shot(b, html)
        with atomic_path(png) as tmp:
            page.screenshot(path=str(tmp), type="png")
        page.close()
        return Path(png)

    if browser is not None:
        return shoot(browser)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return shoot(b)
        finally:
            b.close()


def main() -> int:
    from ..config import FIGURES_DIR

    if not Path(CHROMIUM).exists():
        print("chromium is not installed: the map screenshot is left as it is")
        return 0
    out = map_screenshot(FIGURES_DIR / "paper_map.html", FIGURES_DIR / "paper_map_screenshot.png")
    print(f"written: {out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
