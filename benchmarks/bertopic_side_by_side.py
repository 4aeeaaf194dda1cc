"""BERTopic with its default settings beside our themes, on the same texts and model.

    python -m benchmarks.bertopic_side_by_side   # needs the peer extra: pip install -e ".[peer]"

BERTopic gets the same title + abstract texts and the same bundled all-MiniLM-L6-v2 model; all
other settings are its defaults (UMAP without a seed, HDBSCAN min_cluster_size=10, no stop-word
removal, and the model's own 256-token truncation). Our side is read from data/processed/ (run
`python -m analysis run` first). Prints topic count, outlier share and every label, side by side.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


RESULT = Path(__file__).resolve().parent / "results" / "bertopic_side_by_side.json"


def main() -> int:
    import sys

    import pandas as pd

    from analysis.artifacts import load_artifacts
    from analysis.config import DEFAULT
    from analysis.dataset import load_papers
    from analysis.embedding.model import _bundled_model_path
    from analysis.text import paper_texts

    try:
        from bertopic import BERTopic
    except ImportError:
        print("bertopic is not installed: pip install -e '.[peer]'")
        return 2
    from sentence_transformers import SentenceTransformer

    papers = load_papers()
    texts = paper_texts(papers)
    t0 = time.perf_counter()
    model = SentenceTransformer(str(_bundled_model_path()), device="cpu")
    topic_model = BERTopic(embedding_model=model)
    topics, _ = topic_model.fit_transform(texts)
    secs = time.perf_counter() - t0
    info = topic_model.get_topic_info()
    n_topics = int((info["Topic"] >= 0).sum())
    outliers = sum(t == -1 for t in topics) / len(topics)
    if "--fit-only" in sys.argv[1:]:  # for benchmarks/: time the peer alone
        print(f"fit_seconds={secs:.2f} topics={n_topics} outliers={outliers:.4f}")
        return 0

    if not (DEFAULT.processed_dir / "papers.parquet").exists():
        from analysis.pipeline import run

        run(progress=False, verbose=False)
    ours, themes = load_artifacts(DEFAULT.processed_dir)
    our_out = float((ours["theme_id"] < 0).mean())
    print(f"{'':24}{'BERTopic defaults':>20}{'this project':>16}")
    print(f"{'topics / themes':24}{n_topics:>20}{len(themes):>16}")
    print(f"{'outliers':24}{outliers:>20.1%}{our_out:>16.1%}")
    print(f"{'fit time (s)':24}{secs:>20.1f}{'(see make bench)':>16}")
    print()
    left = [f"{r.Topic}: {r.Name} ({r.Count})" for r in info.itertuples() if r.Topic >= 0]
    right = [f"{r.theme_id}: {r.theme_name} ({r.size})" for r in themes.itertuples()]
    rows = max(len(left), len(right))
    table = pd.DataFrame(
        {
            "BERTopic default label (size)": left + [""] * (rows - len(left)),
            "our theme name (size)": right + [""] * (rows - len(right)),
        }
    )
    print(table.to_string(index=False))

    from importlib.metadata import version

    from analysis.io import write_json_atomic

    result = {
        "bertopic": {
            "version": version("bertopic"),
            "topics": n_topics,
            "outlier_share": round(outliers, 4),
            "labels": [
                {"topic": int(r.Topic), "name": r.Name, "size": int(r.Count)}
                for r in info.itertuples()
                if r.Topic >= 0
            ],
            "fit_seconds": round(secs, 1),
        },
        "ours": {
            "themes": len(themes),
            "outlier_share": round(our_out, 4),
            "labels": [
                {"theme": int(r.theme_id), "name": r.theme_name, "size": int(r.size)}
                for r in themes.itertuples()
            ],
        },
    }
    write_json_atomic(RESULT, result)
    print(f"written: {RESULT.relative_to(RESULT.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
