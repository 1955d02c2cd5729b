"""Store many tasks' results in one transaction with a handful of statements, not several per task.

Same rows and idempotency as Store.write_task_result (it uses the storage layer's column builder
and id lookups), but one existence check, one id allocation and one Arrow insert per batch, so
10,000 tasks do not make the database the bottleneck.
"""

from __future__ import annotations

from typing import Any


def write_results(con: Any, store: Any, run_id: int, items: list[tuple[Any, Any]]) -> list[int]:
    """Insert the measurements of every (task, TaskResult) in `items` not stored yet; returns new result_ids."""
    return store.insert_results(con, run_id, items)
