"""The Ray executor: tasks run on the Ray nodes whose accelbench resources meet their requirements.

Nodes started with `accelbench worker start` advertise custom resources `accelbench:<unit>`
(one per task slot: CPU sets, GPUs, ...) and publish their detected hardware in Ray's key-value
store; a node without them (e.g. the local cluster run_suite starts) counts as a CPU worker with
one slot per Ray CPU. The coordinator picks the node; Ray pins the task there (hard node
affinity) and holds the resource, so an exclusive task that asks for every unit runs alone.
Ray's own retries are off: the coordinator retries lost attempts on another node.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from accelbench.errors import require
from accelbench.execution.workers import WorkerSpec
from accelbench.hardware.info import HardwareInfo

log = logging.getLogger(__name__)

RESOURCE_PREFIX = "accelbench:"
KV_NAMESPACE = "accelbench"
POLL_GATHER_S = 0.02


def _call(task_fn: Any, task: Any, kwargs: dict[str, Any]) -> Any:
    return task_fn(task, **kwargs)


MISSED_HEARTBEATS = 3


def _missed_heartbeats(report: dict[str, Any] | None, now: float | None = None) -> bool:
    """True when a node's `accelbench worker start` stopped reporting (3 intervals without a heartbeat).

    Nodes without a report (plain `ray start`) are judged by Ray's own health checks alone.
    """
    from accelbench.execution.node import HEARTBEAT_INTERVAL_S

    beat = ((report or {}).get("load") or {}).get("time")
    if beat is None:
        return False
    return (now if now is not None else time.time()) - float(beat) > MISSED_HEARTBEATS * HEARTBEAT_INTERVAL_S


def decode_node(node: dict[str, Any], registry: dict[str, Any] | None) -> WorkerSpec | None:
    """A WorkerSpec for one entry of ray.nodes(), or None when it offers no task slots."""
    res = node.get("Resources", {})
    node_id = node["NodeID"]
    units = {
        k[len(RESOURCE_PREFIX) :]: int(v)
        for k, v in res.items()
        if k.startswith(RESOURCE_PREFIX) and ":" not in k[len(RESOURCE_PREFIX) :]
    }
    host = (registry or {}).get("hostname") or node.get("NodeManagerHostname", "")
    if registry and registry.get("hardware"):
        hardware = [HardwareInfo.from_dict(h) for h in registry["hardware"]]
    elif units:
        hardware = [
            HardwareInfo(
                hardware_type=u,
                available=True,
                memory_gb=res.get(f"{RESOURCE_PREFIX}{u}:memory_gb"),
                compute_capability=_tenths(res.get(f"{RESOURCE_PREFIX}{u}:cc_x10")),
            )
            for u in units
        ]
    else:
        hardware = [
            HardwareInfo(
                hardware_type="cpu",
                available=True,
                compute_units=int(res.get("CPU", 0)),
                memory_gb=round(res.get("memory", 0) / 2**30, 1),
            )
        ]
    if not units:
        units = {"cpu": int(res.get("CPU", 0))}
    if not any(units.values()):
        return None
    return WorkerSpec(
        worker_id=(registry or {}).get("worker_id") or f"ray:{node_id[:12]}",
        hostname=host,
        hardware=hardware,
        capacity=units,
        node_id=node_id,
        load=(registry or {}).get("load", {}),
    )


def _tenths(value: float | None) -> float | None:
    # Ray resource quantities must be whole numbers, so compute capability 8.6 travels as 86.
    return None if value is None else value / 10.0


class RayExecutor:
    """Dispatches attempts as Ray tasks pinned to the node the coordinator chose."""

    name = "ray"

    def __init__(
        self,
        task_fn: Any,
        *,
        ray_address: str | None = None,
        workers: int | None = None,
        cache_dir: str | None = None,
        slots_per_unit: int = 2,
        **_: Any,
    ) -> None:
        ray = require("ray", "ray")
        self.ray = ray
        self._connected_here = not ray.is_initialized()
        if self._connected_here:
            if ray_address:
                ray.init(address=ray_address, include_dashboard=False, log_to_driver=False)
            else:
                # A local cluster; `workers` overrides the CPU count (e.g. many sleep-bound slots).
                ray.init(
                    num_cpus=workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    _node_ip_address="127.0.0.1",
                )
        self.task_fn = task_fn
        self.cache_dir = cache_dir
        # Each unit may hold this many queued attempts, so Ray never waits for the coordinator's next pick.
        self.slots_per_unit = slots_per_unit
        self._remote = ray.remote(max_retries=0)(_call)
        self._fn_ref = ray.put(task_fn)
        self._refs: dict[Any, Any] = {}
        self._keys: dict[Any, Any] = {}
        self._specs: dict[str, WorkerSpec] = {}
        self._accel_nodes: set[str] = set()  # nodes advertising accelbench:* resources
        self._variants: dict[tuple[Any, str, int], Any] = {}
        self._resources: dict[tuple[Any, str, int], dict[str, Any]] = {}
        self.refresh()

    def workers(self) -> list[WorkerSpec]:
        """Alive nodes that offer task slots."""
        return [w for w in self._specs.values() if w.alive]

    def refresh(self) -> list[WorkerSpec]:
        """Heartbeat: node liveness from Ray's health checks, load from the workers' own reports."""
        registry = self._registry()
        seen = set()
        for node in self.ray.nodes():
            spec = decode_node(node, registry.get(node["NodeID"]))
            if any(k.startswith(RESOURCE_PREFIX) for k in node.get("Resources", {})):
                self._accel_nodes.add(node["NodeID"])
            if spec is None:
                if not node.get("Alive"):  # Ray lists a dead node with empty resources
                    for known in self._specs.values():
                        if known.node_id == node["NodeID"]:
                            known.alive = False
                continue
            spec.alive = bool(node.get("Alive")) and not _missed_heartbeats(registry.get(node["NodeID"]))
            if spec.worker_id in seen and not spec.alive:
                continue  # a restarted node reuses its worker id; the live entry wins
            seen.add(spec.worker_id)
            self._specs[spec.worker_id] = spec
        return list(self._specs.values())

    def _registry(self) -> dict[str, Any]:
        from ray.experimental import internal_kv

        out: dict[str, Any] = {}
        try:
            keys = internal_kv._internal_kv_list("worker:", namespace=KV_NAMESPACE)
        except Exception:  # the KV store is optional: nodes without `accelbench worker start` still work
            return out
        for key in keys:
            raw = internal_kv._internal_kv_get(key, namespace=KV_NAMESPACE)
            if raw:
                info = json.loads(raw)
                out[info["node_id"]] = info
        return out

    def submit(
        self,
        key: Any,
        task: Any,
        *,
        attempt: int,
        worker: WorkerSpec,
        unit: str,
        units: int,
        concurrent_tasks: int,
        timeout_s: float | None,
    ) -> dict[str, Any]:
        """Start one attempt on `worker`'s node, holding `units` of its `unit` resource."""
        fn = self._variants.get((worker.node_id, unit, units))
        if fn is None:
            fn = self._variant(worker, unit, units)
        kwargs = {
            "attempt": attempt,
            "cpu_set": None,
            "concurrent_tasks": concurrent_tasks,
            "worker_id": worker.worker_id,
            "cache_dir": self.cache_dir,
            "timeout_s": timeout_s,
        }
        ref = fn.remote(self._fn_ref, task, kwargs)
        self._refs[key] = ref
        self._keys[ref] = key
        return {"ray_resources": self._resources[(worker.node_id, unit, units)]}

    def _variant(self, worker: WorkerSpec, unit: str, units: int) -> Any:
        # Building Ray options costs ~0.1 ms; one variant per (node, unit, count) keeps dispatch cheap.
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        if worker.node_id in self._accel_nodes:
            options: dict[str, Any] = {"num_cpus": 0, "resources": {f"{RESOURCE_PREFIX}{unit}": units}}
        else:
            options = {"num_cpus": units}
        options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(str(worker.node_id), soft=False)
        fn = self._remote.options(**options)
        self._variants[(worker.node_id, unit, units)] = fn
        self._resources[(worker.node_id, unit, units)] = options.get("resources") or {"CPU": units}
        return fn

    def poll(self, timeout_s: float) -> list[tuple[Any, Any]]:
        """Finished attempts (key, TaskResult or the exception that lost it), waiting up to `timeout_s`."""
        if not self._refs:
            import time

            time.sleep(min(timeout_s, 0.05))
            return []
        refs = list(self._refs.values())
        # One wait over everything in flight, collecting for up to 20 ms: a wait costs O(in flight),
        # so gathering many answers per call matters more than reacting to the first one at once.
        ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=min(timeout_s, POLL_GATHER_S))
        out = []
        for ref in ready:
            key = self._keys.pop(ref)
            del self._refs[key]
            try:
                out.append((key, self.ray.get(ref)))
            except Exception as exc:  # worker or node lost, cancelled: the coordinator decides
                out.append((key, exc))
        return out

    def cancel(self, key: Any) -> None:
        """Kill the attempt's worker process (timeouts, lost nodes)."""
        ref = self._refs.get(key)
        if ref is not None:
            self.ray.cancel(ref, force=True)

    def shutdown(self) -> None:
        """Cancel what still runs; disconnect (stopping a local cluster) if this executor connected."""
        for ref in self._refs.values():
            self.ray.cancel(ref, force=True)
        if self._connected_here:  # a cluster the caller connected to stays connected
            self.ray.shutdown()
