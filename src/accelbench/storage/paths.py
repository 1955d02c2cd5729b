"""Where the database lives: `--db`, else $ACCELBENCH_DB, else ./accelbench.duckdb."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "accelbench.duckdb"


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database path a command should use, by the documented precedence."""
    if option:
        return Path(option)
    env = os.environ.get("ACCELBENCH_DB")
    return Path(env) if env else Path(DEFAULT_DB)
