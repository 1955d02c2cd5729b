"""benchmark_workers rows: the heartbeat a user reads is the worker's own, and a lost worker keeps its last one."""

from __future__ import annotations

from accelbench.execution import tracking
from accelbench.execution.workers import WorkerSpec, cpu_hardware


def _worker(alive: bool, reported_at: float | None) -> WorkerSpec:
    load = {"cpu_percent": 12.0} | ({"time": reported_at} if reported_at is not None else {})
    return WorkerSpec("w1", "host-a", [cpu_hardware()], {"cpu": 2}, node_id="n1", alive=alive, load=load)


def test_heartbeat_is_the_workers_report_and_survives_being_marked_lost(store):
    with store.transaction() as con:
        tracking.upsert_workers(con, [_worker(True, reported_at=1_000_000.0)], now=1_000_009.0)
    with store.transaction() as con:  # later the worker stopped reporting: the coordinator marks it lost
        tracking.upsert_workers(con, [_worker(False, reported_at=1_000_000.0)], now=1_000_060.0)
    (row,) = store.query("SELECT status, last_heartbeat FROM benchmark_workers")
    assert row["status"] == "lost"
    assert row["last_heartbeat"] == tracking.utc(1_000_000.0)  # not the time it was found lost


def test_a_worker_without_its_own_reports_beats_when_the_coordinator_sees_it(store):
    with store.transaction() as con:
        tracking.upsert_workers(con, [_worker(True, reported_at=None)], now=2_000_000.0)
    (row,) = store.query("SELECT status, last_heartbeat FROM benchmark_workers")
    assert row == {"status": "idle", "last_heartbeat": tracking.utc(2_000_000.0)}
