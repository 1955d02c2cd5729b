"""Workers as the coordinator sees them: their hardware, their capacity, and how tasks are matched."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from typing import Any

from accelbench.hardware.info import HardwareInfo

log = logging.getLogger(__name__)

# CPU-bound runtimes share the host's CPU sets; accelerators are counted per device.
_CPU_BOUND = {"cpu", "openvino", "webnn"}


def unit_type(hardware_type: str) -> str:
    """The capacity a task on `hardware_type` consumes: `cpu` for CPU-bound runtimes, else the device."""
    return "cpu" if hardware_type in _CPU_BOUND else hardware_type


@dataclass
class WorkerSpec:
    """One worker: id, host, detected hardware and capacity (unit type -> tasks it may run at once)."""

    worker_id: str
    hostname: str
    hardware: list[HardwareInfo]
    capacity: dict[str, int]
    node_id: str | None = None  # Ray node id, for placement
    alive: bool = True
    load: dict[str, Any] = field(default_factory=dict)  # last heartbeat: cpu_percent, memory_percent, ...

    def match(self, requirements: Any) -> tuple[str | None, str]:
        """(hardware type this worker would run the task on, "") or (None, why not)."""
        reasons = []
        by_type = {h.hardware_type: h for h in self.hardware}
        for hw_type in requirements.hardware_types or ["cpu"]:
            info = by_type.get(hw_type)
            if info is None:
                reasons.append(f"no {hw_type}")
                continue
            ok, why = requirements.is_met_by(info)
            if not ok:
                reasons.append(why)
            elif self.capacity.get(unit_type(hw_type), 0) <= 0:
                reasons.append(f"{hw_type} offers no task slots on this worker")
            else:
                return hw_type, ""
        return None, "; ".join(reasons)

    def hardware_info(self) -> dict[str, Any]:
        """Detected hardware as JSON-ready dicts, keyed by type (for benchmark_workers)."""
        return {h.hardware_type: h.to_dict() for h in self.hardware}


def cpu_hardware() -> HardwareInfo:
    """This machine's CPU from psutil alone (fast; used when full detection is not needed)."""
    import platform

    import psutil

    return HardwareInfo(
        hardware_type="cpu",
        available=True,
        device_name=platform.processor() or "cpu",
        memory_gb=round(psutil.virtual_memory().total / 2**30, 1),
        compute_units=os.cpu_count(),
    )


def local_hardware(needed_types: set[str]) -> list[HardwareInfo]:
    """Hardware of this machine: the CPU, plus full detection when tasks ask for anything else."""
    found = [cpu_hardware()]
    if needed_types <= {"cpu"}:
        return found
    try:
        from accelbench.hardware import detect_all  # type: ignore[attr-defined]
    except ImportError:
        log.warning("accelbench.hardware.detect_all is not available: only the CPU is known here")
        return found
    detected = detect_all()
    items = detected.values() if isinstance(detected, dict) else detected
    return found + [h for h in items if h.hardware_type != "cpu"]


def hostname() -> str:
    """This host's name."""
    return socket.gethostname()
