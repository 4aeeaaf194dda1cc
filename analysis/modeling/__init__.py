"""Themes from embeddings: `reduce` (UMAP, HDBSCAN), `theme_model` (the estimator), `naming`
(keyphrases and names), `stability` (agreement across seeds, the parameter sweep), and
`numba_cache` (the one workaround for umap-learn's compile time)."""

from .stability import DEFAULT_GRID, matched_themes, stability_ari, sweep
from .theme_model import ThemeModel, warm_up

__all__ = ["DEFAULT_GRID", "ThemeModel", "matched_themes", "stability_ari", "sweep", "warm_up"]
