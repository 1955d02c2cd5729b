"""`accelbench compare`: a run against a baseline; exit 1 when a regression at or above --fail-on is found."""

from __future__ import annotations

import json
import sys

import click

from accelbench.cli.options import db_option
from accelbench.errors import InputError


def parse_fraction(value: str, option: str) -> float:
    """'5%' -> 0.05, '0.05' -> 0.05, '5' -> 0.05 (a bare number >= 1 is read as percent)."""
    text = (value or "").strip()
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise InputError(
            f"{value!r} is not a percentage like 5%", item="command line", field=option
        ) from None
    fraction = number / 100 if text.endswith("%") or number >= 1 else number
    if not 0 < fraction < 1:
        raise InputError(f"{value!r} must be between 0 % and 100 %", item="command line", field=option)
    return fraction


@click.command()
@click.option("--baseline", "ref", default=None, help="Run id, commit, git ref, branch, or window (last-7d).")
@click.option("--run", "run_id", type=int, default=None, help="Run to check (default: the latest).")
@click.option(
    "--threshold", default="5%", show_default=True, help="Smallest change of the median that counts."
)
@click.option(
    "--alpha", type=float, default=0.05, show_default=True, help="Mann-Whitney U significance level."
)
@click.option(
    "--fail-on",
    type=click.Choice(["minor", "major", "critical", "never"]),
    default="minor",
    show_default=True,
    help="Exit 1 on a regression of this severity or worse (minor <10 %, major 10-25 %, critical >=25 %).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True
)
@click.option(
    "--config", "config_path", default=None, help="Config with [notify] (default ./accelbench.toml)."
)
@click.option("--no-notify", is_flag=True, help="Do not send notifications even when configured.")
@click.option(
    "--correlate",
    default=None,
    metavar="A,B",
    help="Instead: Spearman rank correlation of latencies between two platforms (cpu,cuda or cpu/onnxruntime,cpu/openvino).",
)
@click.option(
    "--include-simulated", is_flag=True, help="Also compare rows flagged is_simulated (testing only)."
)
@db_option
def compare(
    ref: str | None,
    run_id: int | None,
    threshold: str,
    alpha: float,
    fail_on: str,
    fmt: str,
    config_path: str | None,
    no_notify: bool,
    correlate: str | None,
    include_simulated: bool,
    db: str | None,
) -> None:
    """Compare a run with a baseline: Mann-Whitney U on raw samples plus a minimum effect on the median.

    Results are matched by model, size, hardware, backend, precision, batch size, sequence length
    and threads. Exit code: 0 no regression at or above --fail-on, 1 regressions, 2 bad input.

    \b
    Examples:
      accelbench compare --baseline 12                     # run 12
      accelbench compare --baseline main --format markdown > comment.md
      accelbench compare --baseline last-7d --threshold 10% --fail-on major
      accelbench compare --correlate cpu/pytorch,cpu/onnxruntime
    """
    from accelbench.storage import Store, resolve_db_path

    path = resolve_db_path(db)
    store = Store(path, read_only=True)
    if correlate:
        _correlate(store, correlate, run_id, include_simulated, fmt)
        return
    if not ref:
        raise InputError(
            "--baseline is required (a run id, commit, branch or last-7d)",
            item="command line",
            field="--baseline",
        )
    cfg = None
    if not no_notify:  # read (and checked) before the comparison is printed
        from accelbench.analysis.notify import load_notify_config

        cfg = load_notify_config(config_path)
    report = _compare(store, ref, run_id, parse_fraction(threshold, "--threshold"), alpha, include_simulated)
    _emit(report, fmt, include_simulated)
    if cfg:
        from accelbench.analysis.notify import notify

        for line in notify(cfg, report):
            click.echo(line, err=True)
    if report.fails(fail_on):
        raise click.exceptions.Exit(1)


def _compare(store, ref: str, run_id: int | None, threshold: float, alpha: float, include_simulated: bool):  # type: ignore[no-untyped-def]
    from accelbench.analysis.baselines import resolve_baseline
    from accelbench.analysis.regressions import compare_runs
    from accelbench.storage.queries import latest_run_id

    if not 0 < alpha < 1:
        raise InputError(f"{alpha} must be in (0, 1)", item="command line", field="--alpha")
    run_id = run_id if run_id is not None else latest_run_id(store)
    if run_id is None or not store.query(
        "SELECT 1 FROM performance_results WHERE run_id = ? LIMIT 1", [run_id]
    ):
        raise InputError(f"run {run_id} has no stored results", item="command line", field="--run")
    baseline = resolve_baseline(store, ref, current_run_id=run_id)
    if baseline.run_id == run_id:
        raise InputError(
            f"the baseline is the run being checked ({run_id})", item="command line", field="--baseline"
        )
    return compare_runs(
        store, run_id, baseline, threshold=threshold, alpha=alpha, include_simulated=include_simulated
    )


def _emit(report, fmt: str, include_simulated: bool) -> None:  # type: ignore[no-untyped-def]
    from accelbench.analysis.summaries import print_table, to_markdown

    if fmt == "json":
        click.echo(
            json.dumps(report.to_dict() | {"include_simulated": include_simulated}, indent=2, default=str)
        )
        return
    if fmt == "markdown":
        text = to_markdown(report)
        if include_simulated:
            text += "\n> ⚠️ Includes rows flagged is_simulated: not measurements.\n"
        sys.stdout.write(text)
        return
    print_table(report)
    if include_simulated:
        click.echo("Warning: includes rows flagged is_simulated (not measurements).")


def _correlate(store, spec: str, run_id: int | None, include_simulated: bool, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    from accelbench.analysis.correlation import correlate_platforms

    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if len(parts) != 2:
        raise InputError(
            f"{spec!r}: expected two platforms like cpu,cuda", item="command line", field="--correlate"
        )
    corr = correlate_platforms(store, parts[0], parts[1], run_id=run_id, include_simulated=include_simulated)
    if fmt == "json":
        click.echo(json.dumps(asdict(corr), indent=2))
        return
    rho = (
        "not computable (needs >= 3 matched configs that vary)"
        if corr.rho is None
        else f"{corr.rho:.3f} (p = {corr.p_value:.2g})"
    )
    click.echo(
        f"Spearman rank correlation of median latency, {corr.platform_a} vs {corr.platform_b}:"
        f" rho = {rho} over {corr.pairs} matched configs"
    )
