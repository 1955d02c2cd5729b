"""Power probes: NVML board power for NVIDIA GPUs, RAPL package energy for CPUs where exposed.

Nothing here estimates: where no counter exists (CPUs on these VMs have no RAPL) the answer is
None, and callers store no power figure. A future estimate must set `is_estimate=True`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from accelbench.hardware.info import HardwareInfo

RAPL_ROOT = Path("/sys/class/powercap")
RAPL_INTERVAL_SECONDS = 0.1


@dataclass
class PowerReading:
    """One power figure in watts, where it came from, and whether it is an estimate."""

    watts: float
    source: str
    is_estimate: bool = False


def read_power_watts(hardware: HardwareInfo | str, device_index: int = 0) -> PowerReading | None:
    """Current power of `hardware` (a HardwareInfo or platform name) in watts, or None without a counter."""
    kind = hardware if isinstance(hardware, str) else hardware.hardware_type
    if kind == "cuda":
        return _nvml_power(device_index)
    if kind in ("cpu", "openvino"):
        return rapl_power(RAPL_ROOT)
    return None


def _nvml_power(device_index: int) -> PowerReading | None:
    from accelbench.hardware import nvml

    lib = nvml.load_library()
    if lib is None:
        return None
    try:
        with nvml.session(lib):
            return PowerReading(nvml.power_watts(lib, device_index), source="nvml nvmlDeviceGetPowerUsage")
    except nvml.NvmlError:
        return None  # e.g. power readings not supported on this board


def rapl_power(root: Path = RAPL_ROOT, interval_s: float = RAPL_INTERVAL_SECONDS) -> PowerReading | None:
    """CPU package power in watts from two RAPL energy readings `interval_s` apart, or None without RAPL."""
    counters = rapl_package_counters(root)
    if not counters:
        return None
    before = [_read_uj(c) for c in counters]
    start = time.perf_counter()
    time.sleep(interval_s)
    after = [_read_uj(c) for c in counters]
    elapsed = time.perf_counter() - start
    joules = 0.0
    for counter, b, a in zip(counters, before, after, strict=True):
        if a is None or b is None:
            return None  # energy_uj is root-only on recent kernels
        delta = a - b if a >= b else a + _max_range_uj(counter) - b  # the counter wraps around
        joules += delta / 1e6
    return PowerReading(joules / elapsed, source=f"RAPL {len(counters)} package domain(s)")


def rapl_package_counters(root: Path = RAPL_ROOT) -> list[Path]:
    """The top-level RAPL package domains (intel-rapl:N, not their sub-zones)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*-rapl:*") if p.name.count(":") == 1 and (p / "energy_uj").exists())


def _read_uj(domain: Path) -> int | None:
    try:
        return int((domain / "energy_uj").read_text())
    except (OSError, ValueError):
        return None


def _max_range_uj(domain: Path) -> int:
    try:
        return int((domain / "max_energy_range_uj").read_text())
    except (OSError, ValueError):
        return 2**32
