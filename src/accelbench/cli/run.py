"""`accelbench run`: build a matrix or load a suite, run it, store every result, print a table."""

from __future__ import annotations

import shlex
import sys
from typing import Any

import click

from accelbench.cli.options import db_option, int_list, split_list


@click.command()
@click.option("--models", help="Comma list of model families, e.g. bert,t5 (see `accelbench models`).")
@click.option("--sizes", default="tiny", show_default=True, help="Comma list of sizes: tiny, small, base.")
@click.option(
    "--hardware",
    default="cpu",
    show_default=True,
    help="Comma list of platforms: cpu, cuda, rocm, mps, openvino, qnn, webnn, webgpu.",
)
@click.option(
    "--backends",
    default=None,
    help="Comma list of runtimes (pytorch, onnxruntime, openvino); default: each hardware's own runtime. "
    "With --suite: run only the suite's tasks on these runtimes.",
)
@click.option("--batch-sizes", default="1", show_default=True, help="Comma list of batch sizes.")
@click.option(
    "--precision",
    "precisions",
    default="fp32",
    show_default=True,
    help="Comma list: fp32, fp16, bf16, int8, int4, int2.",
)
@click.option("--sequence-length", type=int, default=None, help="Tokens per text input (default 128).")
@click.option("--iterations", type=int, default=None, help="Maximum timed iterations per measurement.")
@click.option("--warmup", type=int, default=None, help="Warm-up iterations before timing.")
@click.option("--max-time", type=float, default=None, help="Maximum seconds of timing per measurement.")
@click.option(
    "--target-ci",
    type=float,
    default=None,
    help="Stop when the median's 95 % CI is within ± this percent (default 2).",
)
@click.option("--threads", type=int, default=None, help="Intra-op threads for the runtime.")
@click.option("--model-path", default=None, help="Local directory with pretrained weights (never a hub).")
@click.option(
    "--suite", "suite_file", default=None, help="Suite file (YAML, JSON or TOML) instead of the matrix."
)
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel task processes (local) or Ray workers.",
)
@click.option("--ray-address", default=None, help="Ray cluster to join (default: start a local one).")
@click.option(
    "--resume",
    "resume_run_id",
    type=click.IntRange(min=1),
    default=None,
    help="Run only the tasks of RUN_ID without results.",
)
@click.option(
    "--validate/--no-validate",
    default=True,
    show_default=True,
    help="Give each result a statistical verdict.",
)
@click.option(
    "--retest-count",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Re-measure an INVALID result up to this many times.",
)
@click.option("--timeout-minutes", type=float, default=None, help="Per-task timeout.")
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Re-run a task whose worker was lost, up to this many times.",
)
@click.option(
    "--cpu-isolation/--no-cpu-isolation",
    default=True,
    show_default=True,
    help="Pin concurrent CPU-bound tasks to disjoint CPU sets.",
)
@click.option(
    "--cache-size-gb",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Bound of the exported-model artifact cache on each worker.",
)
@db_option
def run(**opts: Any) -> None:
    """Run a benchmark matrix (models × hardware × precisions × batch sizes) or a suite file.

    Every task runs in its own process; each result is stored in DuckDB as it arrives, then a
    table of the run is printed. Exit code: 0 all tasks succeeded, 1 some failed, 2 bad input.

    \b
    Examples:
      accelbench run --models bert,t5 --hardware cpu,openvino --batch-sizes 1,8 --precision fp32,int8
      accelbench run --models bert --backends pytorch,onnxruntime --threads 2
      accelbench run --suite suites/demo.yaml --db bench.duckdb
    """
    from accelbench.runner.allocator import requested_policy

    requested_policy()  # a bad ACCELBENCH_MALLOC stops here too
    suite = _build_suite(opts)  # bad input stops here, before the database is touched

    from accelbench.cli.render import print_results_table
    from accelbench.execution import run_suite
    from accelbench.storage import Store, resolve_db_path

    path = resolve_db_path(opts["db"])
    if opts["resume_run_id"] is not None and not path.exists():
        from accelbench.errors import InputError

        raise InputError(f"no such database to resume run {opts['resume_run_id']} from", file=str(path))
    store = Store(path)
    store.schema_version()  # a path that cannot be a database fails here, before the progress bar
    with _Progress(len(suite.tasks)) as progress:
        summary = run_suite(
            suite,
            store,
            executor=opts["executor"],
            workers=opts["workers"],
            ray_address=opts["ray_address"],
            resume_run_id=opts["resume_run_id"],
            progress=progress.update,
            validate=opts["validate"],
            retest_count=opts["retest_count"],
            max_retries=opts["max_retries"],
            isolate_cpus=opts["cpu_isolation"],
            cache_size_gb=opts["cache_size_gb"],
            command_line=shlex.join(sys.argv),
        )
    _verify_logged_predictions(store)
    rows = store.query(_RUN_ROWS_SQL, [summary.run_id])
    n_tasks = sum(summary.counts.values())
    print_results_table(rows, title=f"Run {summary.run_id}: {n_tasks} tasks, {len(rows)} results")
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(summary.counts.items()))
    click.echo(f"Stored in {store.path} (run {summary.run_id}). {counts}")
    sys.exit(summary.exit_code)


def _verify_logged_predictions(store: Any) -> None:
    """Close the loop: predictions served earlier get this run's measurements as their truth."""
    try:
        from accelbench.prediction.verify import verify_predictions
    except ImportError:  # the prediction extra is not installed
        return
    verified = verify_predictions(store)
    if verified:
        click.echo(f"Verified {verified} earlier prediction(s) against these measurements.")


_RUN_ROWS_SQL = "SELECT * FROM performance_results WHERE run_id = ? ORDER BY result_id"


def _build_suite(opts: dict[str, Any]) -> Any:
    from accelbench.errors import InputError
    from accelbench.tasks.loading import load_suite
    from accelbench.tasks.suite import generate_matrix

    overrides = {
        k: v
        for k, v in {
            "sequence_length": opts["sequence_length"],
            "iterations": opts["iterations"],
            "warmup_iterations": opts["warmup"],
            "max_time_seconds": opts["max_time"],
            "target_ci_percent": opts["target_ci"],
            "threads": opts["threads"],
            "model_path": opts["model_path"],
            "timeout_minutes": opts["timeout_minutes"],
        }.items()
        if v is not None
    }
    if opts["suite_file"]:
        _refuse_matrix_options("--suite")
        suite = load_suite(opts["suite_file"])
        if opts["backends"]:
            _keep_backends(suite, split_list(opts["backends"]))
        if not overrides:
            return suite
        # The options change every task, and the changed tasks go through the schema again (they
        # were applied after it: --iterations 0 stored a failed row, --threads 0 ran on 2 threads).
        doc = suite.to_dict()
        for task in doc["tasks"]:
            task["config"].update(overrides)
        return _validated(doc, f"{opts['suite_file']} with command-line options")
    if opts["resume_run_id"] is not None:  # the tasks come from the stored run
        from accelbench.tasks.suite import BenchmarkSuite

        _refuse_matrix_options("--resume")
        return BenchmarkSuite(name=f"resume of run {opts['resume_run_id']}", tasks=[])
    models = split_list(opts["models"])
    if not models:
        raise InputError(
            "give --models (e.g. --models bert) or --suite FILE", item="command line", field="--models"
        )
    matrix = generate_matrix(
        models,
        split_list(opts["hardware"]),
        split_list(opts["precisions"]),
        int_list(opts["batch_sizes"], "--batch-sizes"),
        sizes=split_list(opts["sizes"]),
        backends=split_list(opts["backends"]) or None,
        **overrides,
    )
    # The matrix goes through the same schema validation as a suite file; errors name the option.
    return _validated(matrix.to_dict(), "command line")


def _validated(doc: dict[str, Any], source: str) -> Any:
    """The suite `doc` through the suite schema; an error in a field an option sets names the option."""
    from accelbench.errors import InputError
    from accelbench.tasks.loading import suite_from_dict

    try:
        return suite_from_dict(_plain(doc), source=source)
    except InputError as exc:
        option = _OPTION_OF_FIELD.get((exc.field or "").split(".")[1] if "." in (exc.field or "") else "")
        if option is None:
            raise
        where = exc.file if exc.file != "command line" else None
        raise InputError(exc.detail, file=where, item="command line", field=option) from None


# Options that describe the matrix; with --suite or --resume the tasks come from elsewhere.
_MATRIX_OPTIONS = {
    "models": "--models",
    "sizes": "--sizes",
    "hardware": "--hardware",
    "batch_sizes": "--batch-sizes",
    "precisions": "--precision",
}


def _refuse_matrix_options(mode: str) -> None:
    """InputError when the user gave a matrix option that `mode` would silently ignore."""
    from click.core import ParameterSource

    from accelbench.errors import InputError

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    given = [
        o for n, o in _MATRIX_OPTIONS.items() if ctx.get_parameter_source(n) == ParameterSource.COMMANDLINE
    ]
    if given:
        raise InputError(
            f"{', '.join(given)} cannot be combined with {mode}: the tasks come from "
            + (
                "the suite file (edit it, or use --backends to pick its runtimes)"
                if mode == "--suite"
                else "the run"
            ),
            item="command line",
            field=given[0],
        )


def _keep_backends(suite: Any, backends: list[str]) -> None:
    """Drop the suite's tasks on other runtimes (InputError when none is left or a kept task
    depends on a dropped one)."""
    from accelbench.errors import InputError

    kept = [t for t in suite.tasks if t.config.backend in backends]
    if not kept:
        present = sorted({str(t.config.backend) for t in suite.tasks})
        raise InputError(
            f"no task of {suite.source or suite.name} runs on {', '.join(backends)}; "
            f"its runtimes are {', '.join(present)}",
            item="command line",
            field="--backends",
        )
    names = {t.name for t in kept}
    for t in kept:
        dropped = [d for d in t.dependencies if d not in names]
        if dropped:
            raise InputError(
                f"task '{t.name}' depends on '{dropped[0]}', which --backends {','.join(backends)} leaves out",
                item="command line",
                field="--backends",
            )
    suite.tasks = kept


_OPTION_OF_FIELD = {
    "model": "--models",
    "size": "--sizes",
    "hardware": "--hardware",
    "backend": "--backends",
    "precision_formats": "--precision",
    "batch_sizes": "--batch-sizes",
    "sequence_length": "--sequence-length",
    "iterations": "--iterations",
    "threads": "--threads",
    "warmup_iterations": "--warmup",
    "max_time_seconds": "--max-time",
    "target_ci_percent": "--target-ci",
    "timeout_minutes": "--timeout-minutes",
}


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    for task in data["tasks"]:
        task["config"] = {k: v for k, v in task["config"].items() if v is not None}
    return data


class _Progress:
    """A live progress bar: task n of N, running, failed, ETA."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]tasks"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.task_id = self.progress.add_task("run", total=total, status="")

    def __enter__(self) -> _Progress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, event: Any) -> None:
        status = f"running {event.running}, failed {event.failed}"
        if event.task_name and event.kind == "task_finished":
            status += f"  last: {event.task_name} {event.status}"
        self.progress.update(self.task_id, completed=event.done, total=event.total, status=status)
