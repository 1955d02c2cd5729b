"""Runtime names and how the plan's hardware names map to (backend, device); no heavy imports."""

from __future__ import annotations

BACKENDS = ("pytorch", "onnxruntime", "openvino")

# The plan names devices and runtimes together as "hardware"; each maps to a default runtime.
DEFAULT_BACKEND = {
    "cpu": "pytorch",
    "cuda": "pytorch",
    "rocm": "pytorch",
    "mps": "pytorch",
    "openvino": "openvino",
    "qnn": "qnn",
    "webnn": "webnn",
    "webgpu": "webgpu",
}
# Every runtime name a task or a query may give: those with a backend and the platforms' own.
RUNTIMES = tuple(sorted(set(BACKENDS) | set(DEFAULT_BACKEND.values())))


def default_backend(hardware: str) -> str:
    """The runtime used for `hardware` when the user names none."""
    return DEFAULT_BACKEND.get(hardware, "pytorch")  # unknown hardware is reported by validation
