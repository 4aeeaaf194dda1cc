"""The committed pages load nothing from the web, read from their markup (quick; the browser check
is tests/test_offline_pages.py): no script, stylesheet, font or image points at http(s). Links a
reader clicks (`<a href>`) are not loaded and are fine. Also, no notebook needs what the offline
template (notebooks/templates/offline) leaves out, so leaving it out loses nothing."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.config import PROJ_ROOT

NOTEBOOKS = sorted((PROJ_ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((PROJ_ROOT / "notebooks" / "html").glob("*.html")) + sorted(
    (PROJ_ROOT / "figures").glob("*.html")
)

WEB = r"(?:https?:)?//"  # protocol-relative URLs load from the web too
URL_ATTR = re.compile(rf"^\s*{WEB}", re.I)
CSS_WEB = re.compile(rf"@import\s+(?:url\(\s*)?[\"']?\s*{WEB}|url\(\s*[\"']?\s*{WEB}", re.I)
JS_IMPORT_WEB = re.compile(rf"\bimport\s*\(\s*[\"'`]\s*{WEB}|\bfrom\s*[\"']\s*{WEB}", re.I)
#: (tag, attribute) pairs whose URL the browser fetches; "*" is any tag.
FETCHED = {("*", "src"), ("*", "srcset"), ("link", "href"), ("object", "data"), ("video", "poster")}


class _Scan(HTMLParser):
    """Collects every place in a page that would fetch from the web."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw: str | None = None  # "script" or "style" while inside one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            fetched = (tag, name) in FETCHED or ("*", name) in FETCHED
            if fetched and any(URL_ATTR.match(v) for v in value.split(",")):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and CSS_WEB.search(value):
                self.found.append(f"<{tag} style={value!r}>")
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        pattern = {"style": CSS_WEB, "script": JS_IMPORT_WEB}.get(self._raw or "")
        if pattern is not None:
            self.found += [f"<{self._raw}>…{m.group(0)}" for m in pattern.finditer(data)]


def web_loads(html: str) -> list[str]:
    """What `html` would fetch from the web: `<script src>`, `<link href>`, `<img src>` and the
    like, CSS `@import` and `url(...)`, and JavaScript `import` of a URL."""
    scan = _Scan()
    scan.feed(html)
    scan.close()
    return scan.found


def test_the_pages_are_found():
    assert {p.parent.name for p in PAGES} == {"html", "figures"}
    assert [p.stem for p in PAGES if p.parent.name == "html"] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(PROJ_ROOT).as_posix() for p in PAGES])
def test_a_page_loads_nothing_from_the_web(page: Path):
    assert web_loads(page.read_text(encoding="utf-8")) == []


def test_each_kind_of_web_load_is_caught():
    html = """<html><head>
        <script src="https://cdn.example/require.js"></script>
        <script src='//cdn.example/x.js'></script>
        <link rel="stylesheet" href="https://cdn.example/a.css">
        <style>@import "https://fonts.example/f.css";
          @font-face { src: url(http://f.example/f.woff) }</style>
        <script type="module">const m = await import("https://cdn.example/m.mjs");</script>
        </head><body>
        <img src="https://img.example/a.png" style="background: url('//x.example/b.png')">
        <a href="https://arxiv.org/abs/1">a link is fine</a><img src="data:image/png;base64,AA">
        <script src="local.js"></script>
        <script>const s = "<script src='https://not.a.tag'>";</script>
        </body></html>"""
    found = web_loads(html)
    assert len(found) == 8, found
    assert not any("arxiv" in f or "data:" in f or "local.js" in f for f in found)


def _markdown_texts(nb: dict) -> list[str]:
    """Markdown cells and Markdown or LaTeX outputs, without their code: what MathJax typeset."""
    texts = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            texts += ["".join(data[k]) for k in ("text/markdown", "text/latex") if k in data]
    return [re.sub(r"```.*?```|`[^`\n]*`", "", t, flags=re.S) for t in texts]


MATH = re.compile(r"\$\$|\$[^$\n]+\$|\\\(|\\\[|\\begin\{")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_notebook_needs_what_the_offline_template_leaves_out(notebook: Path):
    """The template drops MathJax, require.js, Mermaid and the widget renderer, which load from a
    CDN; a notebook that gains math, an AMD script, a diagram or a widget needs them back (a local
    copy embedded), or it would silently show less."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    math = [m.group(0) for t in _markdown_texts(nb) for m in MATH.finditer(t)]
    assert math == [], "LaTeX math: MathJax is not in the offline template"
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    mimes = {k for o in outputs for k in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" not in mimes and "widgets" not in nb.get(
        "metadata", {}
    ), "widgets: their renderer is not in the offline template"
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert "text/vnd.mermaid" not in mimes and not any("```mermaid" in s for s in sources)
    scripts = [
        "".join(o["data"][k])
        for o in outputs
        for k in ("text/html", "application/javascript")
        if k in o.get("data", {})
    ]
    amd = re.compile(r"\b(?:require|requirejs|define)\s*\(\s*\[")
    assert not any(amd.search(s) for s in scripts), "require.js is not in the offline template"
