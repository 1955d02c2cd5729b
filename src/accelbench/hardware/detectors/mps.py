"""MPS: Apple's Metal Performance Shaders, only on macOS on Apple silicon (arm64)."""

from __future__ import annotations

import platform
import subprocess
import sys

from accelbench.hardware.info import HardwareInfo

MIN_MACOS = (12, 3)  # PyTorch's MPS backend needs macOS 12.3 or newer


def detect() -> HardwareInfo:
    """Apple silicon GPU; unavailable with the reason on any other OS or architecture."""
    machine = platform.machine()
    if sys.platform != "darwin" or machine != "arm64":
        return HardwareInfo(
            "mps", False, reason=f"MPS needs macOS on Apple silicon (arm64); this is {sys.platform} {machine}"
        )
    release = platform.mac_ver()[0]
    version = tuple(int(p) for p in release.split(".")[:2] if p.isdigit())
    if version < MIN_MACOS:
        return HardwareInfo("mps", False, reason=f"MPS needs macOS >= 12.3, this is {release}")
    memory = _sysctl("hw.memsize")
    cores = _sysctl("hw.perflevel0.physicalcpu")
    return HardwareInfo(
        hardware_type="mps",
        available=True,
        device_name=_sysctl("machdep.cpu.brand_string") or "Apple silicon",
        memory_gb=round(int(memory) / 1e9, 2) if memory and memory.isdigit() else None,
        compute_units=None,
        runtime_version=release,
        details={
            "memory_kind": "unified (shared with the CPU)",
            "performance_cores": int(cores) if cores and cores.isdigit() else None,
            "note": "whether the installed torch was built with MPS is checked by the backend",
        },
    )


def _sysctl(name: str) -> str | None:
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None
