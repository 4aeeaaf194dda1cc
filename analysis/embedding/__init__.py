"""Embedding, in stages: `windows` (texts cut to fit the model, pooled back), `model` (which
model, verified), `cache` (vectors keyed per text), `encoder` (the transformer in this process),
`engines` (on the run's engine: in this process or on Dask workers), `embed` (the front door)."""

from .cache import EmbeddingCache, EmbeddingCacheWarning, cache_key
from .embed import EmbeddingJob, EmbeddingResult, embed_texts, uncached_texts
from .encoder import Embedder
from .model import BUNDLED_MODEL_SHA256, ModelError, resolve_model
from .windows import WindowPlan

__all__ = [
    "BUNDLED_MODEL_SHA256",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingCacheWarning",
    "EmbeddingJob",
    "EmbeddingResult",
    "ModelError",
    "WindowPlan",
    "cache_key",
    "embed_texts",
    "resolve_model",
    "uncached_texts",
]
