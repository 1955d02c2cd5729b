"""The coordinator's ledger: rows waiting to be stored and the one thread that stores them.

Results, benchmark_tasks and worker_task_assignments rows, worker heartbeats and per-worker work
accumulate here between flushes; each flush hands one batch to a single writer thread, which
stores it in one transaction, so dispatch never waits for the database file and batches are
stored in order.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from accelbench.execution import tracking
from accelbench.execution.workers import WorkerSpec
from accelbench.runner.result import TaskResult

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """One submitted attempt of a task: where it runs, what it holds and until when."""

    task: Any
    attempt: int
    worker: WorkerSpec
    hw_type: str
    unit: str
    units: int
    assigned_at: float
    deadline: float | None
    details: dict[str, Any] = field(default_factory=dict)
    draining: bool = False  # finished by the coordinator (timeout); units return when the executor says so


class Ledger:
    """Pending rows of one run and the writer thread (see the module docstring)."""

    def __init__(self, store: Any, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self.results: list[tuple[Any, TaskResult]] = []
        self.tasks: list[dict[str, Any]] = []
        self.attempts: list[dict[str, Any]] = []
        self.worker_work: dict[str, list[float]] = {}  # worker id -> [attempts, seconds] since the last flush
        self.contrib: dict[str, dict[str, Any]] = {}  # worker id -> its contribution row for the run
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="accelbench-writer")
        self._writing: Future[list[int]] | None = None

    # -- rows ------------------------------------------------------------------------------------
    def add_result(self, task: Any, result: TaskResult) -> None:
        """A task's final result, stored at the next flush."""
        self.results.append((task, result))

    def task_finished(
        self,
        name: str,
        status: str,
        att: Attempt | None,
        *,
        retry_count: int,
        wall_time_seconds: float | None,
        error: str | None,
    ) -> None:
        """The benchmark_tasks row of a task that reached its final status."""
        self.tasks.append(
            {
                "task_id": tracking.task_id(self.run_id, name),
                "status": status,
                "start_time": tracking.utc(att.assigned_at if att else None),
                "end_time": tracking.utc(time.time()),
                "assigned_worker_id": att.worker.worker_id if att else None,
                "retry_count": retry_count,
                "wall_time_seconds": wall_time_seconds,
                "error_message": error,
            }
        )

    def record_attempt(
        self, att: Attempt, status: str, error: str | None, now: float, result: TaskResult | None = None
    ) -> None:
        """A worker_task_assignments row for `att`, and its share of the worker's work."""
        self.attempts.append(
            {
                "worker_id": att.worker.worker_id,
                "task_id": tracking.task_id(self.run_id, att.task.name),
                "assignment_time": tracking.utc(att.assigned_at),
                "start_time": tracking.utc(
                    result.started_at if result and result.started_at else att.assigned_at
                ),
                # The worker's own end time when it sent one; the coordinator hears of it later.
                "end_time": tracking.utc(result.ended_at if result and result.ended_at else now),
                "status": status,
                "error_message": error,
                "hardware_type": att.hw_type,
                "exclusive": bool(att.task.requirements.exclusive_access),
                "resource_details": dict(att.details, attempt=att.attempt, units=att.units, unit=att.unit),
            }
        )
        c = self.contrib.setdefault(
            att.worker.worker_id,
            {
                "worker_id": att.worker.worker_id,
                "benchmark_count": 0,
                "hardware_type": att.hw_type,
                "total_execution_time_seconds": 0.0,
                "start_time": tracking.utc(att.assigned_at),
                "end_time": None,
                "resource_utilization": "{}",
            },
        )
        c["benchmark_count"] += 1
        c["total_execution_time_seconds"] += now - att.assigned_at
        c["end_time"] = tracking.utc(now)
        work = self.worker_work.setdefault(att.worker.worker_id, [0, 0.0])
        work[0] += 1
        work[1] += now - att.assigned_at

    def contributions(self) -> list[dict[str, Any]]:
        """Per-worker contribution rows of this run."""
        return list(self.contrib.values())

    # -- storing ---------------------------------------------------------------------------------
    def flush(
        self,
        workers: Iterable[WorkerSpec],
        busy: Callable[[WorkerSpec], bool],
        progress: dict[str, Any],
        *,
        extra: list[tuple[Any, TaskResult]] | None = None,
        heartbeat: bool = False,
        wait: bool = False,
    ) -> list[int]:
        """Hand the pending rows (plus `extra` results, heartbeat rows of `workers` when asked or when
        they did work, and the `progress` row) to the writer; with `wait`, block until stored and
        return the new result ids. A writer error from the previous batch is raised here."""
        results = self.results + (extra or [])
        if not (results or self.tasks or self.attempts or heartbeat):
            return self.join() if wait else []
        beats = (
            [
                {
                    "worker_id": w.worker_id,
                    "last_heartbeat": tracking.utc(time.time()),
                    "status": "lost" if not w.alive else ("busy" if busy(w) else "idle"),
                    "current_load": w.load.get("cpu_percent"),
                    "load_details": json.dumps(w.load, default=str),
                    "executed": int(self.worker_work.get(w.worker_id, [0, 0.0])[0]),
                    "seconds": float(self.worker_work.get(w.worker_id, [0, 0.0])[1]),
                }
                for w in workers
            ]
            if heartbeat or self.worker_work
            else []
        )
        batch = (results, self.tasks, self.attempts, beats, progress)
        self.results, self.tasks, self.attempts = [], [], []
        self.worker_work = {}
        self.join()  # one batch at a time keeps batches in order
        self._writing = self._writer.submit(self._write, *batch)
        return self.join() if wait else []

    def _write(
        self,
        results: list[tuple[Any, TaskResult]],
        tasks: list[dict[str, Any]],
        attempts: list[dict[str, Any]],
        workers: list[dict[str, Any]],
        progress: dict[str, Any],
    ) -> list[int]:
        # Runs on the writer thread.
        with self.store.transaction() as con:
            ids = self.store.insert_results(con, self.run_id, results)
            tracking.flush(
                con, self.run_id, tasks=tasks, attempts=attempts, workers=workers, progress=progress
            )
        return ids

    def join(self) -> list[int]:
        """Wait for the batch being written; its result ids ([] when none was)."""
        if self._writing is None:
            return []
        ids = self._writing.result()
        self._writing = None
        return ids

    def join_quietly(self) -> None:
        """join(), logging a writer error instead of raising it (on the way out of another error,
        which matters more)."""
        try:
            self.join()
        except Exception:
            log.exception("the last batch could not be written")

    def close(self) -> None:
        """Stop the writer thread (after the last flush)."""
        self._writer.shutdown()
