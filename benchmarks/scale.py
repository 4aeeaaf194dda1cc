"""How a run grows with the corpus: default runs end to end on synthetic corpora (embedding
included), the consensus fit alone on synthetic vectors up to 100,000 papers
(`benchmarks.fit_scale`), and the scaling figure."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from .fit_scale import min_cluster_size
from .runs import run_cli
from .synthetic import synthetic_dump
from .targets import mb_to_gb

#: Synthetic corpus sizes of `make bench`'s end-to-end runs, in abstracts (embedding dominates:
#: 10,000 take about 12 minutes here).
SIZES = (1_000, 3_000, 10_000)
#: Sizes of the consensus fit alone, in papers.
FIT_SIZES = (1_000, 3_000, 10_000, 30_000, 100_000)
#: Where the default epochs (200 from `exact_neighbors_below` papers on) are compared with
#: umap-learn's own choice there (500 up to 10,000 points): themes and time.
EPOCHS_CHECK = (10_000, 500)
#: The stages drawn, in the order a run makes them.
STAGES = ("load", "embed", "cluster", "name", "figures", "write", "publish")


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


def fit_runs(sizes: Iterable[int], fits: dict, after_each: Callable[[], None]) -> dict:
    """`fit_scale.fit_run` at every size into `fits` (size -> result), then the epochs check
    (`EPOCHS_CHECK`) into `fits["epochs_check"]`, calling `after_each` after each."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from .fit_scale import fit_run

    n_check, epochs = EPOCHS_CHECK
    with tempfile.TemporaryDirectory(prefix="bench-labels-") as tmp:
        default_labels = Path(tmp) / "default.npy"
        for n in sizes:
            fits[n] = fit_run(n, labels=str(default_labels) if n == n_check else None)
            print(f"fit {n}: {fits[n]['fit_seconds']:.1f} s, {fits[n]['peak_mb']} MB")
            after_each()
            if n == n_check:
                other = Path(tmp) / "other.npy"
                check = fit_run(n, n_epochs=epochs, labels=str(other))
                check["ari_with_default"] = round(
                    float(adjusted_rand_score(np.load(default_labels), np.load(other))), 4
                )
                fits["epochs_check"] = check
                print(f"fit {n} with {epochs} epochs: ARI {check['ari_with_default']}")
                after_each()
    return fits


def scaling_figure(scale: dict, path: Path, fits: dict | None = None) -> None:
    """Seconds per stage of end-to-end runs, and the consensus fit's time and peak memory (all
    its processes), against corpus size (keys: sizes, as ints or strings)."""
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker

    from analysis.plots.save import save
    from analysis.plots.style import PALETTE, STYLE

    scale = {int(k): v for k, v in scale.items()}
    fit = {int(k): v for k, v in (fits or {}).items() if k != "epochs_check"}
    sizes = sorted(scale)
    stages = [s for s in STAGES if all(s in scale[n]["stages"] for n in sizes)]
    # a log axis cannot show 0 s: stages that round to nothing are named, not drawn
    tiny = [s for s in stages if min(scale[n]["stages"][s]["seconds"] for n in sizes) < 0.01]
    stages = [s for s in stages if s not in tiny]
    with plt.rc_context(STYLE):
        fig, (a, b, c) = plt.subplots(1, 3, figsize=(16, 5.4))
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
        a.set_xlabel("abstracts (synthetic texts, log scale)")
        a.set_ylabel("seconds (log scale)")
        a.set_title("`python -m analysis run`, per stage")
        a.legend(
            frameon=False,
            fontsize=9,
            ncol=4,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            title=f"not drawn, under 0.01 s: {', '.join(tiny)}" if tiny else None,
            title_fontsize=8,
        )
        ns = sorted(fit)
        if ns:
            for key, style, colour, label in (
                ("fit_seconds", "o-", PALETTE[1], "whole consensus fit"),
                ("graph_seconds", "o:", PALETTE[2], "its neighbour graph (once)"),
            ):
                b.plot(ns, [fit[n][key] / 60 for n in ns], style, color=colour, label=label)
            b.legend(frameon=False, fontsize=9, loc="upper left")
            c.plot(
                ns,
                [mb_to_gb(fit[n]["peak_mb"]) for n in ns],
                "o:",
                color=PALETTE[4],
                label="summed RSS (shared pages once per process)",
            )
            pss = [n for n in ns if "pss_mb" in fit[n]]
            c.plot(
                pss,
                [mb_to_gb(fit[n]["pss_mb"]) for n in pss],
                "o-",
                color=PALETTE[3],
                label="PSS (what they hold)",
            )
            c.legend(frameon=False, fontsize=9, loc="upper left")
        # linear axes from zero, so that growth in proportion to the papers reads as a line
        for ax in (b, c):
            ax.set_xlim(left=0)
            ax.set_ylim(bottom=0)
            ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
        b.set_xlabel("papers (synthetic vectors)")
        b.set_ylabel("minutes")
        b.set_title("Consensus fit: time (40 fits, all cores)")
        c.set_xlabel("papers (synthetic vectors)")
        c.set_ylabel("GB, all its processes together")
        c.set_title("Consensus fit: peak memory")
        fig.suptitle(
            "How a run (left) and its consensus fit alone (middle, right) grow with the corpus",
            fontweight="bold",
        )
        fig.tight_layout()
    save(fig, path.parent, path.stem)
    plt.close(fig)
