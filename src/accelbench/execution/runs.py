"""run_suite: the library entry point of `accelbench run`; stream_results for library users."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from accelbench.errors import InputError, require
from accelbench.execution import tracking
from accelbench.execution.coordinator import Coordinator, _Options
from accelbench.execution.events import ProgressEvent, RunSummary
from accelbench.execution.workers import hostname

log = logging.getLogger(__name__)

EXECUTORS = {
    "local": "accelbench.execution.local:LocalExecutor",
    "ray": "accelbench.execution.ray_executor:RayExecutor",
}


def make_executor(name: str, task_fn: Any, **options: Any) -> Any:
    """The executor registered as `name` (local | ray), built with `options`."""
    import importlib

    if name not in EXECUTORS:
        raise InputError(
            f"unknown executor {name!r}; expected one of {', '.join(EXECUTORS)}", field="executor"
        )
    if name == "ray":
        require("ray", "ray")
    module, attr = EXECUTORS[name].split(":")
    return getattr(importlib.import_module(module), attr)(task_fn, **options)


def run_suite(
    suite: Any,
    store: Any,
    *,
    executor: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    resume_run_id: int | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    task_fn: Any = None,
    max_retries: int = 2,
    validate: bool = False,
    retest_count: int = 0,
    cache_size_gb: float = 10.0,
    command_line: str = "",
    isolate_cpus: bool = True,
    cache_dir: str | None = None,
    retry_backoff_s: float = 0.5,
    flush_interval_s: float = 0.5,
    timeout_grace_s: float = 2.0,
    executor_options: dict[str, Any] | None = None,
) -> RunSummary:
    """Run every task of `suite` (or, with resume_run_id, those of that run without a stored result).

    Results and tracking rows go to `store` as they arrive; the summary's exit_code is 0 when
    every task succeeded, 1 otherwise. `task_fn` defaults to accelbench.runner.run_task_isolated.
    `executor_options` go to the executor (e.g. {"slots_per_unit": 8} for Ray).
    """
    if task_fn is None:
        from accelbench.runner import run_task_isolated as task_fn
    # Task processes read the artifact cache's bound from the environment they inherit.
    os.environ["ACCELBENCH_CACHE_SIZE_GB"] = str(cache_size_gb)
    env = _environment()
    if resume_run_id is not None:
        suite = _resume_suite(store, int(resume_run_id), suite)
        run_id = int(resume_run_id)
        store.query("UPDATE test_runs SET status = 'running', completed_at = NULL WHERE run_id = ?", [run_id])
    else:
        suite.validate()
    config = {
        "executor": executor,
        "worker_count": workers,
        "ray_address": ray_address,
        "max_retries": max_retries,
        "validate": validate,
        "retest_count": retest_count,
        "cache_size_gb": cache_size_gb,
        "isolate_cpus": isolate_cpus,
    }
    needed = {h for t in suite.tasks for h in (t.requirements.hardware_types or ["cpu"])}
    pool = make_executor(
        executor,
        task_fn,
        workers=workers,
        ray_address=ray_address,
        needed_types=needed,
        isolate_cpus=isolate_cpus,
        cache_dir=cache_dir,
        **(executor_options or {}),
    )
    if resume_run_id is None:
        run_id = store.create_run(
            suite.name, test_type="benchmark", config=config, environment=env, command_line=command_line
        )
    options = _Options(
        max_retries=max_retries,
        retry_backoff_s=retry_backoff_s,
        validate=validate,
        retest_count=retest_count,
        flush_interval_s=flush_interval_s,
        timeout_grace_s=timeout_grace_s,
    )
    coord = Coordinator(
        suite,
        store,
        pool,
        run_id=run_id,
        resumed=resume_run_id is not None,
        progress=progress,
        options=options,
    )
    try:
        summary = coord.run(env, config)
    except BaseException:
        _close(store, run_id, "interrupted", coord)
        raise
    _close(store, run_id, "completed" if summary.exit_code == 0 else "failed", coord)
    if progress:
        failed = len(summary.failed_tasks)
        progress(ProgressEvent("end", None, None, summary.total, 0, failed, summary.total, 0.0))
    return summary


def _close(store: Any, run_id: int, status: str, coord: Coordinator) -> None:
    with store.transaction() as con:
        tracking.finish(con, run_id, status=status, contributions=coord.contributions(), now=time.time())
    store.finish_run(run_id, status)


def _environment() -> dict[str, Any]:
    from accelbench.runner.environment import environment_fingerprint

    env = dict(environment_fingerprint())
    env.setdefault("hostname", hostname())
    return env


def _resume_suite(store: Any, run_id: int, suite: Any) -> Any:
    """The suite of run `run_id`: the one given, or rebuilt from the stored benchmark_tasks rows."""
    runs = store.query(
        "SELECT suite_name, suite_version FROM distributed_benchmark_runs WHERE run_id = ?", [str(run_id)]
    )
    if not runs:
        raise InputError(
            f"no run {run_id} in {store.path} to resume (see `accelbench runs`)", field="--resume"
        )
    if suite is not None and suite.tasks:  # `run --resume N` without a suite passes an empty one
        return suite
    from accelbench.tasks import BenchmarkSuite, BenchmarkTask

    rows = store.query(
        "SELECT name, priority, config, requirements FROM benchmark_tasks WHERE run_id = ?"
        " ORDER BY creation_time, task_id",
        [str(run_id)],
    )
    deps = store.query(
        "SELECT task_id, depends_on_task_id FROM task_dependencies WHERE task_id LIKE ?", [f"{run_id}:%"]
    )
    by_task: dict[str, list[str]] = {}
    for d in deps:
        by_task.setdefault(d["task_id"].split(":", 1)[1], []).append(d["depends_on_task_id"].split(":", 1)[1])
    tasks = [
        BenchmarkTask.from_dict(
            {
                "name": r["name"],
                "priority": r["priority"],
                "config": json.loads(r["config"]),
                "requirements": json.loads(r["requirements"]),
                "dependencies": by_task.get(r["name"], []),
            }
        )
        for r in rows
    ]
    return BenchmarkSuite(name=runs[0]["suite_name"], version=runs[0]["suite_version"] or "1", tasks=tasks)


def stream_results(
    store: Any,
    run_id: int,
    callback: Callable[[dict[str, Any]], None],
    *,
    poll_interval_s: float = 0.5,
    timeout_s: float | None = None,
) -> int:
    """Call `callback(row)` for each performance_results row of `run_id` as it is stored, until the run ends.

    Polls the database (the coordinator writes in batches and closes the file in between), so it
    works from another thread or process. Returns the number of rows delivered.
    """
    last_id, delivered = -1, 0
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        status = store.query("SELECT status FROM test_runs WHERE run_id = ?", [run_id])
        rows = store.query(
            "SELECT * FROM performance_results WHERE run_id = ? AND result_id > ? ORDER BY result_id",
            [run_id, last_id],
        )
        for row in rows:
            callback(row)
            last_id = row["result_id"]
            delivered += 1
        if status and status[0]["status"] not in (None, "running") and not rows:
            return delivered
        if deadline is not None and time.monotonic() > deadline:
            return delivered
        time.sleep(poll_interval_s)
