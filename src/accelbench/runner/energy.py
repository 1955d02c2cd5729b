"""Average power over the timed loop from an energy counter read before and after it.

Counters: NVML's total-energy counter for NVIDIA GPUs, RAPL package domains for CPUs. Reading a
counter twice costs nothing inside the loop (no sampling thread beside the timed calls). Where no
counter exists (these CI machines have neither), power is None and the reason is recorded:
accelbench never estimates power and stores it as a measurement.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from accelbench.hardware.power import RAPL_ROOT, rapl_package_counters


class EnergyMeter:
    """Context manager: `watts` (average power in the block) or None with `reason`."""

    def __init__(self, hardware: str, device_index: int = 0, rapl_root: Path = RAPL_ROOT) -> None:
        self.hardware, self.device_index, self.rapl_root = hardware, device_index, rapl_root
        self.watts: float | None = None
        self.source = ""
        self.reason = ""
        self._read: Any = None

    def __enter__(self) -> EnergyMeter:
        self._read = self._reader()
        if self._read is not None:
            self._start_j, self._start_s = self._read(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._read is None:
            return
        end_j, end_s = self._read(), time.perf_counter()
        if end_j is None or self._start_j is None or end_s <= self._start_s:
            self.reason = "energy counter unreadable"
            return
        self.watts = (end_j - self._start_j) / (end_s - self._start_s)

    def _reader(self) -> Any:
        if self.hardware in ("cuda",):
            return self._nvml_reader()
        if self.hardware in ("cpu", "openvino"):
            return self._rapl_reader()
        self.reason = f"no energy counter known for {self.hardware}"
        return None

    def _nvml_reader(self) -> Any:
        from accelbench.hardware import nvml

        lib = nvml.load_library()
        if lib is None:
            self.reason = "NVML library not found"
            return None
        self.source = "nvml nvmlDeviceGetTotalEnergyConsumption"

        def read() -> float | None:
            try:
                with nvml.session(lib):
                    return nvml.energy_joules(lib, self.device_index)
            except nvml.NvmlError:
                return None

        return read

    def _rapl_reader(self) -> Any:
        counters = rapl_package_counters(self.rapl_root)
        if not counters:
            self.reason = "no RAPL energy counters (/sys/class/powercap); CPU power not measurable here"
            return None
        self.source = f"RAPL {len(counters)} package domain(s)"

        def read() -> float | None:
            total = 0.0
            for c in counters:
                try:
                    total += int((c / "energy_uj").read_text()) / 1e6
                except (OSError, ValueError):
                    return None
            return total

        return read
