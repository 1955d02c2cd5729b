"""Option parsing shared by commands: comma lists, durations, the database option."""

from __future__ import annotations

import re

import click

from accelbench.errors import InputError

db_option = click.option(
    "--db",
    "db",
    default=None,
    metavar="PATH",
    help="DuckDB file (default: $ACCELBENCH_DB or ./accelbench.duckdb).",
)


def split_list(value: str | None) -> list[str]:
    """'a, b,c' -> ['a', 'b', 'c']; None or '' -> []."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def int_list(value: str | None, option: str) -> list[int]:
    """'1,8' -> [1, 8], with an InputError naming `option` for anything not an integer > 0."""
    if value and any(not v.strip() for v in value.split(",")):
        raise InputError(f"{value!r} has an empty item", item="command line", field=option)
    out = []
    for item in split_list(value):
        try:
            n = int(item)
        except ValueError:
            raise InputError(f"{item!r} is not an integer", item="command line", field=option) from None
        if n <= 0:
            raise InputError(f"{n} must be > 0", item="command line", field=option)
        out.append(n)
    return out


def parse_duration_days(value: str, option: str) -> float:
    """'90d' / '12h' / '2w' -> days."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([hdw])\s*", value or "")
    if not match:
        raise InputError(
            f"{value!r} is not a duration like 90d, 12h or 2w", item="command line", field=option
        )
    n, unit = float(match.group(1)), match.group(2)
    return n * {"h": 1 / 24, "d": 1, "w": 7}[unit]
