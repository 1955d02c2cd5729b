"""Parse /proc/cpuinfo (and its macOS/Windows stand-ins) into the CPU facts detection reports."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

# ISA extensions that change which kernels a runtime can use; reported in this order.
ISA_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx_vnni",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
    "amx_fp16",
    "neon",
    "asimd",
    "asimddp",
    "sve",
    "sve2",
    "bf16",
    "i8mm",
)


@dataclass
class CpuInfo:
    """What /proc/cpuinfo says about this CPU; `frequency_mhz` is the reported clock (may be None)."""

    model_name: str = ""
    vendor: str = ""
    family: int | None = None
    model: int | None = None
    logical_cpus: int = 0
    physical_cores: int | None = None
    frequency_mhz: float | None = None
    flags: set[str] = field(default_factory=set)

    def isa_flags(self) -> list[str]:
        """The flags of ISA_FLAGS this CPU has, in ISA_FLAGS order."""
        return [f for f in ISA_FLAGS if f in self.flags]


def parse_cpuinfo(text: str) -> CpuInfo:
    """Parse the text of /proc/cpuinfo (x86 or ARM layout) into a CpuInfo."""
    info = CpuInfo()
    cores: set[tuple[str, str]] = set()
    physical_id = "0"
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "processor":
            info.logical_cpus += 1
        elif key in ("model name", "hardware", "cpu model") and not info.model_name:
            info.model_name = value
        elif key == "vendor_id" and not info.vendor:
            info.vendor = value
        elif key == "cpu family" and info.family is None:
            info.family = _int(value)
        elif key == "model" and info.model is None:
            info.model = _int(value)
        elif key == "cpu mhz" and info.frequency_mhz is None:
            info.frequency_mhz = _float(value)
        elif key in ("flags", "features") and not info.flags:
            info.flags = set(value.split())
        elif key == "physical id":
            physical_id = value
        elif key == "core id":
            cores.add((physical_id, value))
    info.physical_cores = len(cores) or None
    return info


def read_cpuinfo(path: str | Path = "/proc/cpuinfo") -> CpuInfo:
    """This machine's CpuInfo; falls back to `platform` where /proc/cpuinfo does not exist."""
    try:
        info = parse_cpuinfo(Path(path).read_text(errors="replace"))
    except OSError:
        info = CpuInfo(model_name=platform.processor() or platform.machine())
    info.logical_cpus = info.logical_cpus or os.cpu_count() or 0
    if info.frequency_mhz is None:
        info.frequency_mhz = max_frequency_mhz()
    return info


def max_frequency_mhz() -> float | None:
    """cpufreq's maximum clock of cpu0 in MHz, or None where the kernel does not expose it (VMs)."""
    try:
        return int(Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").read_text()) / 1000
    except (OSError, ValueError):
        return None


def _int(value: str) -> int | None:
    try:
        return int(value, 0)
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None
