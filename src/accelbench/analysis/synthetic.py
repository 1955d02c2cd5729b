"""Synthetic results for testing and benchmarking the analysis itself; always stored as simulated.

Every row written here has is_simulated = true and a simulation_reason, so no synthetic figure
can pass for a measurement; analysis only looks at such rows when asked to (include_simulated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from accelbench.storage import Store

REASON = "synthetic data generated to test accelbench's analysis; not a measurement"
KEY_DEFAULTS = {
    "model_name": "bert",
    "model_size": "tiny",
    "hardware_type": "cpu",
    "backend": "pytorch",
    "device": "cpu",
    "precision": "fp32",
    "batch_size": 1,
    "sequence_length": 128,
    "threads": 2,
}


def lognormal_latencies_ns(rng: np.random.Generator, n: int, median_ms: float, cv: float) -> np.ndarray:
    """`n` latencies (ns, int64) from a log-normal law with the given median (ms) and spread (sigma = cv)."""
    return np.round(median_ms * 1e6 * rng.lognormal(0.0, cv, n)).astype(np.int64)


def insert_synthetic_run(
    store: Store,
    results: Sequence[dict[str, Any]],
    *,
    git_commit: str | None = None,
    git_branch: str | None = None,
    started_at: str | None = None,
    reason: str = REASON,
) -> tuple[int, list[int]]:
    """Store one run of synthetic results; each dict has key fields and `latencies_ns`. Returns (run_id, ids).

    Optional per-result fields: status, attempt, created_at (ISO text), max_abs_error, metrics (JSON text).
    """
    import pyarrow as pa

    with store.transaction() as con:
        (run_id,) = con.execute(
            "INSERT INTO test_runs (test_name, test_type, started_at, git_commit, git_branch, status, metadata)"
            " VALUES ('synthetic', 'synthetic', coalesce(?::TIMESTAMP, current_timestamp::TIMESTAMP), ?, ?,"
            " 'completed', '{\"synthetic\": true}') RETURNING run_id",
            [started_at, git_commit, git_branch],
        ).fetchall()[0]
        ids = [
            i
            for (i,) in con.execute(
                "SELECT nextval('seq_result_id') FROM range(?)", [len(results)]
            ).fetchall()
        ]
        rows = []
        for rid, res in zip(ids, results, strict=True):
            lat = np.asarray(res.get("latencies_ns", []), dtype=np.int64)
            row = {**KEY_DEFAULTS, **{k: v for k, v in res.items() if k != "latencies_ns"}}
            row.update(
                result_id=rid,
                run_id=run_id,
                status=row.get("status", "success"),
                attempt=row.get("attempt", 1),
                latency_median_ms=float(np.median(lat)) / 1e6 if lat.size else None,
                iterations=int(lat.size),
                is_simulated=True,
                simulation_reason=reason,
                created_at=row.get("created_at") or started_at,
            )
            rows.append((row, lat))
        names = sorted({k for row, _ in rows for k in row})
        table = pa.table({k: [row.get(k) for row, _ in rows] for k in names})
        if "created_at" in names:
            table = table.set_column(
                names.index("created_at"),
                "created_at",
                pa.array([row.get("created_at") for row, _ in rows], pa.string()),
            )
        con.register("_syn", table)
        cols = ", ".join(c for c in names if c != "created_at")
        con.execute(
            f"INSERT INTO performance_results ({cols}, created_at) SELECT {cols},"
            " coalesce(created_at::TIMESTAMP, current_timestamp::TIMESTAMP) FROM _syn"
        )
        con.unregister("_syn")
        _insert_samples(con, [(rid, lat) for rid, (_, lat) in zip(ids, rows, strict=True)])
    return int(run_id), ids


def _insert_samples(con: Any, pairs: list[tuple[int, np.ndarray]]) -> None:
    import pyarrow as pa

    pairs = [(rid, lat) for rid, lat in pairs if lat.size]
    if not pairs:
        return
    table = pa.table(
        {
            "result_id": np.concatenate([np.full(lat.size, rid, np.int64) for rid, lat in pairs]),
            "iteration": np.concatenate([np.arange(lat.size, dtype=np.int32) for _, lat in pairs]),
            "latency_ns": np.concatenate([lat for _, lat in pairs]),
        }
    )
    con.register("_syn_samples", table)
    con.execute("INSERT INTO performance_samples SELECT * FROM _syn_samples")
    con.unregister("_syn_samples")
