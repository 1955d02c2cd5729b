"""Training data: successful, measured (never simulated) results with their features, from DuckDB or Parquet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accelbench.errors import InputError
from accelbench.prediction.features import (
    CONFIG_COLUMNS,
    HARDWARE_COLUMNS,
    MODEL_COLUMNS,
    fill_structure,
    hardware_columns,
    model_columns,
)

if TYPE_CHECKING:
    from accelbench.storage import Store

# target name -> column holding the measured value
TARGETS = {
    "latency_ms": "latency_median_ms",
    "throughput_items_per_second": "throughput_items_per_second",
    "memory_peak_mb": "memory_peak_mb",
    "power_watts": "power_watts",
}
TARGET_COLUMNS = tuple(TARGETS.values())
PROVENANCE_COLUMNS = ("result_id", "run_id", "created_at")
QUALITY_COLUMNS = ("ci_half_width_percent", "iterations", "stop_reason")
DATASET_COLUMNS = (
    CONFIG_COLUMNS + MODEL_COLUMNS + HARDWARE_COLUMNS + TARGET_COLUMNS + PROVENANCE_COLUMNS + QUALITY_COLUMNS
)
# A measurement whose own 95 % CI is wider than this cannot teach a model to be within ±10 %.
MAX_CI_PERCENT = 10.0

# Power estimated from a model (no RAPL/NVML counter) is not a measurement: it never becomes a target.
_RESULTS_SQL = """
SELECT r.result_id, r.run_id, CAST(r.created_at AS VARCHAR) AS created_at, r.model_name, r.model_size,
       r.hardware_type, r.backend, r.device, r.precision, r.batch_size, r.sequence_length, r.threads,
       r.latency_median_ms, r.throughput_items_per_second, r.memory_peak_mb,
       r.ci_half_width_percent, r.iterations, r.stop_reason,
       CASE WHEN coalesce(r.power_is_estimate, false) THEN NULL ELSE r.power_watts END AS power_watts,
       h.device_name, h.compute_units, h.memory_gb, h.fingerprint AS hardware_fingerprint,
       m.parameters_million
FROM performance_results r
LEFT JOIN hardware_platforms h ON h.hardware_id = r.hardware_id
LEFT JOIN models m ON m.model_id = r.model_id
WHERE r.status = 'success' AND NOT coalesce(r.is_simulated, false) AND r.latency_median_ms > 0
  {where}
ORDER BY r.result_id
"""


def load_from_store(store: Store, *, max_ci_percent: float | None = MAX_CI_PERCENT) -> list[dict[str, Any]]:
    """Measured successful rows of `performance_results` with model and hardware features added.

    Rows whose 95 % CI half-width (percent of the median) is unknown or above `max_ci_percent`
    are left out (None keeps every row): on a busy machine they are noise, not performance.
    """
    where = "AND r.ci_half_width_percent <= ?" if max_ci_percent is not None else ""
    params = [max_ci_percent] if max_ci_percent is not None else []
    raw = store.query(_RESULTS_SQL.format(where=where), params)
    return enrich(raw)


def quality_counts(store: Store, max_ci_percent: float = MAX_CI_PERCENT) -> dict[str, int]:
    """How many successful measured rows pass the CI gate and how many are left out."""
    (row,) = store.query(
        "SELECT count(*) FILTER (WHERE ci_half_width_percent <= ?) AS kept,"
        " count(*) FILTER (WHERE ci_half_width_percent IS NULL OR ci_half_width_percent > ?) AS unstable"
        " FROM performance_results WHERE status = 'success' AND NOT coalesce(is_simulated, false)"
        " AND latency_median_ms > 0",
        [max_ci_percent, max_ci_percent],
    )
    return {"kept": int(row["kept"]), "unstable": int(row["unstable"])}


def enrich(raw: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add MODEL_COLUMNS and HARDWARE_COLUMNS to result rows; spec lookups are cached per platform."""
    spec_cache: dict[Any, dict[str, Any]] = {}
    rows = []
    for r in raw:
        hint = r.get("parameters_million")
        row = {c: r.get(c) for c in DATASET_COLUMNS}
        row["sequence_length"] = row["sequence_length"] or 1
        row.update(
            model_columns(
                r["model_name"],
                r["model_size"],
                int(r["batch_size"]),
                int(row["sequence_length"] or 1),
                r["precision"],
                hint * 1e6 if hint else None,
            )
        )
        key = (
            r.get("hardware_type"),
            r.get("device_name"),
            r.get("compute_units"),
            r.get("memory_gb"),
            r.get("precision"),
        )
        if key not in spec_cache:
            spec_cache[key] = hardware_columns(r, r["precision"])
        row.update(spec_cache[key])
        rows.append(row)
    return rows


def load_parquet(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Rows of one or more exported Parquet datasets (see export_parquet).

    Operator counts missing from a file (exported before they existed) are computed from
    model_name/model_size (features.fill_structure), as they would be for a query.
    """
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for path in paths:
        if not Path(path).exists():
            raise InputError("no such file", file=str(path))
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"not a readable Parquet file: {exc}", file=str(path)) from None
        missing = [
            c
            for c in ("model_name", "model_size", "batch_size", "latency_median_ms")
            if c not in table.column_names
        ]
        if missing:
            raise InputError(
                f"not an accelbench dataset: missing columns {', '.join(missing)}", file=str(path)
            )
        for r in table.to_pylist():
            rows.append({c: r.get(c) for c in DATASET_COLUMNS})
    return fill_structure(rows)


def export_parquet(rows: list[dict[str, Any]], path: str | Path) -> int:
    """Write rows to Parquet with the DATASET_COLUMNS schema; returns the number of rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([{c: r.get(c) for c in DATASET_COLUMNS} for r in rows])
    pq.write_table(table, path)
    return len(rows)


def fingerprint(rows: list[dict[str, Any]]) -> str:
    """sha256 of the configurations and targets, independent of row order (the training-data identity)."""
    keys = CONFIG_COLUMNS + TARGET_COLUMNS
    lines = sorted(json.dumps([r.get(c) for c in keys], default=str) for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def rows_with_target(rows: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
    """Rows whose measured value of `target` is present and positive."""
    col = TARGETS[target]
    return [r for r in rows if r.get(col) is not None and r[col] > 0]


def config_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Identity of a configuration (what a measurement would repeat), without the hardware host."""
    return (
        row["model_name"],
        row["model_size"],
        row["hardware_type"],
        row.get("backend"),
        row["precision"],
        int(row["batch_size"]),
        int(row.get("sequence_length") or 1),
        row.get("threads"),
    )


def hardware_key(row: dict[str, Any]) -> str:
    """Identity of a hardware platform: its fingerprint, else type and device name."""
    return str(row.get("hardware_fingerprint") or f"{row['hardware_type']}:{row.get('device_name')}")
