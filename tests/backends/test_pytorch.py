"""PyTorch eager backend on a real tiny BERT."""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.backends import get_backend
from accelbench.errors import InputError, UnsupportedError


def _run(prepared, inputs):
    out = prepared.run(prepared.convert_inputs(inputs))
    prepared.synchronize()
    return prepared.to_numpy(out)


def test_fp32_cpu_matches_eager_exactly(tiny_bert, bert_inputs, reference):
    prepared = get_backend("pytorch").prepare(tiny_bert, "fp32", "cpu", bert_inputs, threads=1)
    got = _run(prepared, bert_inputs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, reference, atol=1e-6)
    assert prepared.details["threads"] == 1
    assert prepared.device_memory_peak_mb() is None  # no device counter on CPU


def test_bf16_is_close_within_bf16_tolerance(tiny_bert, bert_inputs, reference):
    prepared = get_backend("pytorch").prepare(tiny_bert, "bf16", "cpu", bert_inputs)
    got = _run(prepared, bert_inputs)
    err = float(np.max(np.abs(got - reference)))
    # bf16 keeps 8 bits of mantissa (~3e-3 relative); LayerNorm outputs are O(1): 5e-2 is generous.
    assert 0 < err < 5e-2
    # The caller's module stays fp32, so it remains the accuracy reference.
    assert str(next(tiny_bert.module.parameters()).dtype) == "torch.float32"


def test_fp16_on_cpu_runs_and_says_how(tiny_bert, bert_inputs, reference):
    prepared = get_backend("pytorch").prepare(tiny_bert, "fp16", "cpu", bert_inputs)
    got = _run(prepared, bert_inputs)
    assert float(np.max(np.abs(got - reference))) < 1e-2
    assert "fp16 on CPU" in prepared.details["note"]


def test_int8_dynamic_quantization_runs_close(tiny_bert, bert_inputs, reference):
    prepared = get_backend("pytorch").prepare(tiny_bert, "int8", "cpu", bert_inputs)
    got = _run(prepared, bert_inputs)
    err = float(np.max(np.abs(got - reference)))
    # int8 weights and activations per tensor: measured ~1e-3 on this model; 5e-2 is the loose bound.
    assert 0 < err < 5e-2
    assert "dynamic int8" in prepared.details["quantization"]
    assert any("quantized" in type(m).__module__ for m in prepared.module.modules())


@pytest.mark.parametrize("precision", ["int4", "int2"])
def test_low_bit_is_unsupported_with_reason(tiny_bert, bert_inputs, precision):
    with pytest.raises(UnsupportedError, match=f"{precision} on pytorch is not implemented"):
        get_backend("pytorch").prepare(tiny_bert, precision, "cpu", bert_inputs)


def test_unknown_precision_is_input_error(tiny_bert, bert_inputs):
    with pytest.raises(InputError, match="unknown precision 'fp8'"):
        get_backend("pytorch").prepare(tiny_bert, "fp8", "cpu", bert_inputs)


def test_cuda_without_device_is_unsupported(tiny_bert, bert_inputs):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device exists here; see test_cuda_fp16_runs")
    with pytest.raises(UnsupportedError, match="no CUDA device on this machine"):
        get_backend("pytorch").prepare(tiny_bert, "fp32", "cuda", bert_inputs)


@pytest.mark.gpu
def test_cuda_fp16_runs_and_reports_device_peak(tiny_bert, bert_inputs, reference):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    prepared = get_backend("pytorch").prepare(tiny_bert, "fp16", "cuda", bert_inputs)
    prepared.reset_device_peak()
    got = _run(prepared, bert_inputs)
    assert float(np.max(np.abs(got - reference))) < 1e-2
    assert prepared.device_memory_peak_mb() > 0
