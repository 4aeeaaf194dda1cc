"""A model-free engine for the embedding tests, and a child process that embeds with it
(`python -m tests.embedding.fakes CACHE [HOLD]`), for tests of concurrent runs on one cache."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

#: Short distinct texts (one window each) a child process embeds.
CONCURRENT = [f"Paper {i}: a method for speculative decoding, variant {i}." for i in range(8)]


def fake_vector(window: str) -> np.ndarray:
    """A vector that depends on the window's text only."""
    return np.frombuffer(hashlib.sha256(window.encode()).digest(), np.uint8).astype(np.float64)


class RecordingEngine:
    """An engine (`analysis.engines`) without a model: remembers the windows it was given to
    embed, and is its own `Pending`.

    With `hold`, `result` says "embedding" on stdout and waits until that file exists, so a
    test can start a second run while this one holds the cache."""

    name = "recording"

    def __init__(self, hold: Path | None = None) -> None:
        self.windows: list[str] = []
        self.vectors: list[np.ndarray] = []
        self.hold = hold

    def warm(self, func) -> None:
        pass  # no model to load

    def map(self, func, items, *shared):
        """`items`: the batches' windows (`analysis.embedding.engines.submit_batches`)."""
        for batch in items:
            self.windows += list(batch)
        self.vectors = [np.stack([fake_vector(w) for w in batch]) for batch in items]
        return self

    def close(self) -> None:
        pass

    def result(self, progress: bool = True, desc: str = "", unit: str = "") -> list:
        if self.hold is not None:
            print("embedding", flush=True)
            deadline = time.monotonic() + 300
            while not self.hold.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return self.vectors


def main(argv: list[str]) -> None:
    from analysis.embedding import embed_texts

    cache, hold = Path(argv[0]), (Path(argv[1]) if len(argv) > 1 and argv[1] else None)
    engine = RecordingEngine(hold)
    res = embed_texts(CONCURRENT, cache, progress=False, engine=engine)
    digest = hashlib.sha256(res.vectors.tobytes()).hexdigest()
    print(json.dumps({"n_embedded": res.n_embedded, "windows": engine.windows, "sha": digest}))


if __name__ == "__main__":
    main(sys.argv[1:])
