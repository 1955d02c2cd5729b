"""A Ray node that offers this machine's accelbench hardware: `accelbench worker start`.

The node advertises Ray custom resources `accelbench:<type>` (task slots: CPU sets, one per GPU,
openvino), `accelbench:<type>:memory_gb` and `accelbench:cuda:cc_x10` (compute capability × 10,
Ray quantities being whole numbers), and publishes its detected hardware and a load heartbeat in
Ray's key-value store, where the coordinator reads them. It never writes to the database.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from typing import Any

from accelbench.errors import require
from accelbench.execution.ray_executor import KV_NAMESPACE, RESOURCE_PREFIX
from accelbench.execution.workers import cpu_hardware, hostname, unit_type
from accelbench.hardware.info import HardwareInfo

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 5.0


def detect_hardware() -> list[HardwareInfo]:
    """Every available platform on this machine (full detection when present, else the CPU)."""
    try:
        from accelbench.hardware import detect_all  # type: ignore[attr-defined]
    except ImportError:
        return [cpu_hardware()]
    found = detect_all()
    items = list(found.values()) if isinstance(found, dict) else list(found)
    return [h for h in items if h.available] or [cpu_hardware()]


def node_resources(hardware: list[HardwareInfo], cpu_slots: int) -> dict[str, int]:
    """Ray custom resources describing `hardware`: slots per unit, memory in GB, compute capability × 10."""
    res: dict[str, int] = {}
    for h in hardware:
        if unit_type(h.hardware_type) == "cpu" and h.hardware_type != "cpu":
            res[f"{RESOURCE_PREFIX}{h.hardware_type}"] = 1  # marker: runs on the CPU slots
        elif h.hardware_type == "cpu":
            res[f"{RESOURCE_PREFIX}cpu"] = cpu_slots
        else:
            res[f"{RESOURCE_PREFIX}{h.hardware_type}"] = int(h.details.get("device_count", 1) or 1)
        if h.memory_gb:
            res[f"{RESOURCE_PREFIX}{h.hardware_type}:memory_gb"] = int(h.memory_gb)
        if h.compute_capability:
            res[f"{RESOURCE_PREFIX}{h.hardware_type}:cc_x10"] = round(h.compute_capability * 10)
    return res


def cached_models(cache_root: str | None = None) -> list[str]:
    """Models whose exported artifacts this node's cache holds, as "family-size/backend" keys."""
    from accelbench.backends.cache import ArtifactCache

    try:
        entries = ArtifactCache(cache_root).entries()
    except OSError:
        return []
    return sorted({f"{e.get('family')}-{e.get('size')}/{e.get('backend')}" for e in entries})


def load_sample() -> dict[str, Any]:
    """This host's CPU and memory load now, and the models its artifact cache holds (the heartbeat)."""
    import psutil

    return {
        "cpu_percent": psutil.cpu_percent(interval=None),
        "memory_percent": psutil.virtual_memory().percent,
        "cached_models": cached_models(),
        "time": time.time(),
    }


def start_worker(
    ray_address: str,
    *,
    cpu_slots: int = 1,
    heartbeat_s: float = HEARTBEAT_INTERVAL_S,
    max_beats: int | None = None,
    node_ip_address: str | None = None,
) -> int:
    """Join the cluster at `ray_address` as a node with this machine's hardware; returns when the node stops."""
    ray = require("ray", "ray")
    from ray.experimental import internal_kv

    hardware = detect_hardware()
    resources = node_resources(hardware, cpu_slots)
    cmd = [
        sys.executable,
        "-m",
        "ray.scripts.scripts",
        "start",
        "--address",
        ray_address,
        "--block",
        "--resources",
        json.dumps(resources),
        "--num-cpus",
        str(max(cpu_slots, 1)),
        *(["--node-ip-address", node_ip_address] if node_ip_address else []),
    ]
    node = subprocess.Popen(cmd)
    try:
        time.sleep(3.0)  # let the raylet register before a driver attaches to it
        if node.poll() is not None:
            raise RuntimeError(
                f"`ray start --address {ray_address}` exited with code {node.returncode}; see its output"
            )
        ray.init(address=ray_address, include_dashboard=False, log_to_driver=False)
        node_id = ray.get_runtime_context().get_node_id()
        info = {
            "worker_id": f"{hostname()}/{node_id[:8]}",
            "hostname": hostname(),
            "node_id": node_id,
            "hardware": [h.to_dict() for h in hardware],
            "resources": resources,
        }
        log.warning("worker %s joined %s with %s", info["worker_id"], ray_address, resources)
        beats = 0
        while node.poll() is None and (max_beats is None or beats < max_beats):
            info["load"] = load_sample()
            internal_kv._internal_kv_put(f"worker:{node_id}", json.dumps(info), namespace=KV_NAMESPACE)
            beats += 1
            time.sleep(heartbeat_s)
    finally:
        if node.poll() is None:
            node.terminate()  # `ray start --block` stops the node's processes on SIGTERM
        code = node.wait(60)
        if ray.is_initialized():
            ray.shutdown()
    return code
