"""Per-task process isolation: each task runs in a fresh process, so a crash, out-of-memory or
timeout becomes a stored result with the error, and memory figures are the task's own.

Processes come from a fork server that has torch imported once (start-up ~tens of ms instead of
~2 s for a cold `spawn`); set ACCELBENCH_START_METHOD=spawn to use plain spawned interpreters.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from typing import Any

from accelbench.runner.result import Measurement, TaskResult, failed_measurements

_PRELOAD = ["torch", "accelbench.runner.execute"]
_context: Any = None
_FAILURE_ORDER = ("timeout", "oom", "crashed", "failed")


def _mp_context() -> Any:
    global _context
    if _context is None:
        method = os.environ.get("ACCELBENCH_START_METHOD", "forkserver")
        if method not in multiprocessing.get_all_start_methods():
            method = "spawn"
        _context = multiprocessing.get_context(method)
        if method == "forkserver":
            _context.set_forkserver_preload(_PRELOAD)
    return _context


def task_status(measurements: list[Measurement]) -> str:
    """A task's status from its measurements: the worst failure, else unsupported if all are, else success."""
    statuses = {m.status for m in measurements}
    for status in _FAILURE_ORDER:
        if status in statuses:
            return status
    if statuses and statuses <= {"unsupported"}:
        return "unsupported"
    return "success" if statuses else "failed"


def run_task_isolated(
    task: Any,
    *,
    attempt: int = 1,
    cpu_set: list[int] | None = None,
    concurrent_tasks: int = 0,
    worker_id: str | None = None,
    cache_dir: str | None = None,
    timeout_s: float | None = None,
) -> TaskResult:
    """Run `task` in its own process; its own failures come back as statuses, never as exceptions."""
    from accelbench.runner.environment import environment_fingerprint

    ctx = _mp_context()
    timeout_s = timeout_s if timeout_s is not None else task.config.timeout_minutes * 60.0
    recv_end, send_end = ctx.Pipe(duplex=False)
    options = {"attempt": attempt, "cpu_set": cpu_set, "cache_dir": cache_dir}
    proc = ctx.Process(target=_child_main, args=(task.config.to_dict(), send_end, options), daemon=True)
    started = time.time()
    proc.start()
    send_end.close()
    measurements, error, status = _collect(proc, recv_end, started + timeout_s)
    ended = time.time()
    done = {(m.precision, m.batch_size) for m in measurements}
    if status != "done":
        reason = _failure_reason(status, proc, timeout_s, error)
        missing = [
            m
            for m in failed_measurements(task, status, reason, attempt=attempt)
            if (m.precision, m.batch_size) not in done
        ]
        measurements += missing
    env = environment_fingerprint()
    return TaskResult(
        task_name=task.name,
        status=task_status(measurements),
        measurements=measurements,
        error=error,
        environment=env,
        worker_id=worker_id,
        cpu_set=cpu_set,
        concurrent_tasks=concurrent_tasks,
        started_at=started,
        ended_at=ended,
        attempt=attempt,
    )


def _collect(proc: Any, conn: Any, deadline: float) -> tuple[list[Measurement], str | None, str]:
    measurements: list[Measurement] = []
    error = None
    while True:
        remaining = deadline - time.time()
        if remaining <= 0:
            proc.kill()
            proc.join(10)
            return measurements, error, "timeout"
        if not conn.poll(min(remaining, 1.0)):
            if not proc.is_alive() and not conn.poll(0):
                break
            continue
        try:
            kind, payload = conn.recv()
        except EOFError:
            break
        if kind == "measurement":
            measurements.append(Measurement.from_dict(payload))
        elif kind == "error":
            error = payload
        elif kind == "done":
            proc.join(10)
            return measurements, error, "done" if error is None else "failed"
    proc.join(10)
    return measurements, error, "oom" if error and "MemoryError" in error else "crashed"


def _failure_reason(status: str, proc: Any, timeout_s: float, error: str | None) -> str:
    if status == "timeout":
        return f"timed out after {timeout_s:.0f} s; process killed"
    if error:
        return error.strip().splitlines()[-1]
    code = proc.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = " (the kernel's out-of-memory killer sends SIGKILL)" if -code == signal.SIGKILL else ""
        return f"task process killed by {name}{hint}"
    return f"task process exited with code {code} before finishing"


def _child_main(config_dict: dict[str, Any], conn: Any, options: dict[str, Any]) -> None:
    from accelbench.runner.allocator import apply_policy
    from accelbench.runner.execute import execute_config
    from accelbench.tasks.task import TaskConfig

    try:
        allocator = apply_policy()  # before anything is built: see runner/allocator.py
        config = TaskConfig(**config_dict)
        cpu_set = options.get("cpu_set")
        if cpu_set:
            os.sched_setaffinity(0, cpu_set)
            config.threads = config.threads or len(cpu_set)
        execute_config(
            config,
            lambda m: conn.send(("measurement", m.to_dict())),
            attempt=options.get("attempt", 1),
            cache_dir=options.get("cache_dir"),
            allocator=allocator,
        )
    except BaseException:
        conn.send(("error", traceback.format_exc(limit=10)))
    conn.send(("done", None))
    conn.close()
