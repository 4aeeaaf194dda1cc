"""The README's generated blocks, each worded from the run in the output folder and the stored
benchmark results by the same functions the notebooks use (`analysis.readme` fills them in)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import DEFAULT, PEER_RESULT, SPEED_BLOCKS

__all__ = ["blocks"]


def _peer_block(path: Path = PEER_RESULT) -> str:
    """The side-by-side as Markdown: notebook 06's table with the rows a README reader asks."""
    from ..analyses.reports import load_peer
    from . import trust

    res = load_peer(path)
    table = trust.peer_table(res)
    largest = [
        ", ".join(f"`{x['name']}`" for x in sorted(res[k]["labels"], key=lambda x: -x["size"])[:3])
        for k in ("defaults", "tuned")
    ]
    rows = [
        "| | " + " | ".join(table.columns) + " |",
        "|---|" + "---:|" * len(table.columns),
        *(f"| {label} | " + " | ".join(row) + " |" for label, row in table.iterrows()),
        "",
        f"Largest BERTopic labels, first seed: defaults {largest[0]}; tuned {largest[1]}. "
        f"Measured with BERTopic {res['bertopic_version']}. {trust.stop_word_clause(res)}; "
        f"across seeds, tuning gives BERTopic {trust.tuning_steadiness(res)}. BERTopic embeds "
        "the first 256 tokens of each text and leaves UMAP unseeded by default; this project "
        "embeds all of it, seeded.",
    ]
    return "\n".join(rows)


def _speed_block(name: str, path: Path = SPEED_BLOCKS) -> str:
    """A block `make bench` worded from what it measured (`benchmarks.report.readme_blocks`)."""
    import json

    return json.loads(path.read_text(encoding="utf-8"))[name]


def blocks(
    processed_dir: Path | None = None, raw_dir: Path | None = None
) -> dict[str, Callable[[], str]]:
    """Each block's name and how its text is made (from `processed_dir`'s run of the dumps in
    `raw_dir`)."""
    import functools

    from ..artifacts import load_run

    out = Path(processed_dir) if processed_dir else DEFAULT.processed_dir
    raw_dir = Path(raw_dir) if raw_dir else DEFAULT.raw_dir
    the_run = functools.cache(lambda: load_run(out))  # every block from one set

    def corpus() -> str:
        from . import corpus as words

        run = the_run()
        facts = words.facts(run.papers, run.occurrences)
        return "\n".join(f"- {s};" if i < 2 else f"- {s}." for i, s in enumerate(facts))

    def themes() -> str:
        from . import themes as words

        run = the_run()
        papers, th, p = run.papers, run.themes, run.record["parameters"]
        seed, n = p["cluster.random_state"], p["cluster.consensus_seeds"]
        fits = (
            f"The themes are a consensus of {n} UMAP + HDBSCAN fits (seeds {seed}-{seed + n - 1}, "
            f"cut {p['cluster.consensus_cut']}). "
        )
        return fits + words.summary(papers, th) + "\n\n" + words.table_markdown(th)

    def start_here() -> str:
        run = the_run()
        papers, th = run.papers, run.themes
        by_id = papers.set_index("paper_id")
        lines = []
        for t in th.itertuples():
            titles = "; ".join(f"*{by_id.loc[i, 'title']}*" for i in t.start_here_ids)
            lines.append(f"- **{t.theme_name}** ({t.size}): {titles}")
        return "\n".join(lines)

    def findings() -> str:
        from ..analyses import explore, listings
        from ..analyses.reports import load_peer
        from ..analyses.speedups import extract_speedups
        from ..dataset import load_entries
        from . import dumps, layouts, speedups, trust
        from . import themes as theme_words

        run = the_run()
        papers, th = run.papers, run.themes
        arch = explore.architecture_mentions(papers)
        comp = explore.compression_kind(papers)
        tables = explore.layout_tables(papers, arch, comp)
        layout = layouts.findings(papers, arch, comp, tables)
        speed = speedups.findings(extract_speedups(papers))
        entries = load_entries(raw_dir)
        verdict = listings.search_verdict(
            listings.marking_words(entries), listings.chance_z(entries)
        )
        peer = load_peer()
        first = theme_words.findings(papers, th)
        # the notebook 06 sweep's seed-set margin stays in the notebook: the README is made
        # from a run's set alone, which holds no sweep
        stable = trust.findings_stability(peer)
        bullets = [
            f"**Themes:** {first[0]} {first[1]} {first[2]}",
            f"**Names a reader can check:** {first[3]} {first[4]}",
            f"**Speed-up claims:** {speed[0]} {speed[1]}\n\n"
            "  ![Speed-ups by family](figures/speedups_by_family.png)",
            f"**Layouts and compression:** {layout[0]} {layout[1]} {layout[2]}",
            f"**What the dumps are:** {dumps.verdict_text(verdict, listings.SEARCH_SHARE)} "
            f"Each dump's top marking word, in its entries against the others: "
            f"{dumps.marking_summary(verdict)} (notebook 05).\n\n"
            "  ![Theme mix per dump](figures/dumps_theme_mix.png)",
            f"**Themes that hold:** {stable[0]} {stable[1]}",
        ]
        return "\n".join(f"- {b}" for b in bullets)

    return {
        "corpus": corpus,
        "themes": themes,
        "start-here": start_here,
        "bertopic": _peer_block,
        "findings": findings,
        "speed": lambda: _speed_block("speed"),
        "beyond": lambda: _speed_block("beyond"),
    }
