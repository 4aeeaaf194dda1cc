"""Embedding, in stages: `windows` (texts cut to fit the model, pooled back), `model` (which
model, verified), `cache` (vectors keyed per text), `encoder` (the transformer in this process),
`engines` (in-process or Dask), `embed` (the front door)."""

from .cache import EmbeddingCache, EmbeddingCacheWarning, cache_key
from .embed import EmbeddingJob, EmbeddingResult, embed_papers, embed_texts, uncached_texts
from .encoder import Embedder
from .engines import ENGINES, DaskEngine, InProcessEngine, make_engine, usable_cores
from .model import BUNDLED_MODEL_SHA256, ModelError, resolve_model
from .windows import WindowPlan

__all__ = [
    "BUNDLED_MODEL_SHA256",
    "ENGINES",
    "DaskEngine",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingCacheWarning",
    "EmbeddingJob",
    "EmbeddingResult",
    "InProcessEngine",
    "ModelError",
    "WindowPlan",
    "cache_key",
    "embed_papers",
    "embed_texts",
    "make_engine",
    "resolve_model",
    "uncached_texts",
    "usable_cores",
]
