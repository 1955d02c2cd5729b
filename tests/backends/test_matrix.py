"""Every family's tiny size on every backend in fp32: runs and matches pytorch, or says why not.

The expected-unsupported set is the measured support matrix in docs/backends.md; a runtime update
that changes it makes this test fail, so the docs are updated with it.
"""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.backends import get_backend
from accelbench.errors import UnsupportedError
from accelbench.models.catalog import family_names

BACKENDS = ("pytorch", "onnxruntime", "openvino")
# (family, backend) -> part of the reason; measured with torch 2.13, onnxruntime 1.32, openvino 2026.4.
EXPECTED_UNSUPPORTED = {
    ("llava_next", "onnxruntime"): "ONNX export of llava_next/tiny failed",
    ("llava_next", "openvino"): "OpenVINO conversion of llava_next/tiny failed",
}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", family_names())
def test_tiny_fp32_matches_pytorch_or_is_unsupported(family, backend, model_factory, tmp_path):
    import torch

    build_tiny, inputs_for = model_factory
    built = build_tiny(family)
    inputs = inputs_for(built, 2, 16)
    with torch.no_grad():
        reference = built.module(*inputs).float().numpy()
    expected_reason = EXPECTED_UNSUPPORTED.get((family, backend))
    if expected_reason is not None:
        with pytest.raises(UnsupportedError, match=expected_reason):
            get_backend(backend).prepare(built, "fp32", "cpu", inputs, threads=1, cache_dir=tmp_path)
        return
    prepared = get_backend(backend).prepare(built, "fp32", "cpu", inputs, threads=1, cache_dir=tmp_path)
    got = prepared.to_numpy(prepared.run(prepared.convert_inputs(inputs)))
    assert got.shape == reference.shape
    np.testing.assert_allclose(got, reference, atol=1e-4)
