"""WebNN: the browser's neural-network API; not runnable by accelbench (no browser backend)."""

from __future__ import annotations

from accelbench.hardware.detectors.browser import browser_platform
from accelbench.hardware.info import HardwareInfo


def detect() -> HardwareInfo:
    """WebNN, always unavailable here with the reason."""
    return browser_platform(
        "webnn",
        "WebNN",
        "WebNN needs a browser with WebNN enabled (Chrome/Edge behind a flag) and a "
        "GPU or NPU driver it supports",
    )
