"""The notebooks stay thin: they import from `analysis` and `analysis.notebook` only, and their
cells call, show and tell: no loops, branches or definitions of their own (those live in the
package, where they are tested)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from analysis.config import PROJ_ROOT

NOTEBOOKS = sorted((PROJ_ROOT / "notebooks").glob("*.ipynb"))
ALLOWED = {"analysis", "analysis.notebook"}
LOGIC = (ast.If, ast.For, ast.While, ast.FunctionDef, ast.ClassDef, ast.Try, ast.With)


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) == 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_imports_the_package_only_and_holds_no_logic(path: Path):
    for source in code_cells(path):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= ALLOWED, (path.name, source)
            elif isinstance(node, ast.ImportFrom):
                assert node.module in ALLOWED, (path.name, source)
            assert not isinstance(node, LOGIC), (path.name, type(node).__name__, source)
