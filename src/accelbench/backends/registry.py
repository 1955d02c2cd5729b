"""Backend registry: name -> "module:Class", imported only when asked for."""

from __future__ import annotations

import importlib
import importlib.util

from accelbench.backends.base import Backend, BackendConfig
from accelbench.errors import InputError

# Adding a backend is one module plus one line here.
REGISTRY: dict[str, str] = {
    "pytorch": "accelbench.backends.pytorch:PyTorchBackend",
    "onnxruntime": "accelbench.backends.onnxruntime:OnnxRuntimeBackend",
    "openvino": "accelbench.backends.openvino:OpenVinoBackend",
}

# The third-party modules each backend needs to run at all.
_REQUIRES: dict[str, tuple[str, ...]] = {
    "pytorch": ("torch",),
    "onnxruntime": ("torch", "onnx", "onnxruntime"),
    "openvino": ("torch", "openvino"),
}


def backend_class(name: str) -> type[Backend]:
    """The Backend subclass registered as `name`; InputError listing the known names otherwise."""
    if name not in REGISTRY:
        raise InputError(f"unknown backend '{name}'; known backends: {', '.join(REGISTRY)}", field="backend")
    module_name, attr = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module_name), attr)


def get_backend(name: str, config: BackendConfig | None = None) -> Backend:
    """An instance of the backend `name` with `config` (its default config when None)."""
    return backend_class(name)(config)


def available_backends() -> dict[str, bool]:
    """Which registered backends have their runtime installed here (found without importing it)."""
    return {
        name: all(importlib.util.find_spec(mod) is not None for mod in _REQUIRES.get(name, ()))
        for name in REGISTRY
    }
