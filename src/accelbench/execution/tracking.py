"""The plan's tracking tables, written in batches: one transaction per flush, Arrow for many rows.

Task ids in benchmark_tasks are `<run_id>:<task name>` because the plan makes task_id the table's
primary key across all runs. Times are UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from accelbench.execution.workers import WorkerSpec


def utc(ts: float | None) -> datetime | None:
    """Unix seconds to a naive UTC datetime (DuckDB TIMESTAMP)."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def task_id(run_id: int, name: str) -> str:
    """benchmark_tasks.task_id of task `name` in run `run_id`."""
    return f"{run_id}:{name}"


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]], suffix: str = "") -> None:
    import pyarrow as pa

    if not rows:
        return
    data = pa.Table.from_pylist(rows)
    cols = ", ".join(data.column_names)
    con.register("_batch", data)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch {suffix}")
    finally:
        con.unregister("_batch")


def stored_statuses(con: duckdb.DuckDBPyConnection, run_id: int, names: set[str]) -> dict[str, str]:
    """Final status of each task of `names` that run `run_id` already stored (resuming a run): the
    status its last attempt's measurements give."""
    from accelbench.runner.process import task_status
    from accelbench.runner.result import Measurement

    rows = con.execute(
        "SELECT task_name, list(status ORDER BY attempt) FILTER (WHERE attempt = max_attempt) FROM"
        " (SELECT task_name, status, attempt, max(attempt) OVER (PARTITION BY task_name) AS max_attempt"
        "  FROM performance_results WHERE run_id = ?) GROUP BY task_name",
        [run_id],
    ).fetchall()
    out = {}
    for name, statuses in rows:
        if name in names:
            placeholders = [
                Measurement(
                    model="",
                    size="",
                    hardware="",
                    backend="",
                    precision="",
                    batch_size=0,
                    sequence_length=0,
                    status=s,
                )
                for s in statuses
            ]
            out[name] = task_status(placeholders)
    return out


def register_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    suite: Any,
    *,
    env: dict[str, Any],
    config: dict[str, Any],
    hashes: dict[str, str],
    configs: dict[str, str],
    resumed: bool,
    now: float,
) -> None:
    """Create (or reopen, on resume) the run's distributed_benchmark_runs row, tasks and dependencies."""
    rid = str(run_id)
    if resumed:
        con.execute(
            "UPDATE distributed_benchmark_runs SET completion_status = 'running', end_time = NULL"
            " WHERE run_id = ?",
            [rid],
        )
    else:
        con.execute(
            "INSERT INTO distributed_benchmark_runs (run_id, suite_name, suite_version, start_time,"
            " coordinator_hostname, worker_count, completion_status, completion_percentage, error_count,"
            " config, git_commit_hash, git_branch) VALUES (?, ?, ?, ?, ?, ?, 'running', 0, 0, ?, ?, ?)",
            [
                rid,
                suite.name,
                suite.version,
                utc(now),
                env.get("hostname"),
                config.get("worker_count"),
                json.dumps(config, default=str),
                env.get("git_commit"),
                env.get("git_branch"),
            ],
        )
    rows = [
        {
            "task_id": task_id(run_id, t.name),
            "run_id": rid,
            "parent_suite_id": suite.name,
            "name": t.name,
            "priority": t.priority,
            "status": "pending",
            "creation_time": utc(now),
            "retry_count": 0,
            "config": configs[t.name],
            "requirements": json.dumps(t.requirements.to_dict(), sort_keys=True),
            "config_hash": hashes[t.name],
        }
        for t in suite.tasks
    ]
    _insert(con, "benchmark_tasks", rows, "ON CONFLICT DO NOTHING")
    if not resumed:
        deps = [
            {
                "task_id": task_id(run_id, t.name),
                "depends_on_task_id": task_id(run_id, d),
                "dependency_type": "success",
            }
            for t in suite.tasks
            for d in t.dependencies
        ]
        _insert(con, "task_dependencies", deps)


def upsert_workers(con: duckdb.DuckDBPyConnection, workers: list[WorkerSpec], now: float) -> None:
    """Register workers (or refresh them): hostname, hardware_info, capabilities, heartbeat, status.

    `last_heartbeat` is the worker's own last report where it sends one (`accelbench worker
    start`), else now; a worker found lost keeps the heartbeat it last had.
    """
    rows = [
        {
            "worker_id": w.worker_id,
            "hostname": w.hostname,
            "registration_time": utc(now),
            "last_heartbeat": utc(float(w.load.get("time") or now)),
            "status": "idle" if w.alive else "lost",
            "hardware_info": json.dumps(w.hardware_info(), default=str),
            "capabilities": json.dumps({"capacity": w.capacity, "node_id": w.node_id}),
            "current_load": w.load.get("cpu_percent"),
            "load_details": json.dumps(w.load),
            "total_executed_tasks": 0,
            "total_execution_time_seconds": 0.0,
        }
        for w in workers
    ]
    _insert(
        con,
        "benchmark_workers",
        rows,
        "ON CONFLICT (worker_id) DO UPDATE SET hostname = excluded.hostname,"
        " last_heartbeat = CASE WHEN excluded.status = 'lost' THEN benchmark_workers.last_heartbeat"
        " ELSE excluded.last_heartbeat END, status = excluded.status,"
        " hardware_info = excluded.hardware_info, capabilities = excluded.capabilities,"
        " current_load = excluded.current_load, load_details = excluded.load_details",
    )


def flush(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    tasks: list[dict[str, Any]],
    attempts: list[dict[str, Any]],
    workers: list[dict[str, Any]],
    progress: dict[str, Any],
) -> None:
    """Write one batch of task ends, attempts (assignments + allocations), heartbeats and run progress."""
    import pyarrow as pa

    if tasks:
        con.register("_t", pa.Table.from_pylist(tasks))
        con.execute(
            "UPDATE benchmark_tasks SET status = _t.status, start_time = _t.start_time, end_time = _t.end_time,"
            " assigned_worker_id = _t.assigned_worker_id, retry_count = _t.retry_count,"
            " wall_time_seconds = _t.wall_time_seconds, error_message = _t.error_message"
            " FROM _t WHERE benchmark_tasks.task_id = _t.task_id"
        )
        con.unregister("_t")
    _insert(
        con,
        "worker_task_assignments",
        [
            {
                k: a[k]
                for k in (
                    "worker_id",
                    "task_id",
                    "assignment_time",
                    "start_time",
                    "end_time",
                    "status",
                    "error_message",
                )
            }
            for a in attempts
        ],
    )
    _insert(
        con,
        "hardware_resource_allocations",
        [
            {
                "worker_id": a["worker_id"],
                "task_id": a["task_id"],
                "hardware_type": a["hardware_type"],
                "allocation_time": a["assignment_time"],
                "release_time": a["end_time"],
                "exclusive": a["exclusive"],
                "resource_details": json.dumps(a["resource_details"]),
            }
            for a in attempts
        ],
    )
    if workers:
        con.register("_w", pa.Table.from_pylist(workers))
        con.execute(
            "UPDATE benchmark_workers SET last_heartbeat = _w.last_heartbeat, status = _w.status,"
            " current_load = _w.current_load, load_details = _w.load_details,"
            " total_executed_tasks = coalesce(total_executed_tasks, 0) + _w.executed,"
            " total_execution_time_seconds = coalesce(total_execution_time_seconds, 0) + _w.seconds"
            " FROM _w WHERE benchmark_workers.worker_id = _w.worker_id"
        )
        con.unregister("_w")
    con.execute(
        "UPDATE distributed_benchmark_runs SET completion_percentage = ?, error_count = ?,"
        " worker_count = ? WHERE run_id = ?",
        [progress["percent"], progress["errors"], progress["workers"], str(run_id)],
    )


def finish(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    status: str,
    contributions: list[dict[str, Any]],
    now: float,
) -> None:
    """Close the run's tracking rows and record each worker's contribution to it."""
    con.execute(
        "UPDATE distributed_benchmark_runs SET completion_status = ?, end_time = ? WHERE run_id = ?",
        [status, utc(now), str(run_id)],
    )
    _insert(con, "worker_benchmark_contributions", [dict(c, run_id=str(run_id)) for c in contributions])
