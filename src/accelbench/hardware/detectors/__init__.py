"""One detector module per platform, registered here: adding a platform is one module and one line."""

from __future__ import annotations

from collections.abc import Callable

from accelbench.hardware.detectors import cpu, cuda, mps, openvino, qnn, rocm, webgpu, webnn
from accelbench.hardware.info import HardwareInfo

DETECTORS: dict[str, Callable[[], HardwareInfo]] = {
    "cpu": cpu.detect,
    "cuda": cuda.detect,
    "rocm": rocm.detect,
    "mps": mps.detect,
    "openvino": openvino.detect,
    "qnn": qnn.detect,
    "webnn": webnn.detect,
    "webgpu": webgpu.detect,
}

__all__ = ["DETECTORS"]
