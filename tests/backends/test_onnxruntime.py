"""ONNX Runtime backend on a real tiny BERT exported by torch.onnx."""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.backends import get_backend
from accelbench.errors import UnsupportedError


def _run(prepared, inputs):
    out = prepared.run(prepared.convert_inputs(inputs))
    prepared.synchronize()
    return prepared.to_numpy(out)


def test_fp32_matches_pytorch(tiny_bert, bert_inputs, reference, tmp_path):
    prepared = get_backend("onnxruntime").prepare(
        tiny_bert, "fp32", "cpu", bert_inputs, threads=1, cache_dir=tmp_path
    )
    np.testing.assert_allclose(_run(prepared, bert_inputs), reference, atol=1e-4)
    assert prepared.details["providers"] == ["CPUExecutionProvider"]
    assert prepared.details["threads"] == 1


def test_other_shapes_are_refused_not_run(tiny_bert, model_factory, tmp_path):
    # Some traced exports (llava) give wrong shapes for another batch without raising: refuse instead.
    _, inputs_for = model_factory
    prepared = get_backend("onnxruntime").prepare(
        tiny_bert, "fp32", "cpu", inputs_for(tiny_bert, 1, 8), cache_dir=tmp_path
    )
    with pytest.raises(ValueError, match="prepared for input shapes"):
        prepared.convert_inputs(inputs_for(tiny_bert, 3, 8))


def test_int8_runs_within_loose_tolerance(tiny_bert, bert_inputs, reference, tmp_path):
    prepared = get_backend("onnxruntime").prepare(tiny_bert, "int8", "cpu", bert_inputs, cache_dir=tmp_path)
    err = float(np.max(np.abs(_run(prepared, bert_inputs) - reference)))
    # Dynamic int8 (uint8 activations, per-tensor): measured ~3e-2 on this model; bound 1e-1.
    assert 0 < err < 1e-1
    assert "quantize_dynamic" in prepared.details["quantization"]


@pytest.mark.parametrize("precision", ["fp16", "bf16", "int4", "int2"])
def test_unsupported_precisions_say_why(tiny_bert, bert_inputs, precision, tmp_path):
    with pytest.raises(UnsupportedError, match="onnxruntime"):
        get_backend("onnxruntime").prepare(tiny_bert, precision, "cpu", bert_inputs, cache_dir=tmp_path)


def test_cuda_provider_missing_is_unsupported(tiny_bert, bert_inputs, tmp_path):
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("onnxruntime has a CUDA provider here")
    with pytest.raises(UnsupportedError, match="no CUDAExecutionProvider"):
        get_backend("onnxruntime").prepare(tiny_bert, "fp32", "cuda", bert_inputs, cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # refused before exporting anything
