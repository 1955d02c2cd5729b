"""A minimal ctypes binding to NVML (libnvidia-ml.so.1), the library behind nvidia-smi.

Loading the shared library is a dlopen that fails in microseconds where no NVIDIA driver is
installed, so CUDA detection costs nothing on a machine without a GPU and never imports torch.
"""

from __future__ import annotations

import ctypes
import sys
from contextlib import contextmanager
from typing import Any

LIBRARY_NAMES = ("libnvidia-ml.so.1", "libnvidia-ml.so") if sys.platform != "win32" else ("nvml.dll",)
CORES_PER_SM = {7: 64, 8: 64, 9: 128, 10: 128, 12: 128}  # by compute-capability major; 8.6/8.9 below


class NvmlError(RuntimeError):
    """An NVML call returned an error code."""


class _Memory(ctypes.Structure):
    _fields_ = [("total", ctypes.c_ulonglong), ("free", ctypes.c_ulonglong), ("used", ctypes.c_ulonglong)]


def load_library() -> ctypes.CDLL | None:
    """The NVML library, or None where no NVIDIA driver is installed."""
    for name in LIBRARY_NAMES:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _check(lib: ctypes.CDLL, code: int, call: str) -> None:
    if code != 0:
        lib.nvmlErrorString.restype = ctypes.c_char_p
        raise NvmlError(f"{call}: {lib.nvmlErrorString(code).decode()} (NVML error {code})")


@contextmanager
def session(lib: ctypes.CDLL):
    """nvmlInit_v2 ... nvmlShutdown around a block."""
    _check(lib, lib.nvmlInit_v2(), "nvmlInit_v2")
    try:
        yield lib
    finally:
        lib.nvmlShutdown()


def _string(lib: ctypes.CDLL, func: str, *args: Any) -> str:
    buf = ctypes.create_string_buffer(96)
    _check(lib, getattr(lib, func)(*args, buf, ctypes.c_uint(len(buf))), func)
    return buf.value.decode(errors="replace")


def device_count(lib: ctypes.CDLL) -> int:
    """Number of GPUs NVML sees (inside a session)."""
    count = ctypes.c_uint()
    _check(lib, lib.nvmlDeviceGetCount_v2(ctypes.byref(count)), "nvmlDeviceGetCount_v2")
    return count.value


def handle(lib: ctypes.CDLL, index: int) -> ctypes.c_void_p:
    """NVML device handle of GPU `index`."""
    h = ctypes.c_void_p()
    _check(lib, lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(h)), "GetHandleByIndex")
    return h


def system_versions(lib: ctypes.CDLL) -> tuple[str, str | None]:
    """(driver version such as '550.54.15', CUDA driver API version such as '12.4' or None)."""
    driver = _string(lib, "nvmlSystemGetDriverVersion")
    cuda = ctypes.c_int()
    if lib.nvmlSystemGetCudaDriverVersion_v2(ctypes.byref(cuda)) != 0:
        return driver, None
    return driver, f"{cuda.value // 1000}.{(cuda.value % 1000) // 10}"


def describe_device(lib: ctypes.CDLL, index: int) -> dict[str, Any]:
    """Name, total memory (GB), compute capability, CUDA cores and SM count of GPU `index`."""
    h = handle(lib, index)
    mem = _Memory()
    _check(lib, lib.nvmlDeviceGetMemoryInfo(h, ctypes.byref(mem)), "nvmlDeviceGetMemoryInfo")
    major, minor = ctypes.c_int(), ctypes.c_int()
    _check(
        lib,
        lib.nvmlDeviceGetCudaComputeCapability(h, ctypes.byref(major), ctypes.byref(minor)),
        "nvmlDeviceGetCudaComputeCapability",
    )
    cores = ctypes.c_uint()
    # nvmlDeviceGetNumGpuCores exists from driver 520 on; older drivers leave the core count unknown
    has_cores = (
        hasattr(lib, "nvmlDeviceGetNumGpuCores") and lib.nvmlDeviceGetNumGpuCores(h, ctypes.byref(cores)) == 0
    )
    cc = float(f"{major.value}.{minor.value}")
    return {
        "index": index,
        "name": _string(lib, "nvmlDeviceGetName", h),
        "memory_gb": round(mem.total / 1e9, 2),
        "compute_capability": cc,
        "cuda_cores": cores.value if has_cores else None,
        "multiprocessors": sm_count(cores.value, cc) if has_cores else None,
    }


def sm_count(cuda_cores: int, compute_capability: float) -> int | None:
    """Streaming multiprocessors from CUDA cores, with the cores-per-SM of the architecture."""
    per_sm = 128 if compute_capability in (8.6, 8.7, 8.9) else CORES_PER_SM.get(int(compute_capability))
    return cuda_cores // per_sm if per_sm else None


def power_watts(lib: ctypes.CDLL, index: int = 0) -> float:
    """Board power draw of GPU `index` in watts, as NVML measures it."""
    milliwatts = ctypes.c_uint()
    _check(
        lib,
        lib.nvmlDeviceGetPowerUsage(handle(lib, index), ctypes.byref(milliwatts)),
        "nvmlDeviceGetPowerUsage",
    )
    return milliwatts.value / 1000.0


def energy_joules(lib: ctypes.CDLL, index: int = 0) -> float:
    """Energy GPU `index` consumed since the driver loaded, in joules (Volta and newer)."""
    millijoules = ctypes.c_ulonglong()
    _check(
        lib,
        lib.nvmlDeviceGetTotalEnergyConsumption(handle(lib, index), ctypes.byref(millijoules)),
        "nvmlDeviceGetTotalEnergyConsumption",
    )
    return millijoules.value / 1000.0
