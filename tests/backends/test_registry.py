"""Registry: names, unknown names, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accelbench.backends import REGISTRY, available_backends, get_backend
from accelbench.errors import InputError


def test_known_backends_resolve_to_their_class():
    names = {name: type(get_backend(name)).__name__ for name in REGISTRY}
    assert names == {
        "pytorch": "PyTorchBackend",
        "onnxruntime": "OnnxRuntimeBackend",
        "openvino": "OpenVinoBackend",
    }
    assert all(get_backend(n).name == n for n in REGISTRY)


def test_unknown_backend_lists_the_known_ones():
    with pytest.raises(
        InputError, match="unknown backend 'tensorrt'; known backends: pytorch, onnxruntime, openvino"
    ):
        get_backend("tensorrt")


def test_all_three_are_installed_here():
    assert available_backends() == {"pytorch": True, "onnxruntime": True, "openvino": True}


def test_importing_backends_imports_no_runtime():
    code = (
        "import sys, accelbench.backends as b; b.get_backend('openvino'); b.available_backends();"
        "print(sorted(m for m in ('torch','onnxruntime','openvino','onnx','transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_config_is_paired_with_its_backend():
    from accelbench.backends.openvino import OpenVinoConfig

    backend = get_backend("openvino", OpenVinoConfig(performance_hint="THROUGHPUT"))
    assert backend.config.performance_hint == "THROUGHPUT"
    assert isinstance(get_backend("openvino").config, OpenVinoConfig)
