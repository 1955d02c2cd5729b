"""The `accelbench` command: a lazy click group; each command group lives in its own module.

Commands are registered in COMMANDS as `name -> "module:attribute"` and imported only when used,
so `accelbench --help` stays fast. Adding a command is one module plus one line here.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from accelbench import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module path, attribute), with the one-line summary shown by --help
    "run": ("accelbench.cli.run:run", "Run a benchmark matrix or suite and store the results."),
    "results": ("accelbench.cli.results:results", "Show stored results with filters."),
    "report": ("accelbench.cli.report:report", "Write an HTML or markdown report of stored results."),
    "db": ("accelbench.cli.db:db", "Database maintenance: export, archive, merge, info."),
    "schema": (
        "accelbench.cli.schema:schema",
        "Print the JSON Schema that suite files are validated against.",
    ),
    "suite": ("accelbench.cli.suite:suite", "Suite files: validate, show, partition."),
    "models": ("accelbench.cli.models:models", "List model families, sizes and parameter counts."),
    "hardware": (
        "accelbench.cli.hardware:hardware",
        "Detect the plan's 8 hardware platforms on this machine.",
    ),
    "self-benchmark": (
        "accelbench.cli.self_benchmark:self_benchmark",
        "Benchmark accelbench itself (import times, operations, parallel loading).",
    ),
    "runs": ("accelbench.cli.runs:runs", "List benchmark runs and their state."),
    "workers": ("accelbench.cli.workers:workers", "List registered benchmark workers."),
    "worker": ("accelbench.cli.worker:worker", "Join a Ray cluster as a benchmark worker."),
    "compare": (
        "accelbench.cli.compare:compare",
        "Compare a run against a baseline; exit non-zero on regressions.",
    ),
    "history": ("accelbench.cli.history:history", "A metric's history over time with change points."),
    "validate": ("accelbench.cli.validate:validate", "Give stored results a statistical verdict."),
    "ipfs": ("accelbench.cli.ipfs:ipfs", "IPFS content addressing, retrieval benchmarks and simulation."),
    "predict": ("accelbench.cli.predict:predict", "Train, evaluate and query performance predictions."),
    "recommend": (
        "accelbench.cli.recommend:recommend",
        "Recommend hardware and batch sizes from predictions.",
    ),
    "serve": ("accelbench.cli.serve:serve", "Serve the prediction REST API (127.0.0.1 by default)."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a user error prints one line and exits with its code (2), no traceback."""
        from accelbench.errors import AccelbenchError

        try:
            return super().invoke(ctx)
        except AccelbenchError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except FileNotFoundError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="accelbench")
def cli() -> None:
    """accelbench: measured ML inference benchmarks across hardware and runtimes, stored in DuckDB.

    \b
    Quick start:
      accelbench hardware                      # what this machine has
      accelbench run --models bert --hardware cpu --batch-sizes 1,8
      accelbench results                       # what is stored
      accelbench report --output report.html
    """


def main(argv: list[str] | None = None) -> Any:
    """Console entry point."""
    return cli.main(args=argv, prog_name="accelbench")


if __name__ == "__main__":
    main()
