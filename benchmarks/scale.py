"""How a run grows with the corpus: default runs on synthetic corpora, and the scaling figure."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from .runs import run_cli
from .synthetic import synthetic_dump

#: Synthetic corpus sizes of `make bench`, in abstracts.
SIZES = (1_000, 3_000, 10_000, 30_000)
#: The stages drawn, in the order a run makes them.
STAGES = ("load", "embed", "cluster", "name", "write", "figures")


def min_cluster_size(n: int) -> int:
    """HDBSCAN min_cluster_size for `n` abstracts: themes at a similar share of the corpus."""
    return max(8, n // 40)


def scale_run(papers: pd.DataFrame, n: int) -> dict:
    """A default run, in a fresh process, on a synthetic corpus of `n` abstracts."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{n}-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        synthetic_dump(papers, n, raw / f"synthetic_{n}.txt")
        mcs = min_cluster_size(n)
        res = run_cli(
            "--raw-dir",
            str(raw),
            "--output-dir",
            str(Path(tmp) / "out"),
            "--figures-dir",
            str(Path(tmp) / "fig"),
            "--min-cluster-size",
            str(mcs),
        )
    return {**res, "min_cluster_size": mcs}


def scale_runs(
    papers: pd.DataFrame, sizes: Iterable[int], scale: dict, after_each: Callable[[], None]
) -> dict:
    """`scale_run` at every size into `scale` (size -> result), calling `after_each` after each
    (to save what has been measured: the large sizes take most of `make bench`)."""
    for n in sizes:
        scale[n] = scale_run(papers, n)
        print(f"scale {n}: {scale[n]['wall']:.1f} s", scale[n]["stages"])
        after_each()
    return scale


def peak_gib(result: dict) -> float:
    """The highest peak memory of a run's stages, in GiB."""
    return max(v["peak_mb"] for v in result["stages"].values()) / 1024


def scaling_figure(scale: dict, path: Path) -> None:
    """Seconds per stage and peak memory against corpus size (keys: sizes, as ints or strings)."""
    import matplotlib.pyplot as plt

    from analysis.plots.save import save
    from analysis.plots.style import PALETTE, STYLE

    scale = {int(k): v for k, v in scale.items()}
    sizes = sorted(scale)
    stages = [s for s in STAGES if all(s in scale[n]["stages"] for n in sizes)]
    with plt.rc_context(STYLE):
        fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.6))
        for i, s in enumerate(stages):
            a.plot(
                sizes,
                [scale[n]["stages"][s]["seconds"] for n in sizes],
                "o-",
                color=PALETTE[i],
                label=s,
            )
        a.plot(sizes, [scale[n]["wall"] for n in sizes], "k--", label="whole process")
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("abstracts (synthetic, log scale)")
        a.set_ylabel("seconds (log scale)")
        a.set_title("Time per stage")
        a.legend(frameon=False, fontsize=9)
        b.plot(sizes, [peak_gib(scale[n]) for n in sizes], "o-", color=PALETTE[3])
        b.set_xscale("log")
        b.set_xlabel("abstracts (synthetic, log scale)")
        b.set_ylabel("peak resident memory (GiB)")
        b.set_title("Peak memory of the run")
        fig.suptitle("How `python -m analysis run` grows with the corpus", fontweight="bold")
    save(fig, path.parent, path.stem)
    plt.close(fig)
