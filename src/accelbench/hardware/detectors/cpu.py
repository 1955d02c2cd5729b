"""CPU: always available; model, cores, memory, clock and ISA flags from /proc/cpuinfo."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from accelbench.hardware.cpuinfo import max_frequency_mhz, read_cpuinfo
from accelbench.hardware.info import HardwareInfo


def detect() -> HardwareInfo:
    """This machine's CPU as a HardwareInfo (available is always True)."""
    cpu = read_cpuinfo()
    frequency_mhz, frequency_source = max_frequency_mhz(), "cpufreq cpuinfo_max_freq"
    if frequency_mhz is None:
        # VMs hide cpufreq; /proc/cpuinfo's clock is the current one, usually the base clock there
        frequency_mhz, frequency_source = cpu.frequency_mhz, "/proc/cpuinfo cpu MHz"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpu.logical_cpus
    return HardwareInfo(
        hardware_type="cpu",
        available=True,
        device_name=cpu.model_name or platform.machine(),
        memory_gb=host_memory_gb(),
        compute_units=cpu.logical_cpus,
        isa_flags=cpu.isa_flags(),
        details={
            "vendor": cpu.vendor,
            "family": cpu.family,
            "model": cpu.model,
            "architecture": platform.machine(),
            "physical_cores": cpu.physical_cores,
            "usable_cpus": usable,
            "frequency_mhz": frequency_mhz,
            "frequency_source": frequency_source if frequency_mhz else None,
            "os": f"{platform.system()} {platform.release()}",
            "kernel": platform.release(),
            "compute_units_kind": "logical CPUs",
        },
    )


def host_memory_gb(meminfo: str | Path = "/proc/meminfo") -> float | None:
    """Total host memory in GB (10^9 bytes), from /proc/meminfo or sysconf."""
    try:
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) * 1024 / 1e9, 2)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 2)
    except (ValueError, OSError, AttributeError):
        return None
