"""`accelbench self-benchmark`: accelbench's own import times, basic operations and parallel loading."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("self-benchmark")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here instead of printing it.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Fresh interpreters per module import timing.",
)
@click.option(
    "--op-repeats",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Timed calls per basic operation.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Threads for the parallel loading test.",
)
@click.option(
    "--iterations",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Loads per thread in the parallel loading test.",
)
@click.option(
    "--module",
    "modules",
    multiple=True,
    help="Time only this module's import (repeatable); default: every public module.",
)
def self_benchmark(
    output: Path | None,
    fmt: str,
    repeats: int,
    op_repeats: int,
    threads: int,
    iterations: int,
    modules: tuple[str, ...],
) -> None:
    """Benchmark accelbench itself and print a markdown report.

    Measures the import time of each public module (each in a fresh interpreter, median of
    --repeats), basic operations (creating a task, validating and loading a suite, warm hardware
    detection, a DuckDB store round-trip) and parallel loading from 5 threads x 3 iterations.

    \b
    Example:
      accelbench self-benchmark --output self-benchmark.md
      accelbench self-benchmark --format json --repeats 3
    """
    from accelbench.selfbench import run_self_benchmark

    if output is not None:
        from accelbench.storage.paths import check_parent_dir

        check_parent_dir(output, field="--output")
    report = run_self_benchmark(
        repeats=repeats,
        op_repeats=op_repeats,
        threads=threads,
        iterations=iterations,
        modules=list(modules) or None,
    )
    text = report.to_markdown() if fmt == "markdown" else json.dumps(report.to_dict(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text)
    click.echo(f"Wrote {output}")
