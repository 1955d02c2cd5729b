"""Where the database lives: `--db`, else $ACCELBENCH_DB, else ./accelbench.duckdb."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "accelbench.duckdb"


def check_parent_dir(
    path: str | os.PathLike[str], *, item: str | None = None, field: str | None = None
) -> None:
    """InputError naming `path` when the file cannot be created there (its directory is missing or
    not writable): checked before any work, not discovered after it."""
    from accelbench.errors import InputError

    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise InputError(f"directory {parent} does not exist", file=str(path), item=item, field=field)
    if not os.access(parent, os.W_OK):
        raise InputError(f"directory {parent} is not writable", file=str(path), item=item, field=field)


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database path a command should use, by the documented precedence."""
    if option:
        return Path(option)
    env = os.environ.get("ACCELBENCH_DB")
    return Path(env) if env else Path(DEFAULT_DB)
