"""OpenVINO: package version from metadata; devices from a short-lived probe process.

Importing openvino costs ~90 ms here and querying its devices ~10 ms more, so the device list
comes from a subprocess with a timeout: detection never pays that import in the caller's process,
and a broken plugin cannot crash or hang it. detect_all() caches the answer on disk.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys

from accelbench.hardware.detectors.cpu import host_memory_gb
from accelbench.hardware.info import HardwareInfo

PROBE_TIMEOUT_SECONDS = 20.0
PROBE = (
    "import json, openvino as ov\n"
    "core = ov.Core()\n"
    "devices = {d: core.get_property(d, 'FULL_DEVICE_NAME') for d in core.available_devices}\n"
    "print(json.dumps(devices))\n"
)


def detect() -> HardwareInfo:
    """OpenVINO runtime and its devices (CPU, GPU, NPU); unavailable when not installed."""
    if importlib.util.find_spec("openvino") is None:
        return HardwareInfo(
            "openvino", False, reason="openvino not installed: pip install 'accelbench[openvino]'"
        )
    version = importlib.metadata.version("openvino")
    devices, error = probe_devices()
    if error:
        return HardwareInfo(
            "openvino", False, reason=f"openvino {version} installed but {error}", runtime_version=version
        )
    if not devices:
        return HardwareInfo(
            "openvino", False, reason=f"openvino {version} reports no device", runtime_version=version
        )
    first = "CPU" if "CPU" in devices else sorted(devices)[0]
    on_cpu = first == "CPU"  # the CPU plugin runs in host memory on every core
    return HardwareInfo(
        hardware_type="openvino",
        available=True,
        device_name=f"{first}: {devices[first]}",
        memory_gb=host_memory_gb() if on_cpu else None,
        compute_units=os.cpu_count() if on_cpu else None,
        runtime_version=version,
        details={
            "devices": devices,
            "note": "OpenVINO runs fp32 in bf16 on AMX/avx512_bf16 CPUs unless INFERENCE_PRECISION_HINT "
            "is set; accelbench always sets it",
        },
    )


def probe_devices() -> tuple[dict[str, str], str | None]:
    """({device: full name}, None) from a probe process, or ({}, why it failed)."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {}, f"the device query did not finish in {PROBE_TIMEOUT_SECONDS:.0f} s"
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, f"the device query failed: {last}"
    return json.loads(out.stdout.strip().splitlines()[-1]), None
