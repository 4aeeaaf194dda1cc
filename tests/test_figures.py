"""Saving figures: a forked save gives the same bytes, and its failure names the file."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from analysis.figures import _ForkedSave, fork_supported, save

pytestmark = pytest.mark.skipif(not fork_supported(), reason="forked saves need Linux")


def _figure() -> plt.Figure:
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1])
    ax.set_title("a line")
    return fig


def test_forked_save_writes_the_same_bytes(tmp_path: Path):
    fig = _figure()
    (here,) = save(fig, tmp_path, "here")
    there = _ForkedSave(fig, tmp_path, "there", "png").join()
    assert there == tmp_path / "there.png"
    assert there.read_bytes() == here.read_bytes()


def test_forked_save_failure_names_the_file(tmp_path: Path):
    (tmp_path / "x.png").mkdir()  # a directory where the file must go: the rename fails
    with pytest.raises(RuntimeError, match=r"x\.png failed in a forked process \(exit code 1"):
        _ForkedSave(_figure(), tmp_path, "x", "png").join()
