"""The local executor: a pool of N slots on this machine, each on its own disjoint CPU set.

The slots are threads because the task function (run_task_isolated) already starts a fresh
process per task, pinned to the CPU set it is given; a thread only waits for it, so a second
process layer would add start-up time and nothing else.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from accelbench.execution.cpusets import available_cpus, split_cpu_sets
from accelbench.execution.workers import WorkerSpec, hostname, local_hardware, unit_type


class LocalExecutor:
    """Runs tasks in a thread pool on this host; CPU-bound tasks get disjoint CPU sets."""

    name = "local"
    slots_per_unit = 1

    def __init__(
        self,
        task_fn: Any,
        *,
        workers: int | None = None,
        needed_types: set[str] | None = None,
        isolate_cpus: bool = True,
        cache_dir: str | None = None,
        **_: Any,
    ) -> None:
        self.task_fn = task_fn
        self.cache_dir = cache_dir
        wanted = workers or 1
        self._sets: list[list[int] | None]
        if isolate_cpus:
            self._sets = list(split_cpu_sets(wanted))
        else:  # sleep-bound or I/O-bound work: N slots sharing every CPU, recorded as such
            self._sets = [None] * wanted
        self._free = list(range(len(self._sets)))
        self._lock = threading.Lock()
        hardware = local_hardware(needed_types or {"cpu"})
        capacity = {"cpu": len(self._sets)}
        for h in hardware:
            if h.available and unit_type(h.hardware_type) != "cpu":
                capacity[h.hardware_type] = 1  # one task at a time per accelerator type
        self.spec = WorkerSpec(
            worker_id=f"local:{hostname()}", hostname=hostname(), hardware=hardware, capacity=capacity
        )
        self._pool = ThreadPoolExecutor(max_workers=sum(capacity.values()), thread_name_prefix="accelbench")
        self._done: queue.SimpleQueue[tuple[Any, Any]] = queue.SimpleQueue()

    def workers(self) -> list[WorkerSpec]:
        """The one local worker."""
        return [self.spec]

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
        """Start `task`; returns where it runs (cpu_set) for the allocation record."""
        with self._lock:
            taken = [self._free.pop(0) for _ in range(units)] if unit == "cpu" else []
        cpus = sorted(c for i in taken for c in (self._sets[i] or []))
        cpu_set = cpus or None

        def call() -> None:
            try:
                outcome: Any = self.task_fn(
                    task,
                    attempt=attempt,
                    cpu_set=cpu_set,
                    concurrent_tasks=concurrent_tasks,
                    worker_id=worker.worker_id,
                    cache_dir=self.cache_dir,
                    timeout_s=timeout_s,
                )
            except BaseException as exc:  # reported to the coordinator, which retries or records it
                outcome = exc
            with self._lock:
                self._free.extend(taken)
            self._done.put((key, outcome))

        self._pool.submit(call)
        return {"cpu_set": cpu_set, "slots": taken}

    def poll(self, timeout_s: float) -> list[tuple[Any, Any]]:
        """Finished attempts (key, TaskResult or exception), waiting up to `timeout_s` for the first."""
        out = []
        try:
            out.append(self._done.get(timeout=max(timeout_s, 0.0)))
        except queue.Empty:
            return out
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                return out

    def cancel(self, key: Any) -> None:
        """Threads cannot be killed; the runner kills its own process at the task's timeout."""

    def refresh(self) -> list[WorkerSpec]:
        """Heartbeat: this host's CPU and memory load."""
        import psutil

        self.spec.load = {
            "cpu_percent": psutil.cpu_percent(interval=None),
            "memory_percent": psutil.virtual_memory().percent,
            "cpus": len(available_cpus()),
        }
        return [self.spec]

    def shutdown(self) -> None:
        """Stop accepting work; threads still running finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)
