"""Every rendered notebook and interactive figure works offline, checked in a real headless
Chromium with the network blocked: a page that fetched a script, stylesheet or font from the web
would be shown broken or unstyled to a reader without one. Each page must request nothing but
local (file:, data:, blob:) URLs while it loads, raise no error and show its content."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from analysis.config import PROJ_ROOT
from analysis.plots.screenshot import CHROMIUM

# Locally a missing browser skips these tests; in CI (CI=true, where .ci/run installs
# Chromium) it fails them instead, so the check can never silently vanish.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI", "").lower() not in ("1", "true"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]

NOTEBOOK_PAGES = sorted((PROJ_ROOT / "notebooks" / "html").glob("*.html"))
FIGURE_PAGES = sorted((PROJ_ROOT / "figures").glob("*.html"))
PAGES = NOTEBOOK_PAGES + FIGURE_PAGES
IDS = [p.relative_to(PROJ_ROOT).as_posix() for p in PAGES]
LOCAL = ("file:", "data:", "blob:")


class Visit:
    """A page opened with every non-local request aborted, and what it tried and raised."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 860})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort()
        )
        self.page.on("request", lambda r: r.url.startswith(LOCAL) or self.outside.append(r.url))
        self.page.on("websocket", lambda ws: self.outside.append(ws.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(path.resolve().as_uri(), wait_until="networkidle")
        # what the page's scripts load or raise while drawing it counts too
        self.drawn = self.settles(drawn(path))

    def settles(self, condition: str) -> bool:
        """Whether the JavaScript `condition` becomes true (scripts may still be running)."""
        from playwright.sync_api import TimeoutError as Timeout

        try:
            self.page.wait_for_function(condition, timeout=30_000)
        except Timeout:
            return False
        return True


def drawn(path: Path) -> str:
    """A JavaScript condition that holds once the scripts of the page `path` have drawn it."""
    if path.name == "paper_map.html":
        return "document.querySelectorAll('.scatterlayer .point').length > 0"
    # itables writes this placeholder once per table, and replaces it once its JavaScript ran
    tables = path.read_text(encoding="utf-8").count("Loading ITables v")
    return f"document.querySelectorAll('table.dataTable').length === {tables}"


def notebook_title(notebook: Path) -> str:
    """The notebook's title: the `# ` heading its first Markdown cell opens with."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = next(c for c in cells if c["cell_type"] == "markdown")
    return "".join(first["source"]).splitlines()[0].removeprefix("# ").strip()


def shows_notebook(visit: Visit, path: Path) -> None:
    """Its title heading is visible, and every itables table has been drawn with its rows."""
    heading = visit.page.locator("h1").first
    assert heading.is_visible()
    assert heading.inner_text().strip() == notebook_title(
        PROJ_ROOT / "notebooks" / f"{path.stem}.ipynb"
    )
    if "Loading ITables v" in path.read_text(encoding="utf-8"):
        rows = visit.page.evaluate(
            "[...document.querySelectorAll('table.dataTable')].map(t => t.tBodies[0].rows.length)"
        )
        assert min(rows) > 0
        assert visit.page.locator("table.dataTable tbody tr").first.is_visible()
        assert visit.page.get_by_text("Loading ITables").filter(visible=True).count() == 0


def shows_map(visit: Visit, path: Path) -> None:
    """The map draws one point per paper it carries."""
    points = visit.page.evaluate("document.querySelectorAll('.scatterlayer .point').length")
    papers = visit.page.evaluate(
        "JSON.parse(document.getElementById('paper-data').textContent).length"
    )
    assert points == papers > 0
    assert visit.page.locator(".plotly-graph-div").first.is_visible()


def shows_reading_list(visit: Visit, path: Path) -> None:
    """Every theme's table has its rows."""
    rows = visit.page.evaluate(
        "[...document.querySelectorAll('table')].map(t => t.tBodies[0].rows.length)"
    )
    assert rows and min(rows) > 0
    assert visit.page.locator("tbody tr").first.is_visible()


FIGURES = {"paper_map.html": shows_map, "reading_list.html": shows_reading_list}


def shows_content(visit: Visit, path: Path) -> None:
    """Check the content a reader of `path` comes for; a new kind of page needs its own check."""
    if path.parent.name == "figures":
        if path.name not in FIGURES:
            pytest.fail(f"no content check for figures/{path.name}: add one to FIGURES")
        FIGURES[path.name](visit, path)
    else:
        shows_notebook(visit, path)


@pytest.fixture(scope="module")
def visits(browser):
    """Each page opened once, shared by the tests that read it."""
    opened: dict[Path, Visit] = {}

    def visit(path: Path) -> Visit:
        if path not in opened:
            opened[path] = Visit(browser, path)
        return opened[path]

    yield visit
    for v in opened.values():
        v.page.close()


def test_the_pages_are_found():
    assert NOTEBOOK_PAGES, "no rendered notebook in notebooks/html"
    assert {p.name for p in FIGURE_PAGES} >= set(FIGURES)


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_loads_nothing_from_outside(visits, path: Path):
    assert visits(path).outside == []


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_raises_no_error(visits, path: Path):
    assert visits(path).errors == []


@pytest.mark.parametrize("path", PAGES, ids=IDS)
def test_shows_its_content(visits, path: Path):
    visit = visits(path)
    assert visit.drawn, f"its scripts never drew it: {drawn(path)}"
    shows_content(visit, path)


def test_an_outside_load_is_caught_and_blocked(browser, tmp_path: Path):
    """The check can fail: a page with a CDN script, stylesheet and font has each request seen
    (and aborted, so nothing leaves the machine), and the failed loads are reported as errors."""
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><script src="https://cdn.example/require.js"></script>'
        '<link rel="stylesheet" href="https://cdn.example/a.css">'
        "<style>@font-face { font-family: F; src: url(https://fonts.example/f.woff2) }"
        " h1 { font-family: F }</style></head><body><h1>Title</h1></body></html>",
        encoding="utf-8",
    )
    visit = Visit(browser, page)
    try:
        assert sorted(visit.outside) == [
            "https://cdn.example/a.css",
            "https://cdn.example/require.js",
            "https://fonts.example/f.woff2",
        ]
        assert visit.errors
    finally:
        visit.page.close()
