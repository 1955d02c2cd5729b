"""`accelbench report`: a self-contained HTML page (or markdown) of a run's results."""

from __future__ import annotations

from pathlib import Path

import click

from accelbench.cli.options import db_option
from accelbench.errors import InputError


@click.command()
@click.option("--run", "run_id", type=int, default=None, help="Run to report (default: the latest).")
@click.option(
    "--output", "-o", default="report.html", show_default=True, help="File to write ('-' for stdout)."
)
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]), default="html", show_default=True)
@db_option
def report(run_id: int | None, output: str, fmt: str, db: str | None) -> None:
    """Write a report of a run: latency and throughput charts and every result with its verdict.

    The HTML page is self-contained (inline SVG, no scripts, no network).

    \b
    Examples:
      accelbench report --output report.html
      accelbench report --run 3 --format markdown -o run3.md
    """
    from accelbench.reporting import build_report_data, render_html, render_markdown
    from accelbench.storage import Store, resolve_db_path

    if output != "-" and Path(output).is_dir():
        raise InputError("is a directory; give a file name, e.g. report.html", file=output, field="--output")
    path = resolve_db_path(db)
    data = build_report_data(Store(path, read_only=True), run_id)
    if not data.rows:
        which = f"run {run_id}" if run_id is not None else "any run"
        raise InputError(f"no results stored for {which} (run `accelbench run` first)", file=str(path))
    text = render_html(data) if fmt == "html" else render_markdown(data)
    if output == "-":
        click.echo(text)
    else:
        Path(output).write_text(text)
        click.echo(f"wrote {output} ({len(data.rows)} results)")
