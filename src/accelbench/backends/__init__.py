"""Runtimes behind one interface: `get_backend(name).prepare(built, precision, device, inputs)`.

Importing this package imports no runtime; each backend module imports its runtime when used.
"""

from __future__ import annotations

from accelbench.backends.base import Backend, BackendConfig, Prepared
from accelbench.backends.cache import ArtifactCache, artifact_key, default_cache_dir
from accelbench.backends.names import BACKENDS, DEFAULT_BACKEND, default_backend
from accelbench.backends.registry import REGISTRY, available_backends, backend_class, get_backend

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "REGISTRY",
    "ArtifactCache",
    "Backend",
    "BackendConfig",
    "Prepared",
    "artifact_key",
    "available_backends",
    "backend_class",
    "default_backend",
    "default_cache_dir",
    "get_backend",
]
