"""Every image a reader is shown resolves: the rendered notebooks' `<img>` sources and the
README's image links point at files that exist (or are embedded)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from analysis.config import PROJ_ROOT

HTML = sorted((PROJ_ROOT / "notebooks" / "html").glob("*.html"))
IMG = re.compile(r"<img\b[^>]*?\bsrc=[\"']([^\"']+)[\"']", re.I)
MD_IMG = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def _missing(base: Path, sources: list[str]) -> list[str]:
    local = [s for s in sources if not re.match(r"^(data:|https?:)", s)]
    return [s for s in local if not (base / unquote(s.split("#")[0])).is_file()]


@pytest.mark.parametrize("page", HTML, ids=[p.name for p in HTML])
def test_every_image_of_a_rendered_notebook_resolves(page: Path):
    sources = IMG.findall(page.read_text(encoding="utf-8"))
    assert _missing(page.parent, sources) == []
    notebook = PROJ_ROOT / "notebooks" / page.with_suffix(".ipynb").name
    assert notebook.is_file()
    assert _missing(notebook.parent, MD_IMG.findall(notebook.read_text(encoding="utf-8"))) == []


def test_every_readme_image_resolves():
    links = MD_IMG.findall((PROJ_ROOT / "README.md").read_text(encoding="utf-8"))
    assert links, "the README shows figures"
    assert _missing(PROJ_ROOT, links) == []


def test_a_broken_link_is_caught(tmp_path: Path):
    (tmp_path / "a.png").write_bytes(b"")
    assert _missing(tmp_path, ["a.png", "data:image/png;base64,xx", "../figures/b.png"]) == [
        "../figures/b.png"
    ]
