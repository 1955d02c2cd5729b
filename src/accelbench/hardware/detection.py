"""detect_all / detect: run the platform detectors once, cache in-process and on disk (short TTL).

The disk cache is keyed by the boot id (drivers and devices change only across reboots, in
practice), the Python environment and the environment variables detectors read, and expires after
CACHE_TTL_SECONDS, so a fresh process pays ~1 ms instead of the OpenVINO probe (~250 ms).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

from accelbench.hardware.info import PLATFORMS, HardwareInfo

CACHE_TTL_SECONDS = 600.0
CACHE_ENV_VARS = ("CUDA_VISIBLE_DEVICES", "ROCM_PATH", "QNN_SDK_ROOT", "QAIRT_SDK_ROOT", "PATH")
CACHE_FORMAT = 1

_memo: dict[str, HardwareInfo] | None = None


def detect_all(refresh: bool = False) -> dict[str, HardwareInfo]:
    """Every platform of PLATFORMS, detected (or from cache unless `refresh`), in PLATFORMS order."""
    global _memo
    if not refresh:
        if _memo is not None:
            return dict(_memo)
        cached = _read_cache()
        if cached is not None:
            _memo = cached
            return dict(cached)
    _memo = {name: _run_detector(name) for name in PLATFORMS}
    _write_cache(_memo)
    return dict(_memo)


def detect(name: str, refresh: bool = False) -> HardwareInfo:
    """One platform by name (cpu, cuda, rocm, mps, openvino, qnn, webnn, webgpu)."""
    if name not in PLATFORMS:
        from accelbench.errors import InputError

        raise InputError(
            f"unknown hardware {name!r}; expected one of {', '.join(PLATFORMS)}", field="hardware"
        )
    return detect_all(refresh=refresh)[name]


def clear_cache() -> None:
    """Forget the in-process result and delete the disk cache."""
    global _memo
    _memo = None
    cache_path().unlink(missing_ok=True)


def cache_path() -> Path:
    """Where the disk cache lives: $ACCELBENCH_CACHE_DIR, else $XDG_CACHE_HOME/accelbench, else ~/.cache."""
    root = os.environ.get("ACCELBENCH_CACHE_DIR")
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "accelbench")
    return Path(root) / "hardware.json"


def _run_detector(name: str) -> HardwareInfo:
    from accelbench.hardware.detectors import DETECTORS

    start = time.perf_counter()
    try:
        info = DETECTORS[name]()
    except Exception as exc:  # a detector bug must not hide the other platforms; it is shown, not hidden
        warnings.warn(f"hardware detector {name!r} failed: {exc!r}", RuntimeWarning, stacklevel=2)
        info = HardwareInfo(name, False, reason=f"detector error (a bug in accelbench): {exc!r}")
    info.details["detect_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return info


def _cache_key() -> str:
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot_id = "no-boot-id"
    from accelbench import __version__

    parts = [
        CACHE_FORMAT,
        __version__,
        boot_id,
        sys.prefix,
        sys.version,
        *(os.environ.get(v, "") for v in CACHE_ENV_VARS),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _read_cache() -> dict[str, HardwareInfo] | None:
    try:
        data = json.loads(cache_path().read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != _cache_key() or time.time() - data.get("created_at", 0) > CACHE_TTL_SECONDS:
        return None
    platforms = data.get("platforms", {})
    if set(platforms) != set(PLATFORMS):
        return None
    return {name: HardwareInfo.from_dict(platforms[name]) for name in PLATFORMS}


def _write_cache(results: dict[str, HardwareInfo]) -> None:
    path = cache_path()
    payload = {
        "key": _cache_key(),
        "created_at": time.time(),
        "platforms": {name: info.to_dict() for name, info in results.items()},
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(payload))
        os.replace(tmp, path)  # atomic, so a concurrent reader never sees half a file
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only home only costs the next process a fresh detection
