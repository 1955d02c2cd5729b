"""ROCm: AMD GPUs from the amdgpu driver's KFD topology in sysfs; ROCm version from ROCM_PATH."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from accelbench.hardware.info import HardwareInfo

KFD_NODES = Path("/sys/class/kfd/kfd/topology/nodes")


def detect(kfd_nodes: Path = KFD_NODES, dev_kfd: Path = Path("/dev/kfd")) -> HardwareInfo:
    """AMD GPUs visible through /dev/kfd; no subprocess, no torch."""
    rocm_path = Path(os.environ.get("ROCM_PATH", "/opt/rocm"))
    version = rocm_version(rocm_path)
    if not dev_kfd.exists():
        where = f"ROCm {version} at {rocm_path}" if version else f"no ROCm at {rocm_path}"
        return HardwareInfo(
            "rocm", False, reason=f"no AMD GPU driver: {dev_kfd} missing ({where})", runtime_version=version
        )
    devices = [d for d in (_node(p) for p in sorted(kfd_nodes.glob("*"))) if d is not None]
    if not devices:
        return HardwareInfo(
            "rocm",
            False,
            reason=f"{dev_kfd} exists but the KFD topology lists no GPU",
            runtime_version=version,
        )
    first = devices[0]
    return HardwareInfo(
        hardware_type="rocm",
        available=True,
        device_name=first["name"],
        memory_gb=first["memory_gb"],
        compute_units=first["compute_units"],
        runtime_version=version,
        driver_version=_driver_version(),
        details={
            "devices": devices,
            "device_count": len(devices),
            "rocm_path": str(rocm_path),
            "rocm_smi": shutil.which("rocm-smi"),
            "compute_units_kind": "compute units (CUs)",
        },
    )


def parse_kfd_properties(text: str) -> dict[str, int]:
    """A KFD `properties` file (`key value` per line) as a dict of ints."""
    props = {}
    for line in text.splitlines():
        key, _, value = line.strip().partition(" ")
        if value.strip().lstrip("-").isdigit():
            props[key] = int(value)
    return props


def gfx_name(gfx_target_version: int) -> str:
    """KFD's gfx_target_version (e.g. 90010) as the gfx architecture name (gfx90a)."""
    major, minor, step = (
        gfx_target_version // 10000,
        (gfx_target_version // 100) % 100,
        gfx_target_version % 100,
    )
    return f"gfx{major}{minor:x}{step:x}"


def rocm_version(rocm_path: Path) -> str | None:
    """ROCm version from ROCM_PATH/.info/version, or None where ROCm is not installed."""
    try:
        return (rocm_path / ".info" / "version").read_text().strip().split("-")[0] or None
    except OSError:
        return None


def _node(path: Path) -> dict[str, Any] | None:
    try:
        props = parse_kfd_properties((path / "properties").read_text())
    except OSError:
        return None
    gfx = props.get("gfx_target_version", 0)
    if not gfx:  # CPU nodes have no gfx target
        return None
    memory_bytes = 0
    for bank in path.glob("mem_banks/*/properties"):
        memory_bytes += parse_kfd_properties(bank.read_text()).get("size_in_bytes", 0)
    simds_per_cu = props.get("simd_per_cu") or 4
    return {
        "name": gfx_name(gfx),
        "memory_gb": round(memory_bytes / 1e9, 2) if memory_bytes else None,
        "compute_units": props.get("simd_count", 0) // simds_per_cu or None,
        "gfx_target_version": gfx,
    }


def _driver_version() -> str | None:
    try:
        return Path("/sys/module/amdgpu/version").read_text().strip() or None
    except OSError:
        return None
