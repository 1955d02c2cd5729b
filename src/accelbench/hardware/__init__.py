"""Hardware detection for the plan's 8 platforms, requirement matching and the spec table."""

from accelbench.hardware.info import PLATFORMS, HardwareInfo

__all__ = ["PLATFORMS", "HardwareInfo"]
