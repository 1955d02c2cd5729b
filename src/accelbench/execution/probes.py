"""Cheap stand-in task functions for testing and benchmarking the scheduler, never the hardware.

They have run_task_isolated's signature and return TaskResults whose measurements are all
`is_simulated = True` with a reason, so nothing they produce can pass for a benchmark figure.
They are classes (not closures) so Ray workers can unpickle them by reference.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from accelbench.runner.result import Measurement, TaskResult

PROBE_REASON = "scheduler probe: no model ran; this row tests accelbench's execution layer"


def probe_result(
    task: Any,
    *,
    attempt: int,
    status: str = "success",
    error: str | None = None,
    cpu_set: list[int] | None = None,
    concurrent_tasks: int = 0,
    worker_id: str | None = None,
    started: float | None = None,
) -> TaskResult:
    """A TaskResult with one simulated, figure-less measurement per (precision, batch size)."""
    c = task.config
    ms = [
        Measurement(
            model=c.model,
            size=c.size,
            hardware=c.hardware,
            backend=c.backend or "",
            precision=p,
            batch_size=b,
            sequence_length=c.sequence_length,
            status=status,
            error=error,
            attempt=attempt,
            is_simulated=True,
            simulation_reason=PROBE_REASON,
            extra={"pid": os.getpid()},
        )
        for p in c.precision_formats
        for b in c.batch_sizes
    ]
    return TaskResult(
        task_name=task.name,
        status=status,
        measurements=ms,
        error=error,
        worker_id=worker_id,
        cpu_set=cpu_set,
        concurrent_tasks=concurrent_tasks,
        started_at=started,
        ended_at=time.time(),
        attempt=attempt,
    )


class NoopProbe:
    """Returns at once: measures the coordinator's own overhead per task."""

    def __call__(
        self,
        task: Any,
        *,
        attempt: int = 1,
        cpu_set: list[int] | None = None,
        concurrent_tasks: int = 0,
        worker_id: str | None = None,
        cache_dir: str | None = None,
        timeout_s: float | None = None,
    ) -> TaskResult:
        return probe_result(
            task,
            attempt=attempt,
            cpu_set=cpu_set,
            concurrent_tasks=concurrent_tasks,
            worker_id=worker_id,
            started=time.time(),
        )


class SleepProbe:
    """Sleeps `seconds` (or per-task `durations_s[name]`); optionally writes a pid file and fails some tasks.

    `marker_dir`: writes `<task>.a<attempt>.pid` at start and appends to `order.log` at start, so
    tests can see the order tasks started in and kill a worker mid-task.
    `fail`: task name -> status to return instead of success.
    """

    def __init__(
        self,
        seconds: float = 0.0,
        *,
        durations_s: dict[str, float] | None = None,
        marker_dir: str | None = None,
        fail: dict[str, str] | None = None,
    ) -> None:
        self.seconds = seconds
        self.durations_s = durations_s or {}
        self.marker_dir = marker_dir
        self.fail = fail or {}

    def __call__(
        self,
        task: Any,
        *,
        attempt: int = 1,
        cpu_set: list[int] | None = None,
        concurrent_tasks: int = 0,
        worker_id: str | None = None,
        cache_dir: str | None = None,
        timeout_s: float | None = None,
    ) -> TaskResult:
        started = time.time()
        if self.marker_dir:
            marker = Path(self.marker_dir)
            (marker / f"{task.name}.a{attempt}.pid").write_text(str(os.getpid()))
            with open(marker / "order.log", "a") as log:
                log.write(f"{task.name} {attempt} {worker_id} {time.time():.6f}\n")
        time.sleep(self.durations_s.get(task.name, self.seconds))
        status = self.fail.get(task.name, "success")
        error = None if status == "success" else f"probe told to end as {status}"
        return probe_result(
            task,
            attempt=attempt,
            status=status,
            error=error,
            cpu_set=cpu_set,
            concurrent_tasks=concurrent_tasks,
            worker_id=worker_id,
            started=started,
        )
