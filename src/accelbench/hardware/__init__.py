"""Hardware detection for the plan's 8 platforms, requirement matching and the spec table.

Importing this package is cheap: its names are resolved on first use (PEP 562), so modules that
only need HardwareInfo (tasks.requirements) do not load the detectors, and detectors run on the
first detect_all(), whose answer is cached in-process and on disk.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from accelbench.hardware.info import PLATFORMS, HardwareInfo

if TYPE_CHECKING:
    from accelbench.hardware.detection import cache_path, clear_cache, detect, detect_all
    from accelbench.hardware.matching import eligible
    from accelbench.hardware.power import PowerReading, read_power_watts
    from accelbench.hardware.specs import HardwareSpec, spec_for

_LAZY = {
    "cache_path": "detection",
    "clear_cache": "detection",
    "detect": "detection",
    "detect_all": "detection",
    "eligible": "matching",
    "PowerReading": "power",
    "read_power_watts": "power",
    "HardwareSpec": "specs",
    "spec_for": "specs",
}

__all__ = [
    "PLATFORMS",
    "HardwareInfo",
    "HardwareSpec",
    "PowerReading",
    "cache_path",
    "clear_cache",
    "detect",
    "detect_all",
    "eligible",
    "read_power_watts",
    "spec_for",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accelbench.hardware' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"accelbench.hardware.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value
