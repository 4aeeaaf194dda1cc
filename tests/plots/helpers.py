"""What the figure tests share: synthetic themes and papers, and colour arithmetic."""

from __future__ import annotations

import matplotlib.colors as mc
import numpy as np
import pandas as pd

NAMES = [
    "Efficient models: architectures, inference and compression",
    "Language model pretraining and NLP applications",
    "Decoding speedups",
    "Image generation and editing & object detection and segmentation",
    "Multimodal perception",
    "Speech and audio",
    "Learned data compression",
    "Representation learning & 3D vision",
    "Visual recognition",
    "Video understanding",
    "Medical imaging",
    "Tokenization",
    "Code models",
]


def corpus(seed: int = 0, n_outliers: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """13 themes as blobs of 10-60 points on a 2-D map, plus scattered outliers: shaped like
    the run's papers (x, y, theme_id) and themes tables."""
    rng = np.random.default_rng(seed)
    sizes = [61, 34, 26, 25, 25, 22, 21, 21, 20, 17, 16, 12, 10]
    angles = np.linspace(0, 2 * np.pi, len(sizes), endpoint=False)
    rows = []
    for tid, (n, a) in enumerate(zip(sizes, angles, strict=True)):
        center = np.array([np.cos(a), np.sin(a)]) * (3 + 1.5 * (tid % 3))
        xy = center + rng.normal(scale=0.45 + 0.01 * n, size=(n, 2))
        rows += [(x, y, tid) for x, y in xy]
    for x, y in rng.uniform(-6, 6, size=(n_outliers, 2)):
        rows.append((x, y, -1))
    papers = pd.DataFrame(rows, columns=["x", "y", "theme_id"])
    themes = pd.DataFrame(
        {
            "theme_id": range(len(sizes)),
            "theme_name": NAMES,
            "size": sizes,
            "misfits": [s // 6 for s in sizes],
        }
    )
    return papers, themes


def lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    rgb = np.asarray(mc.to_rgb(color))
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def chroma(color: str) -> float:
    """How far from grey: 0 for greys, 20 the least a glasbey palette allows (colorcet minc_20)."""
    _, a, b = lab(color)
    return float(np.hypot(a, b))


def hue(color: str) -> float:
    """CIELAB hue angle in degrees."""
    _, a, b = lab(color)
    return float(np.degrees(np.arctan2(b, a)) % 360)
