"""What each family is expected to run on: backends x precisions (expectations; the backends measure)."""

from __future__ import annotations

from accelbench.backends.names import BACKENDS
from accelbench.models.catalog import FAMILIES

# The expectation per runtime, for every family unless an exception below says otherwise:
# - pytorch: fp32/bf16 everywhere; fp16 needs a GPU (CPU fp16 matmuls are slow or missing); int8 is
#   dynamic quantization of nn.Linear.
# - onnxruntime: fp32 via torch.onnx export, int8 via dynamic quantization.
# - openvino: fp32 / bf16 through INFERENCE_PRECISION_HINT, int8 through weight compression.
# int4/int2 (every runtime) and onnxruntime fp16 are not implemented: the backends store such tasks
# `unsupported` with the reason, so they are not expected here (a test keeps the two in step).
DEFAULT_SUPPORT: dict[str, tuple[str, ...]] = {
    "pytorch": ("fp32", "fp16", "bf16", "int8"),
    "onnxruntime": ("fp32", "int8"),
    "openvino": ("fp32", "bf16", "int8"),
}

# Known exceptions, with the reason shown in `accelbench models`. Checked on the tiny sizes: every other
# family exports with torch.onnx.export(dynamo=False) and matches pytorch fp32 within 4e-6 in
# onnxruntime and in OpenVINO (f32 hint); tests/models/test_export.py (slow) keeps that true.
_NO_ONNX = (
    "torch.onnx.export fails: transformers' llava_next unpad_image calls round() on traced "
    "shapes (dynamo=True fails in torch.export too)"
)
EXCEPTIONS: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "resnet": {
        "pytorch": (
            DEFAULT_SUPPORT["pytorch"],
            "int8 quantizes nn.Linear only: the classifier; every convolution stays fp32",
        ),
    },
    "llava_next": {
        "onnxruntime": ((), _NO_ONNX),
        "openvino": ((), "converted from the ONNX export; " + _NO_ONNX),
    },
}


def expected_precisions(family: str, backend: str) -> tuple[str, ...]:
    """Precisions `family` is expected to run in on `backend` (not a measurement)."""
    if family not in FAMILIES or backend not in BACKENDS:
        raise KeyError(f"{family}/{backend}")
    exception = EXCEPTIONS.get(family, {}).get(backend)
    return exception[0] if exception else DEFAULT_SUPPORT[backend]


def support_note(family: str, backend: str) -> str | None:
    """Why `family` deviates from the default on `backend`, or None."""
    exception = EXCEPTIONS.get(family, {}).get(backend)
    return exception[1] if exception else None
