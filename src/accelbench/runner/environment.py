"""The environment fingerprint stored with every run: CPU, OS, Python, library versions, git state."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import socket
import subprocess
from importlib import metadata
from typing import Any

from accelbench.runner.allocator import describe_policy

_LIBRARIES = ("torch", "transformers", "onnx", "onnxruntime", "openvino", "duckdb", "numpy", "pyarrow", "ray")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else platform.processor()."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_versions() -> dict[str, str | None]:
    """Installed versions of the runtimes and libraries that shape a result (None if absent)."""
    versions: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(cwd: str | None = None) -> dict[str, str | None]:
    """Commit and branch of the repository the command runs in (None outside a repository)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() or None if out.returncode == 0 else None

    return {"git_commit": git("rev-parse", "HEAD"), "git_branch": git("rev-parse", "--abbrev-ref", "HEAD")}


def _hardware() -> dict[str, Any]:
    try:
        from accelbench.hardware import detect_all
    except ImportError:
        return {}
    return {name: info.to_dict() for name, info in detect_all().items()}


@functools.lru_cache(maxsize=1)
def environment_fingerprint() -> dict[str, Any]:
    """Everything about this machine and software that a result depends on, with a stable hash."""
    import psutil

    env: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cores_physical": psutil.cpu_count(logical=False),
        "cores_logical": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.system(),
        "os_version": platform.release(),
        "python": platform.python_version(),
        "versions": library_versions(),
        **git_state(os.getcwd()),
        "hardware": _hardware(),
        "malloc": describe_policy(),  # task processes fix glibc's thresholds unless told not to
    }
    stable = {
        k: env[k]
        for k in (
            "cpu_model",
            "cores_logical",
            "memory_gb",
            "os",
            "os_version",
            "python",
            "versions",
            "malloc",
        )
    }
    env["fingerprint"] = hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()[:16]
    return env
