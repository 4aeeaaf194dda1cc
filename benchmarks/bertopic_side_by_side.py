"""BERTopic beside our themes, on the same texts and model: its defaults, and tuned as a careful
user would tune it.

    python -m benchmarks.bertopic_side_by_side   # needs the peer extra: pip install -e ".[peer]"

Both BERTopic settings get the same title + abstract texts and the same bundled all-MiniLM-L6-v2
model (so the model's own 256-token truncation). "defaults" is `BERTopic(embedding_model=model)`:
UMAP without a seed, HDBSCAN min_cluster_size=10, no stop-word removal. "tuned" seeds UMAP
(cosine, 5-d, min_dist 0), removes English stop words in its CountVectorizer (unigrams and
bigrams), represents topics with KeyBERTInspired, and then moves every outlier to its nearest
topic with `reduce_outliers(strategy="embeddings")` followed by `update_topics`, as BERTopic's
documentation shows. Each setting is fitted with the same 5 seeds (BERTopic's defaults ignore
them), and so is this project twice: one UMAP + HDBSCAN fit per seed ("single", like with like
against BERTopic's single fits) and what a run makes (`--seed S`, the consensus of
`ClusterConfig.consensus_seeds` fits; "ours"). Stability is the mean pairwise ARI of the 5
labelings. The stored run's names are read from data/processed/ (run `python -m analysis run`
first). Writes benchmarks/results/bertopic_side_by_side.json (a few minutes here).
"""

from __future__ import annotations

import os
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

from analysis.config import PEER_RESULT as RESULT

#: The seeds every setting is fitted with; disjoint seed sets for our consensus (up to 1000 fits).
SEEDS = (42, 1042, 2042, 3042, 4042)


def _bertopic(model: Any, setting: str, seed: int) -> Any:
    """A BERTopic for `setting` ("defaults" or "tuned")."""
    from bertopic import BERTopic

    if setting == "defaults":
        return BERTopic(embedding_model=model)
    from bertopic.representation import KeyBERTInspired
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    return BERTopic(
        embedding_model=model,
        umap_model=UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        ),
        vectorizer_model=CountVectorizer(stop_words="english", ngram_range=(1, 2)),
        representation_model=KeyBERTInspired(random_state=seed),
    )


def fit_bertopic(model: Any, texts: list[str], embeddings: np.ndarray, setting: str, seed: int):
    """One fit: final topics per text, the topics as fitted (before outlier reduction), labels,
    seconds."""
    t0 = time.perf_counter()
    tm = _bertopic(model, setting, seed)
    topics, _ = tm.fit_transform(texts, embeddings)
    fitted = np.asarray(topics)
    if setting == "tuned":
        from bertopic.representation import KeyBERTInspired
        from sklearn.feature_extraction.text import CountVectorizer

        topics = tm.reduce_outliers(texts, topics, strategy="embeddings", embeddings=embeddings)
        tm.update_topics(
            texts,
            topics=topics,
            vectorizer_model=CountVectorizer(stop_words="english", ngram_range=(1, 2)),
            representation_model=KeyBERTInspired(random_state=seed),
        )
    info = tm.get_topic_info()
    labels = [
        {"topic": int(r.Topic), "name": r.Name, "size": int(r.Count)}
        for r in info.itertuples()
        if r.Topic >= 0
    ]
    return np.asarray(topics), fitted, labels, time.perf_counter() - t0


def _summary(labelings: list[np.ndarray], fitted: list[np.ndarray]) -> dict[str, Any]:
    """Topic counts, outlier shares and mean pairwise ARI, of the final and the fitted labels."""
    from analysis.modeling.stability import stability_ari

    return {
        "topics": [len(set(lab.tolist()) - {-1}) for lab in labelings],
        "outlier_share": [round(float(np.mean(lab == -1)), 4) for lab in labelings],
        "stability_ari": round(stability_ari(labelings), 3),
        "outlier_share_fitted": [round(float(np.mean(lab == -1)), 4) for lab in fitted],
        "stability_ari_fitted": round(stability_ari(fitted), 3),
    }


def main() -> int:
    import sys
    from dataclasses import replace
    from importlib.metadata import version

    from analysis.artifacts import load_artifacts, theme_vectors
    from analysis.config import DEFAULT
    from analysis.dataset import load_papers
    from analysis.embedding.model import load_model, resolve_model
    from analysis.engines import InProcessEngine
    from analysis.io import write_json_atomic
    from analysis.modeling.theme_model import ThemeModel
    from analysis.progress import progress_bar
    from analysis.run_sets import current_set
    from analysis.text import paper_texts

    try:
        from bertopic import BERTopic
    except ImportError:
        print("bertopic is not installed: pip install -e '.[peer]'")
        return 2

    papers = load_papers()
    texts = paper_texts(papers)
    t0 = time.perf_counter()
    # the bundled model, its weights checked, in BERTopic's own precision (float32)
    model = load_model(resolve_model(None), precision="float32")
    if "--fit-only" in sys.argv[1:]:  # for benchmarks/: time the peer's defaults alone, cold
        topic_model = BERTopic(embedding_model=model)
        topics, _ = topic_model.fit_transform(texts)
        secs = time.perf_counter() - t0
        n_topics = len(set(topics) - {-1})
        outliers = sum(t == -1 for t in topics) / len(topics)
        print(f"fit_seconds={secs:.2f} topics={n_topics} outliers={outliers:.4f}")
        return 0

    if current_set(DEFAULT.processed_dir) is None:
        from analysis.pipeline import run

        run(progress=False, verbose=False)
    ours, themes = load_artifacts(DEFAULT.processed_dir)
    # BERTopic embeds each text once per fit; embedding once here gives it the same vectors.
    embeddings = model.encode(texts, show_progress_bar=False)

    result: dict[str, Any] = {"bertopic_version": version("bertopic"), "seeds": list(SEEDS)}
    for setting in ("defaults", "tuned"):
        runs, fitted, first, secs = [], [], None, []
        for seed in progress_bar(iterable=SEEDS, desc=f"BERTopic {setting}", unit="fit"):
            topics, fit, labels, s = fit_bertopic(model, texts, embeddings, setting, seed)
            runs.append(topics)
            fitted.append(fit)
            secs.append(s)
            first = first or labels
        result[setting] = {
            **_summary(runs, fitted),
            "labels": first,
            "fit_seconds": [round(s, 1) for s in secs],
        }

    X = theme_vectors(ours)
    engine = InProcessEngine()
    try:
        single = [
            ThemeModel.from_config(
                replace(DEFAULT.cluster, random_state=seed, consensus_seeds=1), with_map=False
            )
            .fit(X)
            .labels_
            for seed in progress_bar(iterable=SEEDS, desc="ours, one fit", unit="seed")
        ]
        runs = [
            ThemeModel.from_config(replace(DEFAULT.cluster, random_state=seed), with_map=False)
            .fit(X, engine=engine)
            .labels_
            for seed in progress_bar(
                iterable=SEEDS,
                desc=f"ours (consensus of {DEFAULT.cluster.consensus_seeds})",
                unit="seed",
            )
        ]
    finally:
        engine.close()
    result["single"] = _summary(single, single)
    same_as_stored = bool(np.array_equal(runs[0], ours["theme_id"].to_numpy()))
    result["ours"] = {
        **_summary(runs, runs),
        "fits_per_run": DEFAULT.cluster.consensus_seeds,
        "labels": [
            {"theme": int(r.theme_id), "name": r.theme_name, "size": int(r.size)}
            for r in themes.itertuples()
        ],
        "seed_42_is_the_stored_run": same_as_stored,
    }
    write_json_atomic(RESULT, result)

    for name in ("defaults", "tuned", "single", "ours"):
        r = result[name]
        print(
            f"{name:9} topics {r['topics']}  outliers {r['outlier_share']}  "
            f"ARI over 5 seeds {r['stability_ari']:.3f}"
        )
        if "labels" in r:
            print("          " + "; ".join(f"{x['name']} ({x['size']})" for x in r["labels"][:6]))
    print(f"written: {RESULT.relative_to(RESULT.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
