"""Closing the loop: match logged predictions to measurements that arrived later, and report accuracy."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from accelbench.prediction.dataset import TARGETS
from accelbench.storage.queries import KEY_COLUMNS

if TYPE_CHECKING:
    from accelbench.storage import Store


def _key(d: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(d.get(k) for k in KEY_COLUMNS)


def verify_predictions(store: Store) -> int:
    """Fill verified/verification_value/prediction_error (signed %, predicted vs measured); returns count.

    A prediction is verified by the earliest successful, non-simulated measurement of the same
    configuration stored at or after the prediction was served.
    """
    pending = store.query(
        "SELECT prediction_id, configuration, target_metric, prediction_date, predicted_value"
        " FROM performance_predictions WHERE NOT coalesce(verified, false)"
        " AND target_metric IS NOT NULL"
    )
    if not pending:
        return 0
    since = min(p["prediction_date"] for p in pending)
    measured = store.query(
        "SELECT result_id, created_at, model_name, model_size, hardware_type, backend, precision, batch_size,"
        " sequence_length, threads, latency_median_ms, throughput_items_per_second, memory_peak_mb,"
        " CASE WHEN coalesce(power_is_estimate, false) THEN NULL ELSE power_watts END AS power_watts"
        " FROM performance_results WHERE status = 'success' AND NOT coalesce(is_simulated, false)"
        " AND created_at >= ? ORDER BY created_at, result_id",
        [since],
    )
    by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for m in measured:
        by_key.setdefault(_key(m), []).append(m)
    updates = []
    for p in pending:
        col = TARGETS.get(p["target_metric"], "")
        later = [
            m
            for m in by_key.get(_key(json.loads(p["configuration"])), [])
            if m["created_at"] >= p["prediction_date"] and col and m.get(col)
        ]
        if later:
            m = later[0]
            error = 100.0 * (p["predicted_value"] - m[col]) / m[col]
            updates.append([m[col], error, m["result_id"], p["prediction_id"]])
    if updates:
        with store.transaction() as con:
            con.executemany(
                "UPDATE performance_predictions SET verified = true, verification_value = ?,"
                " prediction_error = ?, verified_result_id = ?, verified_at = current_timestamp"
                " WHERE prediction_id = ?",
                updates,
            )
    return len(updates)


def accuracy_over_time(store: Store, *, period: str = "day") -> list[dict[str, Any]]:
    """Per period and target: verified count, MAPE %, share within ±10 %, 90 % interval coverage."""
    if period not in ("hour", "day", "week", "month"):
        raise ValueError(f"period must be hour, day, week or month, not {period!r}")
    return store.query(
        f"SELECT CAST(date_trunc('{period}', prediction_date) AS VARCHAR) AS period, target_metric,"
        " count(*) AS verified, avg(abs(prediction_error)) AS mape_percent,"
        " avg(CASE WHEN abs(prediction_error) <= 10 THEN 1.0 ELSE 0.0 END) AS within_10_percent,"
        " avg(CASE WHEN verification_value BETWEEN lower_bound AND upper_bound THEN 1.0 ELSE 0.0 END)"
        " AS interval_coverage, avg(CASE WHEN in_domain THEN 1.0 ELSE 0.0 END) AS in_domain_share"
        " FROM performance_predictions WHERE verified GROUP BY ALL ORDER BY period, target_metric"
    )
