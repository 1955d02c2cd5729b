"""Readable tables of results for the terminal (rich), shared by `run` and `results`."""

from __future__ import annotations

import sys
from typing import Any

COLUMNS = [
    ("result_id", "id"),
    ("_model", "model"),
    ("_target", "hw/runtime"),
    ("precision", "prec"),
    ("batch_size", "batch"),
    ("status", "status"),
    ("latency_median_ms", "median ms"),
    ("latency_p95_ms", "p95 ms"),
    ("throughput_items_per_second", "items/s"),
    ("memory_peak_mb", "peak MB"),
    ("max_abs_error", "max err"),
    ("ci_half_width_percent", "±CI %"),
    ("verdict", "verdict"),
]


def _derived(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["_model"] = f"{row.get('model_name')}-{row.get('model_size')}"
    row["_target"] = f"{row.get('hardware_type')}/{row.get('backend')}"
    return row


def fmt(value: Any) -> str:
    """Compact cell text: 3 significant figures for floats, '-' for missing."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) < 1e-3:
            return f"{value:.1e}"
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_results_table(rows: list[dict[str, Any]], *, title: str = "") -> None:
    """Print results as a table; errors of non-successful rows are listed below it."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 160)
    rows = [_derived(r) for r in rows]
    cols = [(k, h) for k, h in COLUMNS if any(k in r for r in rows)] if rows else COLUMNS
    table = Table(title=title or None, header_style="bold")
    for _, header in cols:
        table.add_column(header, no_wrap=True)
    for r in rows:
        style = (
            None
            if r.get("status") == "success"
            else ("yellow" if r.get("status") == "unsupported" else "red")
        )
        table.add_row(*[fmt(r.get(k)) for k, _ in cols], style=style)
    console.print(table)
    problems = [r for r in rows if r.get("status") not in (None, "success")]
    for r in problems[:20]:
        console.print(
            f"[dim]{r.get('result_id')}[/dim] {r.get('task_name')} {r.get('precision')} "
            f"bs{r.get('batch_size')}: [bold]{r.get('status')}[/bold] {r.get('error_message') or ''}"
        )
    if len(problems) > 20:
        console.print(f"... and {len(problems) - 20} more not successful")
    if any(r.get("is_simulated") for r in rows):
        console.print("[bold yellow]Some rows are simulated (is_simulated = true); see simulation_reason.")
