"""OpenVINO backend on a real tiny BERT: the precision asked for is the precision that runs."""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.backends import get_backend
from accelbench.errors import UnsupportedError


def _run(prepared, inputs):
    out = prepared.run(prepared.convert_inputs(inputs))
    prepared.synchronize()
    return prepared.to_numpy(out)


def _cpu_caps():
    import openvino as ov

    return ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def test_fp32_runs_in_f32_and_matches_pytorch(tiny_bert, bert_inputs, reference, tmp_path):
    prepared = get_backend("openvino").prepare(
        tiny_bert, "fp32", "cpu", bert_inputs, threads=1, cache_dir=tmp_path
    )
    # On an AMX CPU OpenVINO's default is bf16: the f32 here is the explicit hint at work.
    assert prepared.details["inference_precision"] == "f32"
    assert prepared.details["threads"] == 1
    np.testing.assert_allclose(_run(prepared, bert_inputs), reference, atol=1e-4)


def test_bf16_runs_in_bf16(tiny_bert, bert_inputs, reference, tmp_path):
    if "BF16" not in _cpu_caps():
        pytest.skip("this CPU has no bf16 in OpenVINO's OPTIMIZATION_CAPABILITIES")
    prepared = get_backend("openvino").prepare(tiny_bert, "bf16", "cpu", bert_inputs, cache_dir=tmp_path)
    assert prepared.details["inference_precision"] == "bf16"
    err = float(np.max(np.abs(_run(prepared, bert_inputs) - reference)))
    assert 0 < err < 5e-2  # bf16 mantissa: measured ~2e-4 here


def test_fp16_on_cpu_without_fp16_is_refused_not_relabelled(tiny_bert, bert_inputs, tmp_path):
    if "FP16" in _cpu_caps():
        pytest.skip("this CPU runs fp16 natively")
    # OpenVINO would quietly run f16 requests as bf16 on this CPU; we refuse instead.
    with pytest.raises(UnsupportedError, match="no native fp16"):
        get_backend("openvino").prepare(tiny_bert, "fp16", "cpu", bert_inputs, cache_dir=tmp_path)


def test_int8_weight_compression_runs(tiny_bert, bert_inputs, reference, tmp_path):
    pytest.importorskip("nncf", reason="nncf not installed: openvino int8 is unsupported without it")
    prepared = get_backend("openvino").prepare(tiny_bert, "int8", "cpu", bert_inputs, cache_dir=tmp_path)
    assert prepared.details["inference_precision"] == "f32"
    err = float(np.max(np.abs(_run(prepared, bert_inputs) - reference)))
    assert 0 < err < 1e-1  # int8 weights per channel: measured ~1.7e-2 here


def test_gpu_absent_is_unsupported(tiny_bert, bert_inputs, tmp_path):
    import openvino as ov

    if any(d.startswith("GPU") for d in ov.Core().available_devices):
        pytest.skip("an OpenVINO GPU exists here")
    with pytest.raises(UnsupportedError, match="no OpenVINO GPU device"):
        get_backend("openvino").prepare(tiny_bert, "fp32", "gpu", bert_inputs, cache_dir=tmp_path)
