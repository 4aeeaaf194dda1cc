"""Quoted evidence for a theme's name (`analysis.modeling.evidence`): verbatim sentences of
different members, one per area of the name in turn, each followed by its paper's id."""

from __future__ import annotations

import numpy as np

from analysis.modeling.evidence import evidence
from analysis.modeling.vocabulary import Vocabulary

VOCAB = Vocabulary(
    areas={
        "Speech recognition": "Recognising speech: acoustic models turn spoken audio into text.",
        "Image compression": "Compressing images into fewer bits with learned codecs.",
    },
    umbrellas={},
)
ABSTRACTS = [
    "We study many things at once here. Our acoustic model turns spoken audio into text fast.",
    "This is an acoustic model for recognising speech in noisy spoken audio recordings.",
    "A learned codec compresses images into fewer bits than JPEG at the same quality level.",
    "Nothing here is about the theme at all, just a sentence of some length for the test.",
]
IDS = ["p0", "p1", "p2", "p3"]
AREAS = np.array([0, 0, 1, 0])


def test_quotes_come_from_different_members_one_area_after_the_other():
    name = VOCAB.joined("Speech recognition", "Image compression")
    got = evidence(name, VOCAB, [0, 1, 2, 3], AREAS, ABSTRACTS, IDS, n=3)
    assert len(got) == 3
    assert got[0].endswith("[p0]") or got[0].endswith("[p1]")
    assert got[1] == (
        "A learned codec compresses images into fewer bits than JPEG at the same quality "
        "level. [p2]"
    )
    ids = [q.rsplit("[", 1)[1] for q in got]
    assert len(set(ids)) == 3  # one sentence per member
    for q in got:
        sentence, pid = q.rsplit(" [", 1)
        assert sentence in ABSTRACTS[IDS.index(pid.rstrip("]"))]  # verbatim


def test_a_keyphrase_name_quotes_sentences_that_hold_it():
    got = evidence("Acoustic model", VOCAB, [3, 1, 0], AREAS, ABSTRACTS, IDS, n=2)
    assert [q.rsplit("[", 1)[1] for q in got] == ["p1]", "p0]"]  # members in the order given
    assert all("acoustic model" in q.lower() for q in got)


def test_no_member_of_an_area_no_quote():
    assert evidence("Image compression", VOCAB, [0, 1], AREAS, ABSTRACTS, IDS) == []


def test_a_keyword_list_is_never_quoted():
    abstracts = [
        "Keywords: Acoustic model, Speech recognition, Spoken audio, Text output systems.",
        "Index Terms - acoustic model, spoken audio into text, speech recognition systems.",
        "This is an acoustic model for recognising speech in noisy spoken audio recordings.",
    ]
    got = evidence("Acoustic model", VOCAB, [0, 1, 2], np.array([0, 0, 0]), abstracts, IDS[:3])
    assert got == [abstracts[2] + " [p2]"]
