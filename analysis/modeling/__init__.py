"""Themes from embeddings: `neighbors` (the shared graph), `reduce` (UMAP, HDBSCAN),
`seeded_fits` (one fit per seed, on an engine), `fit_cache` (their cache), `consensus`,
`theme_model` (the estimator), `vocabulary`, `naming`, `evidence`, `typicality`, `keywords`,
`theme_table` (the table from all of them) and `stability` (agreement across seeds, the
parameter sweep).

Names are imported when first used, so a worker that runs one fit loads `seeded_fits` and what
it needs, nothing else.
"""

__all__ = ["DEFAULT_GRID", "ThemeModel", "matched_themes", "stability_ari", "sweep", "warm_up"]

_HOME = {
    "DEFAULT_GRID": "stability",
    "ThemeModel": "theme_model",
    "matched_themes": "stability",
    "stability_ari": "stability",
    "sweep": "stability",
    "warm_up": "theme_model",
}


def __getattr__(name: str):  # PEP 562
    if name in _HOME:
        from importlib import import_module

        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'analysis.modeling' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
