"""Versioned schema migrations. Each module `mNNNN_name.py` defines `STATEMENTS: list[str]`.

A database records the versions it has in `schema_migrations`; opening it applies the missing
ones in order, each in its own transaction, so a database from an older version upgrades in place.
Numbers are reserved per area: 0001-0002 core, 0003 execution, 0004 analysis, 0005 ipfs and
simulation, 0006 prediction, 0007 core again (numbers are applied as a set, see store.migrate).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema version: its number, name and SQL statements."""

    version: int
    name: str
    statements: tuple[str, ...]


def all_migrations() -> list[Migration]:
    """Every migration shipped with this package, oldest first."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("m") or not info.name[1:5].isdigit():
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(int(info.name[1:5]), info.name[6:], tuple(module.STATEMENTS)))
    return sorted(found, key=lambda m: m.version)
