"""The README's numbers, filled from the artifacts: `python -m analysis readme` rewrites every
block between ``<!-- readme:NAME -->`` and ``<!-- /readme:NAME -->`` from the run in
`data/processed/` and the stored benchmark results; `--check` (and a test) fails when the
committed README has drifted from them. Text outside the blocks is left as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .analyses.findings import corpus_facts, joined, themes_summary, themes_table
from .analyses.reports import PEER_COLUMNS, peer_table, stop_word_clause, tuning_steadiness
from .artifacts import load_artifacts, read_run_record
from .config import DEFAULT, PEER_RESULT, PROJ_ROOT

__all__ = ["README", "blocks", "fill", "stale_blocks"]

README = PROJ_ROOT / "README.md"
_BLOCK = re.compile(
    r"(<!-- readme:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /readme:(?P=name) -->)", re.S
)


def _peer_table(path: Path = PEER_RESULT) -> str:
    """Notebook 06's side-by-side table, as Markdown, with the rows a README reader also asks."""
    res = json.loads(Path(path).read_text(encoding="utf-8"))
    table = peer_table(res)
    largest = [
        ", ".join(f"`{x['name']}`" for x in sorted(res[k]["labels"], key=lambda x: -x["size"])[:3])
        for k in PEER_COLUMNS
    ]
    rows = [
        "| | " + " | ".join(table.columns) + " |",
        "|---|" + "---:|" * len(table.columns),
        *(f"| {label} | " + " | ".join(row) + " |" for label, row in table.iterrows()),
        "| largest labels | " + " | ".join(largest) + " |",
        "| same result twice | no (unseeded UMAP) | yes for a seed | yes (tested); designed to be "
        "the same on other AVX2 CPUs (float64 embeddings, pinned code paths) |",
        "| text embedded | first 256 tokens | first 256 tokens | all of it |",
        "",
        f"Measured with BERTopic {res['bertopic_version']}. {stop_word_clause(res)}; across "
        f"seeds, tuning gives BERTopic {tuning_steadiness(res)}.",
    ]
    return "\n".join(rows)


def blocks(
    processed_dir: Path | None = None, raw_dir: Path | None = None
) -> dict[str, Callable[[], str]]:
    """Each block's name and how its text is made (from `processed_dir`'s run of the dumps in
    `raw_dir`)."""
    out = Path(processed_dir) if processed_dir else DEFAULT.processed_dir
    raw_dir = Path(raw_dir) if raw_dir else DEFAULT.raw_dir

    def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        papers, themes = load_artifacts(out)
        return papers, themes, pd.read_csv(out / "broad_themes.csv")

    def corpus() -> str:
        papers, _, _ = tables()
        occ = pd.read_parquet(out / "occurrences.parquet")
        return "\n".join(
            f"- {s};" if i < 2 else f"- {s}." for i, s in enumerate(corpus_facts(papers, occ))
        )

    def themes() -> str:
        papers, th, broad = tables()
        p = read_run_record(out)["parameters"]
        seed, n = p["cluster.seed"], p["cluster.consensus_seeds"]
        fits = (
            f"The themes are a consensus of {n} UMAP + HDBSCAN fits (seeds {seed}-{seed + n - 1}, "
            f"cut {p['cluster.consensus_cut']}). "
        )
        return fits + themes_summary(papers, th, broad) + "\n\n" + themes_table(th)

    def findings() -> str:
        from .analyses import explore, listings
        from .analyses.findings import layouts_and_compression_findings, marking_summary
        from .analyses.speedups import extract_speedups
        from .dataset import load_entries
        from .narrative.speedups import findings as speedup_findings

        papers, th, broad = tables()
        top = broad.sort_values(["size", "broad_theme_id"], ascending=[False, True]).iloc[0]
        fine = th[th["broad_theme_name"] == top["broad_theme_name"]].sort_values(
            ["size", "theme_id"], ascending=[False, True]
        )
        peer = json.loads(PEER_RESULT.read_text(encoding="utf-8"))
        o, d, t = peer["ours"], peer["defaults"], peer["tuned"]
        speed = speedup_findings(extract_speedups(papers))
        layout = layouts_and_compression_findings(
            papers,
            explore.architecture_mentions(papers),
            explore.compression_kind(papers),
            list(explore.ARCHITECTURES),
        )
        entries = load_entries(raw_dir)
        verdict = listings.search_verdict(
            listings.marking_words(entries), listings.chance_z(entries)
        )
        each = marking_summary(verdict)
        bullets = [
            # a broad name joined from its fine themes' names would only repeat the list
            "**The largest broad theme"
            + (f", {top['broad_theme_name']}," if top["name_source"] == "vocabulary" else "")
            + f" holds {top['size']} papers** in {len(fine)} themes: "
            + joined([f"{r.theme_name} ({r.size})" for r in fine.itertuples()])
            + ".",
            f"**Speed-up claims:** {speed[0]} {speed[1]}\n\n"
            "  ![Speed-ups by family](figures/speedups_by_family.png)",
            f"**Layouts and compression:** {layout[0]} {layout[1]} {layout[2]}",
            f"**What the dumps are:** {listings.describe_verdict(verdict)} Each dump's top "
            f"marking word, in its entries against the others: {each} (notebook 05).\n\n"
            "  ![Theme mix per dump](figures/dumps_theme_mix.png)",
            f"**Themes that hold:** {len(o['topics'])} runs from disjoint seed sets agree at ARI "
            f"{o['stability_ari']:.2f}; BERTopic on the same texts at {d['stability_ari']:.2f} "
            f"with its defaults and {t['stability_ari']:.2f} tuned (notebook 06).",
        ]
        return "\n".join(f"- {b}" for b in bullets)

    return {
        "corpus": corpus,
        "themes": themes,
        "bertopic": _peer_table,
        "findings": findings,
    }


def fill(text: str, makers: dict[str, Callable[[], str]]) -> str:
    """`text` with every known block's body made anew; an unknown block name is an error."""

    def body(m: re.Match) -> str:
        name = m["name"]
        if name not in makers:
            raise KeyError(f"README block {name!r} has no maker (known: {', '.join(makers)})")
        return f"{m.group(1)}{makers[name]().rstrip()}\n{m.group(4)}"

    return _BLOCK.sub(body, text)


def stale_blocks(text: str, makers: dict[str, Callable[[], str]]) -> list[str]:
    """Names of the blocks whose committed text differs from what the data says now."""
    now = {m["name"]: m["body"] for m in _BLOCK.finditer(fill(text, makers))}
    return [m["name"] for m in _BLOCK.finditer(text) if m["body"] != now[m["name"]]]
