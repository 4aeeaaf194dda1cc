"""Saving figures (`analysis.plots.save`): the same figure gives the same bytes, atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from analysis.plots import save


@pytest.fixture
def figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1])
    ax.set_title("a line")
    yield fig
    plt.close(fig)


def test_save_writes_png_and_svg_without_timestamps(figure, tmp_path: Path):
    first = save(figure, tmp_path / "a", "line", svg=True)
    assert first == [tmp_path / "a" / "line.png", tmp_path / "a" / "line.svg"]
    second = save(figure, tmp_path / "b", "line", svg=True)
    for p, q in zip(first, second, strict=True):
        assert p.read_bytes() == q.read_bytes(), p.name  # nothing that changes between saves
    assert b"matplotlib" not in first[0].read_bytes()  # no Software chunk in the PNG
    assert b"<dc:date>" not in first[1].read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["line.png", "line.svg"]


def test_a_failed_save_leaves_the_old_file(figure, tmp_path: Path, monkeypatch):
    (old,) = save(figure, tmp_path, "line")
    before = old.read_bytes()

    def broken(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save(figure, tmp_path, "line")
    assert old.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["line.png"]  # no temp file left behind
