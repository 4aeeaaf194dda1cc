"""The names a theme can earn (`vocabulary.json`, editable): research areas, each with a one-line
description, and umbrellas that name a group of areas.

A paper's **area** is the area whose description is nearest its embedding, once each
description's mean similarity over the corpus is taken off (`paper_areas`): a description near
every paper (a hub: any that says "language model") would otherwise claim papers of every
field. A name describes a paper when the paper's area is one of the name's areas: an area
names itself, "A & b" joins two areas, an umbrella lists its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["VOCABULARY_PATH", "Vocabulary", "area_similarity", "load_vocabulary", "paper_areas"]

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.json")
#: How two area names are joined into one theme name ("A & b").
JOIN = " & "


@dataclass(frozen=True)
class Vocabulary:
    """Areas (name -> description) and umbrellas (name -> description and areas)."""

    areas: dict[str, str]
    umbrellas: dict[str, tuple[str, tuple[str, ...]]]

    @property
    def names(self) -> list[str]:
        return list(self.areas)

    def texts(self) -> list[str]:
        """What is embedded for each area: its name and description."""
        return [f"{name}: {desc}" for name, desc in self.areas.items()]

    def joined(self, a: str, b: str) -> str:
        """Two areas as one name: "A & b"."""
        return f"{a}{JOIN}{b[:1].lower()}{b[1:]}"

    def parts(self, name: str) -> tuple[str, ...]:
        """The areas a name covers (none for a name from outside the vocabulary)."""
        if name in self.areas:
            return (name,)
        if name in self.umbrellas:
            return self.umbrellas[name][1]
        lower = {a.lower(): a for a in self.areas}
        parts = tuple(lower.get(p.lower(), "") for p in name.split(JOIN))
        return parts if len(parts) > 1 and all(parts) else ()

    def describe(self, name: str) -> str | None:
        """What a name means: its description (a joined name: both of its areas')."""
        if name in self.areas:
            return self.areas[name]
        if name in self.umbrellas:
            return self.umbrellas[name][0]
        parts = self.parts(name)
        return " ".join(self.areas[p] for p in parts) if parts else None


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The vocabulary file, checked: a ValueError naming what is wrong."""
    p = Path(path) if path else VOCABULARY_PATH
    data = json.loads(p.read_text(encoding="utf-8"))
    areas = data.get("areas")
    if not isinstance(areas, dict) or not areas:
        raise ValueError(f"{p.name}: expected a non-empty object of areas under 'areas'")
    umbrellas = {}
    for name, u in (data.get("umbrellas") or {}).items():
        unknown = [a for a in u.get("areas", []) if a not in areas]
        if unknown or len(u.get("areas", [])) < 2 or not u.get("description"):
            raise ValueError(
                f"{p.name}: umbrella {name!r} needs a description and two or more known areas"
                + (f" (unknown: {', '.join(unknown)})" if unknown else "")
            )
        umbrellas[name] = (str(u["description"]), tuple(u["areas"]))
    return Vocabulary({str(k): str(v) for k, v in areas.items()}, umbrellas)


def area_similarity(vectors: np.ndarray, area_vectors: np.ndarray) -> np.ndarray:
    """Papers x areas: cosine to each area's description less that description's mean cosine
    over these papers (the hub correction)."""
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(area_vectors, dtype=np.float64).T
    return sims - sims.mean(axis=0, keepdims=True)


def paper_areas(vectors: np.ndarray, area_vectors: np.ndarray) -> np.ndarray:
    """Each paper's area (an index into the vocabulary's areas): the largest
    `area_similarity` (ties: the earlier area)."""
    return np.argmax(area_similarity(vectors, area_vectors), axis=1)
