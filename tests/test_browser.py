"""The interactive map in a real headless Chromium: offline, complete, searchable, and safe."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.plots.screenshot import CHROMIUM
from analysis.run_sets import current_set

from .conftest import HOSTILE

# Locally a missing browser skips these tests; in CI (CI=true, where .ci/run installs
# Chromium) it fails them instead, so the check can never silently vanish.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() not in ("1", "true"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


class Page:
    """An opened map with everything it logged and requested."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 860})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector(".plotly-graph-div .scatterlayer .point")

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def n_points(self) -> int:
        return self.js(
            "document.querySelector('.plotly-graph-div').data"
            ".filter(t => t.customdata).reduce((n, t) => n + t.customdata.length, 0)"
        )


@pytest.fixture(scope="module")
def hostile(browser, run_with_new_dump: Path) -> Page:
    return Page(browser, run_with_new_dump / "figures" / "paper_map.html")


@pytest.fixture(scope="module")
def real(browser, run_a: Path) -> Page:
    return Page(browser, run_a / "figures" / "paper_map.html")


def test_no_network_and_no_console_errors(hostile: Page):
    hostile.page.fill("#search", "decoding")
    hostile.page.fill("#search", "")
    assert hostile.requests == [hostile.url]  # the file itself, nothing else
    assert hostile.errors == []


def test_one_point_per_paper(hostile: Page, run_with_new_dump: Path):
    papers = pd.read_parquet(current_set(run_with_new_dump) / "papers.parquet")
    assert hostile.n_points() == len(papers) == 333 + len(HOSTILE)
    drawn = hostile.js("document.querySelectorAll('.scatterlayer .point').length")
    assert drawn == len(papers)


def test_search_box_filters(real: Page, run_a: Path):
    papers = pd.read_parquet(current_set(run_a) / "papers.parquet")
    text = (papers["title"] + " " + papers["abstract"]).str.lower()
    for q in ["speculative", "image compression", "zzzz-no-such-word"]:
        real.page.fill("#search", q)
        expected = int(text.str.contains(q, regex=False).sum())
        assert real.js("document.querySelector('.plotly-graph-div').dataset.matches") == str(
            expected
        )
        assert real.page.inner_text("#count").startswith(f"{expected} of {len(papers)}")
        faded = real.js(
            "document.querySelector('.plotly-graph-div').data.filter(t => t.customdata)"
            ".flatMap(t => t.marker.opacity).filter(o => o < 0.5).length"
        )
        assert faded == len(papers) - expected
    real.page.fill("#search", "")
    assert real.page.inner_text("#count") == f"{len(papers)} papers"


def test_legend_toggles_a_theme(real: Page):
    before = real.js("document.querySelectorAll('.scatterlayer .trace').length")
    item = real.page.locator(
        "g.traces", has=real.page.locator(".legendtext", has_text="Learned data compression (")
    )
    item.locator(".legendtoggle").first.click()
    # plotly waits out its double-click delay before toggling
    real.page.wait_for_function(
        "document.querySelector('.plotly-graph-div').data.some(t => t.visible === 'legendonly')"
    )
    hidden = real.js(
        "document.querySelector('.plotly-graph-div').data.filter(t => t.visible === 'legendonly')"
        ".map(t => t.name)"
    )
    assert len(hidden) == 1 and hidden[0].startswith("Learned data compression (")
    assert real.js("document.querySelectorAll('.scatterlayer .trace').length") == before - 1
    item.locator(".legendtoggle").first.click()
    real.page.wait_for_function(
        f"document.querySelectorAll('.scatterlayer .trace').length === {before}"
    )


def find_point(page: Page, title: str) -> tuple[int, int, int]:
    """(trace, point, paper index) of the paper titled `title`; fails the test if absent."""
    from analysis.plots.screenshot import find_point as point_of

    got = point_of(page.page, title)
    assert got is not None, title
    return got


@pytest.mark.parametrize("k", range(len(HOSTILE)))
def test_hostile_text_is_shown_as_text(hostile: Page, k: int):
    title, abstract = HOSTILE[k]
    trace, point, _ = find_point(hostile, title)
    scripts_before = hostile.js("document.scripts.length")
    # hover: the tooltip shows the title as literal text
    hostile.page.mouse.move(0, 0)
    hostile.js(
        f"(() => {{ const gd = document.querySelector('.plotly-graph-div'); Plotly.Fx.unhover(gd);"
        f" Plotly.Fx.hover(gd, [{{curveNumber: {trace}, pointNumber: {point}}}]); }})()"
    )
    visible_title = re.sub(r"\s+", " ", title)
    hostile.page.wait_for_function(
        "(t) => { const h = document.querySelector('.hoverlayer .hovertext');"
        " return h && h.textContent.replace(/\\s+/g, ' ').includes(t); }",
        arg=visible_title[:40],
    )
    hover = hostile.js("document.querySelector('.hoverlayer .hovertext').textContent")
    assert visible_title[:40] in re.sub(r"\s+", " ", hover)
    # click: the side panel shows title and abstract as text
    hostile.page.locator(".scatterlayer .trace").nth(trace).locator(".point").nth(point).click(
        force=True
    )
    assert hostile.page.inner_text("#p-title") == title
    assert hostile.page.inner_text("#p-abstract") == abstract
    # nothing was injected or executed
    assert hostile.js("typeof window.__pwned") == "undefined"
    assert hostile.js("document.scripts.length") == scripts_before
    assert (
        hostile.js("document.querySelectorAll('#panel img, #panel script, #panel b').length") == 0
    )
    assert (
        hostile.js("document.querySelectorAll('.hoverlayer img, .hoverlayer script').length") == 0
    )
    assert hostile.errors == []


def test_the_screenshot_view(browser, run_a: Path, tmp_path: Path):
    """The view `make notebooks` saves for the README and notebook 07 (figures/
    paper_map_screenshot.png, by `analysis.plots.screenshot`): the searched paper's panel shown,
    inside the viewport, and no error."""
    from analysis.plots.screenshot import SHOT_PAPER, map_screenshot, open_shot

    errors: list[str] = []
    page = open_shot(browser, run_a / "figures" / "paper_map.html")
    page.on("pageerror", lambda e: errors.append(str(e)))
    assert page.inner_text("#p-title") == SHOT_PAPER
    box = page.locator("#panel").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1400 + 1
    page.close()
    shot = map_screenshot(run_a / "figures" / "paper_map.html", tmp_path / "shot.png", browser)
    assert shot.stat().st_size > 20_000
    assert errors == []
