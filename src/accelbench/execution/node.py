"""A Ray node that offers this machine's accelbench hardware: `accelbench worker start`.

The node advertises Ray custom resources `accelbench:<type>` (task slots: CPU sets, one per GPU,
openvino), `accelbench:<type>:memory_gb` and `accelbench:cuda:cc_x10` (compute capability × 10,
Ray quantities being whole numbers), and publishes its detected hardware and a load heartbeat in
Ray's key-value store, where the coordinator reads them. It never writes to the database: the
coordinator registers the node in `benchmark_workers` from that store at each of its heartbeats.

The node joins as `--node-ip-address` (default: this machine's address on the route to the head),
and its driver attaches to that node's raylet, so the registry is keyed by the right node even
where several nodes share a host (Ray otherwise prefers the head's raylet). SIGTERM and Ctrl-C stop
it cleanly: the node drains, leaves the cluster, and the process exits 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from accelbench.errors import AccelbenchError, InputError, require
from accelbench.execution.ray_executor import KV_NAMESPACE, RESOURCE_PREFIX
from accelbench.execution.workers import cpu_hardware, hostname, unit_type
from accelbench.hardware.info import HardwareInfo

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 5.0
STOP_TIMEOUT_S = 60.0  # Ray drains a node for up to 30 s on SIGTERM before stopping its processes
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class JoinError(AccelbenchError):
    """The node could not join the Ray cluster; the message says what to check."""


class _StopRequested(BaseException):
    """SIGTERM (or SIGINT) asked the worker to leave the cluster."""


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


def parse_ray_address(ray_address: str) -> tuple[str, int]:
    """(host, port) of a `host:port` Ray head address; InputError naming --ray-address otherwise."""
    host, sep, port = ray_address.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit():
        raise InputError(
            f"'{ray_address}' is not host:port (e.g. 10.0.0.5:6379)",
            item="command line",
            field="--ray-address",
        )
    if host in _LOOPBACK:
        raise InputError(
            f"'{ray_address}' is a loopback address, which Ray rewrites to this host's own address; give the"
            " head's network address (the one `ray start --head` prints after `ray start --address=`)",
            item="command line",
            field="--ray-address",
        )
    return host, int(port)


def local_ip_towards(host: str, port: int, timeout_s: float = 10.0) -> str:
    """This machine's address on the route to `host:port`, checking that the head accepts TCP there."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            return str(conn.getsockname()[0])
    except OSError as exc:
        raise JoinError(
            f"cannot reach the Ray head at {host}:{port} ({exc}); check the head's address and port and that"
            " this machine can route to it"
        ) from exc


def start_worker(
    ray_address: str,
    *,
    cpu_slots: int = 1,
    heartbeat_s: float = HEARTBEAT_INTERVAL_S,
    max_beats: int | None = None,
    node_ip_address: str | None = None,
    object_store_mb: int | None = None,
) -> int:
    """Join the cluster at `ray_address` as a node with this machine's hardware, until stopped.

    Returns 0 when stopped by SIGTERM, Ctrl-C or after `max_beats` heartbeats, else the exit code
    of the node's `ray start` (it died). Raises JoinError when the node cannot join.
    """
    ray = require("ray", "ray")
    host, port = parse_ray_address(ray_address)
    # An unreachable head fails here at once, not after Ray's ~20 s of retries.
    route_ip = local_ip_towards(host, port)
    node_ip = node_ip_address or route_ip
    hardware = detect_hardware()
    resources = node_resources(hardware, cpu_slots)
    saved = _catch_stop_signals()
    node = subprocess.Popen(_ray_start_command(ray_address, node_ip, resources, cpu_slots, object_store_mb))
    stopped, info = False, None
    try:
        info = _attach(ray, ray_address, node_ip, resources, hardware, node)
        _catch_stop_signals()  # ray.init installed its own SIGTERM handler
        log.warning("worker %s joined %s as %s with %s", info["worker_id"], ray_address, node_ip, resources)
        stopped = _heartbeat(info, node, heartbeat_s, max_beats)
    except _StopRequested:
        stopped = True
    finally:
        _restore_signals(saved)
        code = _leave(ray, node, info)
    if not stopped:
        log.error("the Ray node stopped by itself (exit code %s)", code)
    return 0 if stopped else code


def _ray_start_command(
    ray_address: str, node_ip: str, resources: dict[str, int], cpu_slots: int, object_store_mb: int | None
) -> list[str]:
    return [
        sys.executable, "-m", "ray.scripts.scripts", "start", "--address", ray_address, "--block",
        "--node-ip-address", node_ip, "--resources", json.dumps(resources), "--num-cpus", str(cpu_slots),
        *(["--object-store-memory", str(object_store_mb * 10**6)] if object_store_mb else []),
    ]  # fmt: skip


def _attach(
    ray: Any,
    ray_address: str,
    node_ip: str,
    resources: dict[str, int],
    hardware: list[HardwareInfo],
    node: subprocess.Popen,
) -> dict[str, Any]:
    """Connect a driver to this node's own raylet (it waits for the raylet to register)."""
    try:
        ray.init(address=ray_address, include_dashboard=False, log_to_driver=False, _node_ip_address=node_ip)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, AuthenticationError...
        raise JoinError(_join_failure(ray_address, node_ip, node, exc)) from exc
    node_id = ray.get_runtime_context().get_node_id()
    mine: dict[str, Any] = next((n for n in ray.nodes() if n["NodeID"] == node_id), {})
    if any(mine.get("Resources", {}).get(k) != v for k, v in resources.items()):
        raise JoinError(f"the driver attached to node {node_id}, which does not advertise {resources}")
    return {
        "worker_id": f"{hostname()}/{node_id[:8]}",
        "hostname": hostname(),
        "node_id": node_id,
        "hardware": [h.to_dict() for h in hardware],
        "resources": resources,
    }


def _join_failure(ray_address: str, node_ip: str, node: subprocess.Popen, exc: BaseException) -> str:
    code = node.poll()
    what = f"`ray start` exited with code {code}" if code is not None else f"{type(exc).__name__}: {exc}"
    hint = " Ray and Python versions must match the head's."
    if os.environ.get("RAY_AUTH_MODE", "").lower() != "token":
        hint += (
            " If the head uses token authentication (`ray start --head` turns it on where ~/.ray/auth_token"
            " exists), set RAY_AUTH_MODE=token here and give this machine the head's token (copy"
            " ~/.ray/auth_token or set RAY_AUTH_TOKEN)."
        )
    return (
        f"could not join the Ray cluster at {ray_address} as {node_ip} ({what}; Ray's output is above).{hint}"
    )


def _heartbeat(
    info: dict[str, Any], node: subprocess.Popen, heartbeat_s: float, max_beats: int | None
) -> bool:
    """Publish the registry entry with a fresh load sample every `heartbeat_s`; True if stopped by `max_beats`."""
    from ray.experimental import internal_kv

    beats = 0
    while node.poll() is None:
        if max_beats is not None and beats >= max_beats:
            return True
        info["load"] = load_sample()
        internal_kv._internal_kv_put(f"worker:{info['node_id']}", json.dumps(info), namespace=KV_NAMESPACE)
        beats += 1
        time.sleep(heartbeat_s)
    return False


def _leave(ray: Any, node: subprocess.Popen, info: dict[str, Any] | None) -> int:
    """Unregister, stop the node (`ray start --block` drains it on SIGTERM); the node's exit code."""
    if info is not None and node.poll() is None:
        from ray.experimental import internal_kv

        try:
            internal_kv._internal_kv_del(f"worker:{info['node_id']}", namespace=KV_NAMESPACE)
        except Exception:  # the head may be gone already; Ray reports the node dead either way
            log.warning("could not remove this worker's registry entry", exc_info=True)
    if node.poll() is None:
        node.terminate()
    try:
        code = node.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        node.kill()
        code = node.wait()
    if ray.is_initialized():
        ray.shutdown()
    return code


def _raise_stop(signum: int, frame: Any) -> None:
    raise _StopRequested(signum)


def _catch_stop_signals() -> dict[int, Any]:
    """Make SIGTERM and SIGINT raise _StopRequested (main thread only); the handlers they replace."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_signals(saved: dict[int, Any]) -> None:
    for sig, handler in saved.items():
        signal.signal(sig, handler)
