"""`accelbench workers`: the benchmark workers registered in the database and their last heartbeat."""

from __future__ import annotations

import json

import click

from accelbench.cli.options import db_option


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def workers(fmt: str, db: str | None) -> None:
    """List registered workers: host, status (idle, busy, lost), last heartbeat, load, tasks run, hardware.

    Workers are registered by the coordinator when a run starts (the local machine, or each Ray
    node) and refreshed at every heartbeat while it runs.

    \b
    Examples:
      accelbench workers
      accelbench workers --format json
    """
    from accelbench.cli.runs import _table
    from accelbench.storage import Store, resolve_db_path

    store = Store(resolve_db_path(db), read_only=True)
    rows = store.query(
        "SELECT worker_id, hostname, status, strftime(last_heartbeat, '%Y-%m-%d %H:%M:%S') AS heartbeat, round(current_load, 1) AS cpu_load,"
        " total_executed_tasks AS tasks, round(total_execution_time_seconds, 1) AS seconds,"
        " hardware_info FROM benchmark_workers ORDER BY last_heartbeat DESC"
    )
    for r in rows:
        info = json.loads(r.pop("hardware_info") or "{}")
        r["hardware"] = ",".join(sorted(k for k, v in info.items() if v.get("available")))
    if fmt == "json":
        click.echo(json.dumps(rows, default=str, indent=2))
    else:
        _table(rows, "workers")
