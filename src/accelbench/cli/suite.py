"""`accelbench suite`: validate, show and partition suite files."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def suite() -> None:
    """Suite files (YAML, JSON or TOML): check them, inspect them, split them for several coordinators.

    \b
    Examples:
      accelbench suite validate sweep.yaml
      accelbench suite show sweep.yaml
      accelbench suite partition sweep.yaml --parts 3 --output-dir parts/
    """


@suite.command()
@click.argument("file", type=click.Path(dir_okay=False))
def validate(file: str) -> None:
    """Check FILE against the schema, the model catalog and its dependencies (exit 2 if wrong).

    \b
    Example:
      accelbench suite validate sweep.yaml
    """
    from accelbench.tasks.loading import load_suite

    s = load_suite(file)
    click.echo(
        f"{file}: ok, {len(s.tasks)} tasks, estimated {s.estimated_total_time_hours:.2f} h run one at a time"
    )


@suite.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def show(file: str, fmt: str) -> None:
    """Print FILE's tasks in the order they would start on one worker.

    \b
    Example:
      accelbench suite show sweep.yaml --format json
    """
    from accelbench.tasks.loading import load_suite

    s = load_suite(file)
    ordered = s.topological_order()
    if fmt == "json":
        click.echo(json.dumps(s.to_dict(), indent=2))
        return
    click.echo(f"suite {s.name} (version {s.version}): {len(s.tasks)} tasks")
    for t in ordered:
        deps = f"  after {', '.join(t.dependencies)}" if t.dependencies else ""
        req = "/".join(t.requirements.hardware_types) + (
            " exclusive" if t.requirements.exclusive_access else ""
        )
        click.echo(f"  p{t.priority} {t.estimated_time_minutes:>6.1f} min  {t.name}  [{req}]{deps}")


@suite.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--parts", type=int, required=True, help="How many suite files to write.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder for the parts (created if missing).",
)
def partition(file: str, parts: int, output_dir: str) -> None:
    """Split FILE into PARTS suite files for separate coordinators; dependent tasks stay together.

    Parts are balanced by estimated time; merge their databases afterwards with `accelbench db merge`.

    \b
    Example:
      accelbench suite partition sweep.yaml --parts 3 --output-dir parts/
    """
    import yaml

    from accelbench.execution.partition import partition_suite
    from accelbench.tasks.loading import load_suite

    s = load_suite(file)
    pieces = partition_suite(s, parts)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = [out / f"{Path(file).stem}.part{i + 1}of{parts}.yaml" for i in range(parts)]
    for piece, target in zip(pieces, targets, strict=True):  # all computed before any file is written
        target.write_text(yaml.safe_dump(piece.to_dict(), sort_keys=False))
        minutes = sum(t.estimated_time_minutes for t in piece.tasks)
        click.echo(f"{target}: {len(piece.tasks)} tasks, {minutes:.1f} min estimated")
