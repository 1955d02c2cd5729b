"""CUDA: NVIDIA GPUs through NVML (ctypes), or `nvidia-smi` when only the binary is there."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from accelbench.hardware import nvml
from accelbench.hardware.info import HardwareInfo

SMI_QUERY = "index,name,memory.total,driver_version,compute_cap"
SMI_TIMEOUT_SECONDS = 3.0


def detect() -> HardwareInfo:
    """NVIDIA GPUs on this machine; device 0 in the main fields, all of them in details['devices']."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return HardwareInfo("cuda", False, reason=f"CUDA_VISIBLE_DEVICES={visible!r} hides every GPU")
    lib = nvml.load_library()
    if lib is not None:
        return _from_nvml(lib)
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return HardwareInfo(
            "cuda", False, reason="no NVIDIA driver: libnvidia-ml.so.1 not found and nvidia-smi not on PATH"
        )
    return _from_smi(smi)


def _from_nvml(lib: Any) -> HardwareInfo:
    try:
        with nvml.session(lib):
            driver, cuda_version = nvml.system_versions(lib)
            devices = [nvml.describe_device(lib, i) for i in range(nvml.device_count(lib))]
    except nvml.NvmlError as exc:
        return HardwareInfo("cuda", False, reason=f"NVIDIA driver present but NVML failed: {exc}")
    return _info(devices, driver, cuda_version, source="nvml")


def _from_smi(smi: str) -> HardwareInfo:
    cmd = [smi, f"--query-gpu={SMI_QUERY}", "--format=csv,noheader,nounits"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=SMI_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return HardwareInfo("cuda", False, reason=f"nvidia-smi did not answer: {exc}")
    if out.returncode != 0:
        return HardwareInfo(
            "cuda", False, reason=f"nvidia-smi failed: {out.stderr.strip() or out.stdout.strip()}"
        )
    devices = parse_nvidia_smi_csv(out.stdout)
    driver = devices[0].pop("driver_version", None) if devices else None
    return _info(devices, driver, None, source="nvidia-smi")


def parse_nvidia_smi_csv(text: str) -> list[dict[str, Any]]:
    """Rows of `nvidia-smi --query-gpu=index,name,memory.total,driver_version,compute_cap
    --format=csv,noheader,nounits` as device dicts (memory.total is MiB)."""
    devices = []
    for line in text.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 5:
            continue
        index, name, memory_mib, driver, cc = parts
        devices.append(
            {
                "index": int(index),
                "name": name,
                "memory_gb": round(float(memory_mib) * 2**20 / 1e9, 2) if _is_number(memory_mib) else None,
                "compute_capability": float(cc) if _is_number(cc) else None,
                "driver_version": driver,
                "cuda_cores": None,
                "multiprocessors": None,
            }
        )
    return devices


def _info(
    devices: list[dict[str, Any]], driver: str | None, cuda_version: str | None, source: str
) -> HardwareInfo:
    if not devices:
        return HardwareInfo(
            "cuda",
            False,
            reason=f"NVIDIA driver {driver} present but it reports no GPU",
            driver_version=driver,
        )
    first = devices[0]
    return HardwareInfo(
        hardware_type="cuda",
        available=True,
        device_name=first["name"],
        memory_gb=first["memory_gb"],
        compute_units=first.get("multiprocessors"),
        runtime_version=cuda_version,
        driver_version=driver,
        compute_capability=first["compute_capability"],
        details={
            "devices": devices,
            "device_count": len(devices),
            "source": source,
            "runtime_version_kind": "highest CUDA version the driver supports",
            "compute_units_kind": "streaming multiprocessors",
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        },
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
