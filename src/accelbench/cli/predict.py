"""`accelbench predict`: train, evaluate, query, verify and suggest from learned performance models."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from accelbench.cli.options import db_option
from accelbench.errors import InputError
from accelbench.storage.paths import check_parent_dir

data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(),
    metavar="PARQUET|DIR",
    help="Exported dataset(s) to train on as well as the database (repeatable; a folder: its *.parquet).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
kernels_option = click.option(
    "--kernels",
    "kernels",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="JSON",
    help="Kernel profile(s) pricing the rows (repeatable; default: kernels-*.json beside --data).",
)


def query_options(func: Callable[..., Any], *, batch_size: bool = True) -> Callable[..., Any]:
    """The options naming one configuration (shared with `recommend`; `recommend batch-size`
    chooses the batch size, so it has no --batch-size)."""
    options = [
        click.option("--model", "model_name", required=True, help="Model family, e.g. bert."),
        click.option("--size", "model_size", default="tiny", show_default=True, help="Model size."),
        click.option(
            "--hardware", "hardware_type", default="cpu", show_default=True, help="Hardware platform."
        ),
        click.option("--batch-size", default=1, show_default=True, type=int),
        click.option("--sequence-length", default=128, show_default=True, type=int),
        click.option("--precision", default="fp32", show_default=True),
        click.option("--backend", default=None, help="Runtime (default: the hardware's own)."),
        click.option("--threads", default=None, type=int, help="CPU threads (default: as measured)."),
    ]
    if not batch_size:
        del options[3]
    for opt in reversed(options):
        func = opt(func)
    return func


def _existing_db(db: str | None) -> str:
    """The database path, which must exist (a command that reads results must not create one)."""
    path = _db(db)
    if not Path(path).exists():
        raise InputError("no such database (run `accelbench run` first, or pass --db)", file=path)
    return path


def _db(db: str | None) -> str:
    from accelbench.storage import resolve_db_path

    return str(resolve_db_path(db))


def _table(headers: list[str], rows: list[list[Any]], title: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    from accelbench.cli.render import fmt

    table = Table(title=title or None, header_style="bold")
    for h in headers:
        table.add_column(h, overflow="fold")
    for r in rows:
        table.add_row(*[fmt(v) for v in r])
    Console(width=160).print(table)


@click.group()
def predict() -> None:
    """Learned predictions of latency, throughput and memory, with 90 % intervals.

    \b
    Example:
      accelbench predict train --data data/reference --db bench.duckdb
      accelbench predict latency --model bert --batch-size 8 --db bench.duckdb
    """


@predict.command()
@db_option
@data_option
@kernels_option
@click.option("--seed", default=0, show_default=True, type=int)
def train(db: str | None, data: tuple[str, ...], kernels: tuple[str, ...], seed: int) -> None:
    """Train one model per target on measured results and store it as a new version.

    \b
    Example:
      accelbench predict train --db bench.duckdb --data data/reference/cpu-3f2a9c1e.parquet
    """
    from accelbench.prediction.service import train_and_store, training_rows

    path = _db(db)
    check_parent_dir(path, item="command line", field="--db")  # before minutes of training, not after
    rows = training_rows(path, list(data), list(kernels) or None)
    bundle = train_and_store(path, rows, seed=seed)
    click.echo(
        f"trained version {bundle.version} on {len(rows)} rows "
        f"(data fingerprint {bundle.data_fingerprint[:12]}) into {path}"
    )
    priced = sum(1 for r in rows if r.get("kernel_estimate_ms"))
    ids = ", ".join(p.profile_id for p in bundle.kernel_profiles) or "none"
    click.echo(f"  kernel profiles: {ids}; {priced} of {len(rows)} rows priced from one")
    for target, model in bundle.models.items():
        widths = {
            k: None if v is None else f"±{100 * (2.718281828**v - 1):.1f}%"
            for k, v in model.half_widths.items()
        }
        click.echo(f"  {target}: {model.n_rows} rows, hyperparameters {model.hyper}, 90% intervals {widths}")
    for target, why in bundle.skipped.items():
        click.echo(f"  {target}: not trained: {why}")


@predict.command()
@db_option
@data_option
@click.option(
    "--targets",
    default="latency_ms,throughput_items_per_second,memory_peak_mb,power_watts",
    show_default=True,
    help="Comma list of targets.",
)
@click.option("--seed", default=0, show_default=True, type=int)
@kernels_option
@json_option
def evaluate(
    db: str | None, data: tuple[str, ...], targets: str, seed: int, kernels: tuple[str, ...], as_json: bool
) -> None:
    """Print the evaluation protocol: 4 splits x targets, learned model vs FLOPs baseline.

    \b
    Example:
      accelbench predict evaluate --data data/reference/cpu-3f2a9c1e.parquet
    """
    from accelbench.cli.options import split_list
    from accelbench.errors import InputError
    from accelbench.prediction.dataset import TARGETS
    from accelbench.prediction.evaluation import evaluate as run_eval
    from accelbench.prediction.evaluation import format_table, goal_lines
    from accelbench.prediction.service import training_rows

    chosen = tuple(split_list(targets))
    for t in chosen:
        if t not in TARGETS:
            raise InputError(f"unknown target '{t}'; known: {', '.join(TARGETS)}", field="--targets")
    rows = training_rows(_db(db) if db or not data else None, list(data), list(kernels) or None)
    report = run_eval(rows, targets=chosen, seed=seed)
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    _table(
        [
            "target",
            "split",
            "n",
            "MAPE %",
            "within ±10 %",
            "Spearman",
            "90% cover %",
            "baseline MAPE %",
            "beats baseline",
        ],
        format_table(report),
        title=f"prediction evaluation on {len(rows)} rows",
    )
    for line in goal_lines(report):
        click.echo(line)


@predict.command("latency")
@db_option
@query_options
@click.option(
    "--target",
    default="latency_ms",
    show_default=True,
    help="latency_ms, throughput_items_per_second, memory_peak_mb or power_watts.",
)
@click.option("--no-log", is_flag=True, help="Do not record the prediction in performance_predictions.")
@json_option
def latency(db: str | None, target: str, no_log: bool, as_json: bool, **query: Any) -> None:
    """Predict one configuration's latency (or another --target) with a 90 % interval.

    \b
    Example:
      accelbench predict latency --model bert --size tiny --batch-size 8 --precision fp32
    """
    from accelbench.prediction.query import Query
    from accelbench.prediction.registry import log_predictions
    from accelbench.prediction.service import load_predictor
    from accelbench.storage import Store

    path = _db(db)
    p = load_predictor(path).predict(Query(**query), target)
    if not no_log:
        log_predictions(Store(path), [p])
    if as_json:
        click.echo(json.dumps(p.to_dict(), indent=2, default=str))
        return
    interval = f"[{p.lower:.4g}, {p.upper:.4g}]" if p.lower is not None else "(no calibrated interval)"
    click.echo(
        f"{target} = {p.predicted_value:.4g}  90% interval {interval}  confidence {p.confidence_score}"
    )
    click.echo(f"  {'in domain' if p.in_domain else 'OUT OF DOMAIN: ' + ', '.join(p.out_of_domain)}")
    click.echo(f"  how: {p.method}; model {p.model_version} (id {p.model_id})")
    for m in p.nearest_measured:
        click.echo(f"  nearest measured: {m}")


predict.add_command(latency, "query")  # same command: `query --target memory_peak_mb` reads better


@predict.command()
@db_option
def verify(db: str | None) -> None:
    """Match logged predictions to later measurements and print accuracy per day.

    \b
    Example:
      accelbench predict verify --db bench.duckdb
    """
    from accelbench.prediction.verify import accuracy_over_time, verify_predictions
    from accelbench.storage import Store

    store = Store(_existing_db(db))
    n = verify_predictions(store)
    click.echo(f"verified {n} new prediction(s)")
    rows = accuracy_over_time(store)
    _table(
        ["period", "target", "verified", "MAPE %", "within ±10 %", "coverage", "in-domain share"],
        [
            [
                r["period"],
                r["target_metric"],
                r["verified"],
                r["mape_percent"],
                r["within_10_percent"],
                r["interval_coverage"],
                r["in_domain_share"],
            ]
            for r in rows
        ],
        title="prediction accuracy over time",
    )


@predict.command()
@db_option
@click.option("--budget", required=True, type=int, help="How many configurations to suggest.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write them as a suite file (YAML).")
def suggest(db: str | None, budget: int, output: str | None) -> None:
    """Suggest the N unmeasured configurations that would most reduce uncertainty near the best ones.

    \b
    Example:
      accelbench predict suggest --budget 20 --output suites/next.yaml
      accelbench run --suite suites/next.yaml
    """
    import yaml

    from accelbench.prediction.service import load_predictor
    from accelbench.prediction.suggest import suggest as run_suggest
    from accelbench.prediction.suggest import suite_of
    from accelbench.storage.queries import KEY_COLUMNS
    from accelbench.tasks.loading import suite_from_dict

    if output:
        check_parent_dir(output, item="command line", field="--output")  # before the minutes of search
    picks = run_suggest(load_predictor(_db(db)), budget)
    _table(
        ["score", "model", "size", "hw", "backend", "prec", "batch", "seq", "threads", "pred items/s"],
        [
            [
                s["score"],
                *(s["query"][k] for k in KEY_COLUMNS),
                s["predicted_throughput"],
            ]
            for s in picks
        ],
        title="suggested measurements",
    )
    if output:
        doc = suite_of(picks)
        suite_from_dict(doc, source=output)  # the loader must accept what we write
        with open(output, "w") as fh:
            yaml.safe_dump(doc, fh, sort_keys=False)
        click.echo(f"wrote {len(doc['tasks'])} task(s) to {output}")


@predict.command()
@db_option
def versions(db: str | None) -> None:
    """List stored model versions, newest first.

    \b
    Example:
      accelbench predict versions --db bench.duckdb
    """
    from accelbench.prediction.registry import list_versions
    from accelbench.storage import Store

    rows = list_versions(Store(_db(db), read_only=True))
    _table(
        ["version", "trained", "targets", "rows", "data fingerprint"],
        [
            [
                r["model_version"],
                str(r["training_date"]),
                r["targets"],
                r["training_rows"],
                (r["data_fingerprint"] or "")[:12],
            ]
            for r in rows
        ],
    )


@predict.command("export-data")
@db_option
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Parquet file to write.")
@click.option(
    "--max-ci-percent",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Leave out measurements whose 95 % CI half-width exceeds this (percent of the median).",
)
def export_data(db: str | None, output: str, max_ci_percent: float) -> None:
    """Export stable, measured, successful results with their features as a training dataset (Parquet).

    \b
    Example:
      accelbench predict export-data --db reference.duckdb --output data/reference/cpu-3f2a9c1e.parquet
    """
    from accelbench.prediction.dataset import export_parquet, fingerprint, load_from_store, quality_counts
    from accelbench.prediction.learner import InsufficientDataError
    from accelbench.storage import Store

    store = Store(_db(db), read_only=True)
    rows = load_from_store(store, max_ci_percent=max_ci_percent)
    counts = quality_counts(store, max_ci_percent)
    if not rows:
        raise InsufficientDataError(
            f"no successful measured results with a 95 % CI within ±{max_ci_percent} % "
            f"({counts['unstable']} unstable left out)"
        )
    n = export_parquet(rows, output)
    click.echo(
        f"wrote {n} rows to {output} (data fingerprint {fingerprint(rows)[:12]}); left out "
        f"{counts['unstable']} unstable row(s) with a 95 % CI wider than ±{max_ci_percent} %"
    )


@predict.command("profile-kernels")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="JSON file to write.")
@click.option("--device", default="cpu", show_default=True, type=click.Choice(["cpu", "cuda"]))
@click.option("--threads", default=1, show_default=True, type=int, help="CPU threads while timing.")
@click.option("--quick", is_flag=True, help="A small grid (seconds, for trying it out; coarse prices).")
def profile_kernels(output: str, device: str, threads: int, quick: bool) -> None:
    """Time single kernels (matrix products, convolutions, memory-bound operators) on a fixed grid.

    Training and queries price a configuration's forward pass from this profile (the kernel-time
    baseline the trees correct), so a device profiled once is predicted better for model families
    never measured on it. Put the file as kernels-*.json beside the Parquet datasets it serves.
    About 7 minutes on one CPU core.

    \b
    Example:
      accelbench predict profile-kernels --output mydata/kernels-cpu.json
    """
    import shlex
    import sys

    from accelbench.prediction.kernels.measure import (
        AXES,
        SMALL_AXES,
        check_request,
        count_shapes,
        measure_profile,
    )

    check_request(device, threads)
    axes = SMALL_AXES if quick else AXES
    args = ["--output", output, "--device", device, "--threads", str(threads)] + ["--quick"] * quick
    command = "accelbench predict profile-kernels " + shlex.join(args)
    total = count_shapes(axes)
    with click.progressbar(length=total, label="kernels", file=sys.stderr) as bar:
        last = [0]

        def advance(done: int, total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        profile = measure_profile(device, threads, axes, advance, command)
    profile.save(output)
    click.echo(
        f"wrote kernel profile {profile.profile_id} of {profile.device_name or device} "
        f"({total} kernels, {profile.seconds:.0f} s) to {output}"
    )
