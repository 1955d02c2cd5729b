"""`accelbench results`: stored results with filters, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from accelbench.cli.options import db_option

_LIST_COLUMNS = [
    "result_id",
    "run_id",
    "task_name",
    "model_name",
    "model_size",
    "hardware_type",
    "backend",
    "device",
    "precision",
    "batch_size",
    "sequence_length",
    "threads",
    "weights",
    "status",
    "error_message",
    "latency_median_ms",
    "average_latency_ms",
    "latency_p90_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_std_ms",
    "latency_min_ms",
    "latency_max_ms",
    "throughput_items_per_second",
    "memory_peak_mb",
    "device_memory_peak_mb",
    "max_abs_error",
    "iterations",
    "warmup_iterations",
    "ci_half_width_percent",
    "stop_reason",
    "load_time_ms",
    "first_inference_ms",
    "attempt",
    "verdict",
    "verdict_notes",
    "is_simulated",
    "simulation_reason",
    "created_at",
]


@click.command()
@click.option("--model", default=None, help="Model family, e.g. bert.")
@click.option("--size", default=None, help="Model size, e.g. tiny.")
@click.option("--hardware", default=None, help="Platform, e.g. cpu.")
@click.option("--backend", default=None, help="Runtime, e.g. onnxruntime.")
@click.option("--precision", default=None, help="Precision, e.g. fp32.")
@click.option("--batch-size", type=int, default=None)
@click.option("--run", "run_id", type=int, default=None, help="Only this run.")
@click.option(
    "--status", default=None, help="success, failed, unsupported, timeout, oom, crashed, blocked ..."
)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@db_option
def results(
    model: str | None,
    size: str | None,
    hardware: str | None,
    backend: str | None,
    precision: str | None,
    batch_size: int | None,
    run_id: int | None,
    status: str | None,
    limit: int | None,
    fmt: str,
    db: str | None,
) -> None:
    """Show stored results, newest last, with their statistical verdict.

    \b
    Examples:
      accelbench results --model bert --hardware cpu
      accelbench results --run 3 --format csv > run3.csv
      accelbench results --precision int8 --format json
    """
    from accelbench.cli.render import print_results_table
    from accelbench.storage import Store, resolve_db_path
    from accelbench.storage.queries import fetch_results

    store = Store(resolve_db_path(db), read_only=True)
    if run_id is not None and not store.query("SELECT 1 FROM test_runs WHERE run_id = ?", [run_id]):
        from accelbench.errors import InputError

        raise InputError(f"no run {run_id} (see `accelbench runs`)", file=str(store.path), field="--run")
    rows = fetch_results(
        store,
        model=model,
        size=size,
        hardware=hardware,
        backend=backend,
        precision=precision,
        batch_size=batch_size,
        run=run_id,
        status=status,
        limit=limit,
    )
    rows = [{k: r.get(k) for k in _LIST_COLUMNS} for r in rows]
    if fmt == "json":
        click.echo(json.dumps(rows, default=str, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=_LIST_COLUMNS)
        writer.writeheader()
        writer.writerows(_csv_safe(r) for r in rows)
    else:
        print_results_table(rows, title=f"{len(rows)} results in {store.path}")


def _csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in row.items()}
