"""Encoding time of the worker processes a run uses, in a process that has not imported torch.

    python -m benchmarks.sharded VECTORS.npy [PRECISION]   # prints {"seconds": ..., "workers": ...}

`python -m benchmarks` runs it in a fresh process: forking workers needs a parent without torch
(`analysis.embed.worker_supported`), and the benchmark's own process has it loaded for the
in-process rows. The seconds cover the encoding only (first fork to last batch), not torch's
import or the model's loading; the pooled paper vectors go to VECTORS.npy so the caller can
check them against the in-process ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    import dataclasses

    from analysis.config import EmbedConfig
    from analysis.embed import ShardedEncoder, paper_texts, worker_supported
    from analysis.pipeline import ensure_artifacts

    args = argv if argv is not None else sys.argv[1:]
    out, precision = args[0], (args[1] if len(args) > 1 else EmbedConfig().precision)
    if not worker_supported():
        print(json.dumps({"error": "worker processes are not supported here"}))
        return 1
    papers, _ = ensure_artifacts()
    texts = paper_texts(papers)
    config = dataclasses.replace(EmbedConfig(), precision=precision)
    enc = ShardedEncoder([texts], config, progress=False)
    (encoder,) = enc.wait()
    vecs, _, _ = encoder(texts)
    np.save(Path(out), vecs)
    print(json.dumps({"seconds": enc.encode_seconds, "workers": enc.n}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
