"""WebGPU: the browser's GPU API; not runnable by accelbench (no browser backend)."""

from __future__ import annotations

from accelbench.hardware.detectors.browser import browser_platform
from accelbench.hardware.info import HardwareInfo


def detect() -> HardwareInfo:
    """WebGPU, always unavailable here with the reason."""
    return browser_platform(
        "webgpu",
        "WebGPU",
        "WebGPU needs a browser with WebGPU enabled and a GPU with a Vulkan/Metal/D3D12 "
        "driver (headless Chromium here runs with --disable-gpu)",
    )
