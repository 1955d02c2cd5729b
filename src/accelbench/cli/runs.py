"""`accelbench runs`: benchmark runs and their state, from the tracking tables."""

from __future__ import annotations

import json
from typing import Any

import click

from accelbench.cli.options import db_option

_SQL = """
SELECT t.run_id, coalesce(d.suite_name, t.test_name) AS suite, strftime(t.started_at, '%Y-%m-%d %H:%M:%S') AS started,
       coalesce(d.completion_status, t.status) AS status, d.completion_percentage AS percent,
       d.error_count AS errors, d.worker_count AS workers, left(coalesce(d.git_commit_hash, t.git_commit), 10) AS git,
       (SELECT count(*) FROM benchmark_tasks b WHERE b.run_id = CAST(t.run_id AS VARCHAR)) AS tasks
FROM test_runs t LEFT JOIN distributed_benchmark_runs d ON d.run_id = CAST(t.run_id AS VARCHAR)
{where} ORDER BY t.run_id DESC LIMIT ?
"""


@click.command()
@click.option("--run", "run_id", type=int, default=None, help="Show the tasks of this run by status.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most recent runs to list."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def runs(run_id: int | None, limit: int, fmt: str, db: str | None) -> None:
    """List benchmark runs: suite, state (running, completed, failed, interrupted), progress, errors.

    A run left `running` by a coordinator that died can be finished with `accelbench run --resume RUN_ID`.

    \b
    Examples:
      accelbench runs
      accelbench runs --run 3          # tasks of run 3 by status, with errors
      accelbench runs --format json --db results.duckdb
    """
    from accelbench.storage import Store, resolve_db_path

    store = Store(resolve_db_path(db), read_only=True)
    where = "WHERE t.run_id = ?" if run_id is not None else ""
    rows = store.query(_SQL.format(where=where), ([run_id] if run_id is not None else []) + [limit])
    tasks: list[dict[str, Any]] = []
    if run_id is not None:
        if not rows:
            from accelbench.errors import InputError

            raise InputError(f"no run {run_id} in {store.path}", field="--run")
        tasks = store.query(
            "SELECT name, status, assigned_worker_id AS worker, retry_count AS retries,"
            " round(wall_time_seconds, 3) AS seconds, error_message AS error FROM benchmark_tasks"
            " WHERE run_id = ? ORDER BY status, name",
            [str(run_id)],
        )
    if fmt == "json":
        click.echo(
            json.dumps({"runs": rows, "tasks": tasks} if run_id is not None else rows, default=str, indent=2)
        )
        return
    _table(rows, "runs")
    if run_id is not None:
        _table(tasks, f"tasks of run {run_id}")


def _table(rows: list[dict[str, Any]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from accelbench.cli.render import fmt

    table = Table(title=title, header_style="bold")
    columns = list(rows[0]) if rows else ["(none)"]
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*[fmt(r.get(c)) for c in columns])
    Console().print(table)
