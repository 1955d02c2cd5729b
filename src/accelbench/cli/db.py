"""`accelbench db`: export, archive, merge and inspect the database."""

from __future__ import annotations

from pathlib import Path

import click

from accelbench.cli.options import db_option, parse_duration_days


@click.group()
def db() -> None:
    """Database maintenance: export, archive, merge, info.

    \b
    Examples:
      accelbench db info
      accelbench db export --format parquet --output exported/
      accelbench db archive --older-than 90d
    """


@db.command()
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv", "json"]), default="parquet", show_default=True
)
@click.option("--output", "output", default="export", show_default=True, help="Directory to write into.")
@db_option
def export(fmt: str, output: str, db: str | None) -> None:
    """Export results, samples, runs, models and hardware tables, one file per table.

    \b
    Example:
      accelbench db export --format parquet --output exported/
    """
    from accelbench.storage import Store, resolve_db_path
    from accelbench.storage.export import export_tables

    store = Store(resolve_db_path(db), read_only=True)
    for path in export_tables(store, Path(output), fmt):
        click.echo(f"wrote {path}")


@db.command()
@click.option("--older-than", required=True, help="Age such as 90d, 12h or 2w.")
@click.option("--archive-dir", default=None, help="Where Parquet files go (default: <db>.archive/).")
@db_option
def archive(older_than: str, archive_dir: str | None, db: str | None) -> None:
    """Move results older than an age into compressed Parquet that stays queryable.

    Archived rows are readable through the views performance_results_all and performance_samples_all.

    \b
    Example:
      accelbench db archive --older-than 90d
    """
    from accelbench.storage import Store, resolve_db_path
    from accelbench.storage.export import archive_older_than

    days = parse_duration_days(older_than, "--older-than")
    path = resolve_db_path(db)
    if not path.exists():
        raise click.ClickException(f"{path}: no such database")
    target = Path(archive_dir) if archive_dir else path.with_suffix(".archive")
    report = archive_older_than(Store(path), days, target)
    click.echo(
        f"archived {report.results_moved} results and {report.samples_moved} samples"
        + (f" to {target}" if report.files else "")
    )


@db.command()
@click.argument("out")
@click.argument("inputs", nargs=-1, required=True)
def merge(out: str, inputs: tuple[str, ...]) -> None:
    """Merge databases into OUT; duplicates resolved by a stated rule, each decision recorded.

    \b
    Example:
      accelbench db merge merged.duckdb part1.duckdb part2.duckdb
    """
    from accelbench.storage.merge import merge_databases

    report = merge_databases(out, list(inputs))
    click.echo(str(report))


@db.command()
@db_option
def info(db: str | None) -> None:
    """Schema version and row counts of every table.

    \b
    Example:
      accelbench db info --db bench.duckdb
    """
    from accelbench.storage import Store, resolve_db_path

    store = Store(resolve_db_path(db), read_only=True)
    click.echo(f"{store.path}: schema version {store.schema_version()}")
    tables = store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY table_name"
    )
    for t in tables:
        (n,) = store.query(f'SELECT count(*) AS n FROM "{t["table_name"]}"')[0].values()
        click.echo(f"  {t['table_name']:<34} {n:>10,}")
