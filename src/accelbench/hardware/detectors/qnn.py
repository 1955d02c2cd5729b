"""QNN: Qualcomm AI Engine Direct, found through QNN_SDK_ROOT / its libraries or onnxruntime-qnn."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path

from accelbench.hardware.info import HardwareInfo

SDK_DEFAULTS = ("/opt/qcom/aistack/qairt", "/opt/qcom/aistack/qnn")
BACKEND_LIBRARIES = ("libQnnHtp.so", "libQnnCpu.so", "libQnnGpu.so", "QnnHtp.dll", "QnnCpu.dll")


def detect() -> HardwareInfo:
    """The QNN SDK and which of its backend libraries exist; accelbench has no QNN runtime backend."""
    sdk = _sdk_root()
    ort_qnn = _distribution_version("onnxruntime-qnn")
    if sdk is None and ort_qnn is None:
        return HardwareInfo(
            "qnn",
            False,
            reason="no Qualcomm QNN SDK: QNN_SDK_ROOT unset, none under "
            f"{' or '.join(SDK_DEFAULTS)}, and onnxruntime-qnn not "
            "installed (needs a Snapdragon device)",
        )
    # backends sit in lib/<target triple>/; a full rglob of the SDK would take seconds
    libraries = sorted({p.name for p in sdk.glob("lib/*/*") if p.name in BACKEND_LIBRARIES}) if sdk else []
    version = _sdk_version(sdk) if sdk else None
    has_htp = any("Htp" in name for name in libraries) or ort_qnn is not None
    on_device = platform.machine() in ("aarch64", "arm64", "ARM64")
    reason = (
        "accelbench has no QNN backend yet; found the SDK but cannot run on it"
        if on_device and has_htp
        else f"QNN SDK found but this is {platform.machine()}, not a Snapdragon device (HTP needs one)"
    )
    return HardwareInfo(
        hardware_type="qnn",
        available=False,
        reason=reason,
        runtime_version=version or ort_qnn,
        details={
            "sdk_root": str(sdk) if sdk else None,
            "backend_libraries": libraries,
            "onnxruntime_qnn": ort_qnn,
        },
    )


def _sdk_root() -> Path | None:
    candidates = [os.environ.get("QNN_SDK_ROOT"), os.environ.get("QAIRT_SDK_ROOT"), *SDK_DEFAULTS]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def _sdk_version(sdk: Path) -> str | None:
    # SDK folders are named by version (…/qairt/2.26.0.240828); sdk.yaml holds it in newer SDKs
    for part in (sdk.name, *(p.name for p in sdk.iterdir() if p.is_dir())):
        if part[:1].isdigit():
            return part
    return None


def _distribution_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
