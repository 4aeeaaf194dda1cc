"""Texts the embedding tests share: longer than a window, one run-on sentence, a few short."""

LONG = " ".join(
    f"Sentence number {i} describes a speculative decoding method with draft models and "
    f"verification, reaching a {i}.5x speedup on benchmark {i}."
    for i in range(40)
)
# One sentence far longer than any window: it must be cut at token boundaries, not dropped.
RUN_ON = "tokens " * 700 + "end."

SMALL = [
    "A paper about speculative decoding. It drafts tokens and verifies them in parallel.",
    "A paper about image compression. Learned codecs beat JPEG at low bitrates.",
    "A paper about encoder-decoder models. Sequence-to-sequence pretraining helps.",
]
