"""`accelbench schema`: the JSON Schema suite files are validated against."""

from __future__ import annotations

import json

import click


@click.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) that suite files are validated against.

    \b
    Example:
      accelbench schema > suite.schema.json
    """
    from accelbench.tasks.schema import suite_schema

    click.echo(json.dumps(suite_schema(), indent=2))
