"""`accelbench history`: a metric over runs, with change points dated and attributed to a commit."""

from __future__ import annotations

import json

import click

from accelbench.cli.options import db_option


@click.command()
@click.option("--model", default=None, help="Model family, e.g. bert.")
@click.option("--size", default=None, help="Model size, e.g. tiny.")
@click.option("--hardware", default=None, help="Platform, e.g. cpu.")
@click.option("--backend", default=None, help="Runtime, e.g. onnxruntime.")
@click.option("--precision", default=None, help="Precision, e.g. fp32.")
@click.option("--batch-size", type=int, default=None)
@click.option("--metric", default="latency_median_ms", show_default=True, help="Column to follow.")
@click.option("--penalty", type=float, default=None, help="PELT penalty per change (default 5 σ² ln n).")
@click.option("--include-simulated", is_flag=True, help="Also use rows flagged is_simulated (testing only).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def history(
    model: str | None,
    size: str | None,
    hardware: str | None,
    backend: str | None,
    precision: str | None,
    batch_size: int | None,
    metric: str,
    penalty: float | None,
    include_simulated: bool,
    fmt: str,
    db: str | None,
) -> None:
    """Show a metric's history, one point per run, and where it changed (PELT change points).

    Each change point names the first run after the change, its date and git commit.

    \b
    Examples:
      accelbench history --model bert --hardware cpu
      accelbench history --model t5 --backend onnxruntime --precision int8 --metric latency_p99_ms
    """
    from accelbench.analysis.changepoints import load_history, locate_changes
    from accelbench.storage import Store, resolve_db_path

    store = Store(resolve_db_path(db), read_only=True)
    series = load_history(
        store,
        metric=metric,
        include_simulated=include_simulated,
        model=model,
        size=size,
        hardware=hardware,
        backend=backend,
        precision=precision,
        batch_size=batch_size,
    )
    if penalty is not None:
        for s in series:
            s.change_points = locate_changes(s, penalty=penalty)
    if fmt == "json":
        out = [
            {
                "key": s.key,
                "metric": s.metric,
                "run_ids": s.run_ids,
                "started_at": s.started_at,
                "git_commits": s.git_commits,
                "values": s.values,
                "change_points": [{**cp.__dict__, "change": cp.change} for cp in s.change_points],
            }
            for s in series
        ]
        click.echo(json.dumps(out, indent=2, default=str))
        return
    if not series:
        click.echo("No stored results match.")
    for s in series:
        _print_series(s)


def _print_series(s) -> None:  # type: ignore[no-untyped-def]
    from accelbench.cli.render import fmt

    k = s.key
    click.echo(
        f"{k['model_name']}-{k['model_size']} {k['hardware_type']}/{k['backend']} {k['precision']}"
        f" bs{k['batch_size']} seq{k['sequence_length']} t{k['threads']}: {s.metric} over {len(s.values)} runs"
    )
    marks = {cp.index for cp in s.change_points}
    for i, (run, when, commit, value) in enumerate(
        zip(s.run_ids, s.started_at, s.git_commits, s.values, strict=True)
    ):
        flag = "  <- change" if i in marks else ""
        click.echo(f"  run {run:>5}  {str(when)[:19]:19}  {(commit or '-')[:12]:12}  {fmt(value):>10}{flag}")
    for cp in s.change_points:
        click.echo(
            f"  change at run {cp.run_id} ({str(cp.started_at)[:19]}, commit {(cp.git_commit or 'unknown')[:12]}):"
            f" {fmt(cp.before)} -> {fmt(cp.after)} ({cp.change:+.1%})"
        )
    if not s.change_points:
        click.echo("  no change point")
