"""HardwareRequirements: what a task needs from the hardware it runs on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from accelbench.hardware.info import HardwareInfo


@dataclass
class HardwareRequirements:
    """The plan's HardwareRequirements; `is_met_by` says whether a detected platform satisfies it."""

    hardware_types: list[str] = field(default_factory=lambda: ["cpu"])
    min_memory_gb: float | None = None
    min_compute_capability: float | None = None
    driver_version_constraints: str | None = None
    exclusive_access: bool = False

    def is_met_by(self, hardware: HardwareInfo) -> tuple[bool, str]:
        """(True, "") when `hardware` meets every requirement, else (False, the first reason)."""
        if self.hardware_types and hardware.hardware_type not in self.hardware_types:
            return False, f"needs {'/'.join(self.hardware_types)}, worker has {hardware.hardware_type}"
        if not hardware.available:
            return False, f"{hardware.hardware_type} not available: {hardware.reason}"
        too_small = hardware.memory_gb is None or hardware.memory_gb < (self.min_memory_gb or 0)
        if self.min_memory_gb is not None and too_small:
            return False, f"needs >= {self.min_memory_gb} GB memory, has {hardware.memory_gb} GB"
        if self.min_compute_capability is not None:
            cc = hardware.compute_capability
            if cc is None or cc < self.min_compute_capability:
                return False, f"needs compute capability >= {self.min_compute_capability}, has {cc}"
        if self.driver_version_constraints:
            return self._check_driver(hardware)
        return True, ""

    def _check_driver(self, hardware: HardwareInfo) -> tuple[bool, str]:
        from packaging.specifiers import SpecifierSet
        from packaging.version import InvalidVersion, Version

        # The plan's ">=11.8" for CUDA is a CUDA version: detectors put it in runtime_version
        # (driver_version holds the kernel driver, e.g. 550.54.15, which would always pass).
        gpu_runtime = hardware.runtime_version if hardware.hardware_type in ("cuda", "rocm") else None
        version = gpu_runtime or hardware.driver_version or hardware.runtime_version
        if not version:
            return False, f"needs driver {self.driver_version_constraints}, version unknown"
        try:
            ok = Version(version) in SpecifierSet(self.driver_version_constraints or "")
        except InvalidVersion:
            return False, f"driver version {version!r} cannot be compared"
        return (True, "") if ok else (False, f"needs driver {self.driver_version_constraints}, has {version}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)
