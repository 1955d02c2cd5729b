"""Read queries over stored results: filtered result rows with their verdict, runs."""

from __future__ import annotations

from typing import Any

from accelbench.storage.store import Store

# The columns of performance_results that identify a configuration: what a re-measurement repeats,
# what a comparison pairs, what a prediction is matched to.
KEY_COLUMNS = (
    "model_name",
    "model_size",
    "hardware_type",
    "backend",
    "precision",
    "batch_size",
    "sequence_length",
    "threads",
)

_FILTERS = {
    "model": "r.model_name = ?",
    "size": "r.model_size = ?",
    "hardware": "r.hardware_type = ?",
    "backend": "r.backend = ?",
    "precision": "r.precision = ?",
    "batch_size": "r.batch_size = ?",
    "run": "r.run_id = ?",
    "status": "r.status = ?",
}

_VERDICT_JOIN = """
LEFT JOIN (
    SELECT benchmark_id, is_valid, confidence_score, validation_notes
    FROM benchmark_result_validation
    QUALIFY row_number() OVER (PARTITION BY benchmark_id ORDER BY validation_id DESC) = 1
) v ON v.benchmark_id = r.result_id"""


def fetch_results(store: Store, *, limit: int | None = None, **filters: Any) -> list[dict[str, Any]]:
    """Result rows matching `filters` (model, size, hardware, backend, precision, batch_size, run, status).

    Each row has the performance_results columns plus `verdict` (VALID / INVALID / None when not
    validated) and `verdict_notes`.
    """
    where, params = [], []
    for key, value in filters.items():
        if value is None:
            continue
        if key not in _FILTERS:
            raise ValueError(f"unknown filter {key}")
        where.append(_FILTERS[key])
        params.append(value)
    sql = (
        "SELECT r.*, CASE WHEN v.is_valid IS NULL THEN NULL WHEN v.is_valid THEN 'VALID' ELSE 'INVALID' END"
        " AS verdict, v.confidence_score AS verdict_stability, v.validation_notes AS verdict_notes"
        f" FROM performance_results r {_VERDICT_JOIN}"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY r.result_id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return store.query(sql, params)


def latest_run_id(store: Store) -> int | None:
    """The most recent run that stored results, or None."""
    rows = store.query("SELECT max(run_id) AS run_id FROM performance_results")
    return rows[0]["run_id"] if rows else None


def run_info(store: Store, run_id: int) -> dict[str, Any] | None:
    """The test_runs row of `run_id`."""
    rows = store.query("SELECT * FROM test_runs WHERE run_id = ?", [run_id])
    return rows[0] if rows else None
