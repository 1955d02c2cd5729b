"""`accelbench validate`: give stored results a statistical verdict, after the fact."""

from __future__ import annotations

import json

import click

from accelbench.cli.options import db_option


@click.command()
@click.option("--run", "run_id", type=int, default=None, help="Run to validate (default: the latest).")
@click.option("--all", "all_runs", is_flag=True, help="Validate every stored result.")
@click.option(
    "--max-cv", type=float, default=0.10, show_default=True, help="Largest coefficient of variation."
)
@click.option("--min-samples", type=int, default=10, show_default=True, help="Fewest timed iterations.")
@click.option(
    "--max-outliers", type=float, default=0.10, show_default=True, help="Largest fraction of MAD outliers."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
def validate(
    run_id: int | None,
    all_runs: bool,
    max_cv: float,
    min_samples: int,
    max_outliers: float,
    fmt: str,
    db: str | None,
) -> None:
    """Judge stored results VALID or INVALID from their raw samples and store the verdicts.

    Checks: sample count, coefficient of variation, MAD outliers (|modified z| > 3.5),
    bootstrap 95 % CIs, MLPerf early stopping for p90/p95/p99, cache and accuracy self-audits.
    Exit code 0 when every result is VALID, 1 when some are INVALID, 2 on bad input.

    \b
    Examples:
      accelbench validate                 # the latest run
      accelbench validate --run 3 --max-cv 0.05
      accelbench validate --all --format json
    """
    from accelbench.analysis.verdicts import ValidationPolicy, validate_and_store
    from accelbench.errors import InputError
    from accelbench.storage import Store, resolve_db_path
    from accelbench.storage.queries import latest_run_id

    for name, value in (("--max-cv", max_cv), ("--max-outliers", max_outliers)):
        if not 0 < value <= 1:
            raise InputError(f"{value} must be a fraction in (0, 1]", item="command line", field=name)
    path = resolve_db_path(db)
    if not path.exists():
        raise InputError("no such database (run `accelbench run` first)", file=str(path))
    store = Store(path)
    if all_runs:
        ids = [r["result_id"] for r in store.query("SELECT result_id FROM performance_results ORDER BY 1")]
    else:
        run_id = run_id if run_id is not None else latest_run_id(store)
        if run_id is None:
            raise InputError("the database has no results", file=str(path))
        ids = [
            r["result_id"]
            for r in store.query("SELECT result_id FROM performance_results WHERE run_id = ?", [run_id])
        ]
        if not ids:
            raise InputError(f"run {run_id} has no results", item="command line", field="--run")
    policy = ValidationPolicy(min_samples=min_samples, max_cv=max_cv, max_outlier_fraction=max_outliers)
    verdicts = validate_and_store(store, ids, policy)
    if fmt == "json":
        click.echo(json.dumps([v.to_dict() for v in verdicts], indent=2, default=float))
    else:
        _print(verdicts, len(ids))
    if any(not v.is_valid for v in verdicts):
        raise click.exceptions.Exit(1)


def _print(verdicts: list, total: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from accelbench.cli.render import fmt

    table = Table(header_style="bold")
    for col in (
        "id",
        "verdict",
        "stability",
        "n",
        "CV",
        "outliers",
        "median ms (95 % CI)",
        "p99 ms",
        "reasons",
    ):
        table.add_column(col, overflow="fold")
    for v in verdicts:
        ci = (
            f"{fmt(v.median_ms)} ({fmt(v.median_ci_ms[0])}-{fmt(v.median_ci_ms[1])})"
            if v.median_ci_ms
            else "-"
        )
        p99 = v.percentiles_ms.get("p99")
        table.add_row(
            str(v.result_id),
            v.label,
            f"{v.stability_score:.2f}",
            str(v.samples),
            "-" if v.coefficient_of_variation is None else f"{v.coefficient_of_variation:.1%}",
            str(v.outliers),
            ci,
            fmt(p99) if p99 is not None else "not established",
            "; ".join(v.reasons),
            style=None if v.is_valid else "red",
        )
    console = Console()
    console.print(table)
    invalid = sum(1 for v in verdicts if not v.is_valid)
    console.print(
        f"{len(verdicts)} results judged ({total - len(verdicts)} without measurements skipped): "
        f"{len(verdicts) - invalid} VALID, {invalid} INVALID"
    )
