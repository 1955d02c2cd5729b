"""The DuckDB store: migrations upgrade in place, exactly-once writes, export and archive."""

from __future__ import annotations

import duckdb
import pytest

from accelbench.runner.result import LatencyStats, Measurement, TaskResult
from accelbench.storage import Store
from accelbench.storage.export import archive_older_than, export_tables
from accelbench.storage.migrations import all_migrations
from accelbench.storage.migrations.m0001_core import STATEMENTS as V1
from accelbench.tasks import BenchmarkTask, TaskConfig

PLAN_TABLES = {
    "hardware_platforms",
    "models",
    "test_runs",
    "performance_results",
    "performance_samples",
    "distributed_benchmark_runs",
    "benchmark_workers",
    "worker_task_assignments",
    "worker_benchmark_contributions",
    "benchmark_tasks",
    "task_dependencies",
    "benchmark_result_validation",
    "hardware_resource_allocations",
    "ipfs_acceleration_metrics",
    "network_topology_simulation",
    "predictive_performance_models",
    "performance_predictions",
    "precision_benchmark_results",
}


def _result(task_name="t", batch_sizes=(1, 8), latencies=(1_000_000, 1_100_000, 900_000)):
    stats = LatencyStats(1.0, 1.0, 1.1, 1.1, 1.1, 0.1, 0.9, 1.1, 0.003, 1000.0, 1.5)
    ms = [
        Measurement(
            "bert",
            "tiny",
            "cpu",
            "pytorch",
            "fp32",
            b,
            128,
            stats=stats,
            latencies_ns=list(latencies),
            iterations=len(latencies),
        )
        for b in batch_sizes
    ]
    return TaskResult(task_name, "success", ms, environment={"cpu_model": "test cpu", "fingerprint": "f"})


def _task(name="t"):
    return BenchmarkTask(name, TaskConfig(model="bert", batch_sizes=[1, 8]))


def test_fresh_database_has_every_plan_table(store):
    assert store.schema_version() == max(m.version for m in all_migrations())
    tables = {r["table_name"] for r in store.query("SELECT table_name FROM information_schema.tables")}
    assert tables >= PLAN_TABLES


def test_version_1_database_upgrades_in_place(db_path):
    con = duckdb.connect(str(db_path))
    for stmt in V1:
        con.execute(stmt)
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)"
    )
    con.execute("INSERT INTO schema_migrations VALUES (1, 'core', now())")
    con.execute(
        "INSERT INTO performance_results (run_id, batch_size, precision, average_latency_ms) "
        "VALUES (1, 4, 'fp32', 12.5)"
    )
    con.close()
    store = Store(db_path)
    assert store.schema_version() == max(m.version for m in all_migrations())
    old = store.query("SELECT batch_size, average_latency_ms, status, is_simulated FROM performance_results")
    assert old == [{"batch_size": 4, "average_latency_ms": 12.5, "status": "success", "is_simulated": False}]
    run_id = store.create_run("after-upgrade")
    assert len(store.write_task_result(run_id, _task(), _result())) == 2


def test_task_results_are_stored_exactly_once_with_samples(store):
    run_id = store.create_run("r")
    first = store.write_task_result(run_id, _task(), _result())
    again = store.write_task_result(run_id, _task(), _result())
    assert len(first) == 2 and again == []
    assert store.query("SELECT count(*) AS n FROM performance_results")[0]["n"] == 2
    samples = store.query(
        "SELECT latency_ns FROM performance_samples WHERE result_id = ? ORDER BY iteration", [first[0]]
    )
    assert [s["latency_ns"] for s in samples] == [1_000_000, 1_100_000, 900_000]
    # A retest is a new attempt and is kept beside the first.
    retest = _result()
    for m in retest.measurements:
        m.attempt = 2
    assert len(store.write_task_result(run_id, _task(), retest)) == 2
    from accelbench.storage.rows import idempotency_key

    keys = {r["idempotency_key"] for r in store.query("SELECT idempotency_key FROM performance_results")}
    assert idempotency_key(run_id, "t", "fp32", 8, 2) in keys and len(keys) == 4
    rows = store.query("SELECT DISTINCT model_id, hardware_id FROM performance_results")
    assert rows == [{"model_id": 1, "hardware_id": 1}]


def test_failed_write_leaves_nothing_half_written(store, monkeypatch):
    run_id = store.create_run("r")
    import accelbench.storage.store as store_module

    def broken(ids, latencies):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "sample_table", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        store.write_task_result(run_id, _task(), _result())
    assert store.query("SELECT count(*) AS n FROM performance_results")[0]["n"] == 0
    assert store.query("SELECT count(*) AS n FROM models")[0]["n"] == 0


def test_reader_waits_for_writer_lock(db_path):
    """Another process can read between the store's short writes (the file is not held open)."""
    import subprocess
    import sys

    store = Store(db_path)
    run_id = store.create_run("r")
    store.write_task_result(run_id, _task(), _result())
    code = (
        "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True);"
        "print(c.execute('select count(*) from performance_results').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "2"


def test_export_and_archive_keep_rows_queryable(store, tmp_path):
    run_id = store.create_run("r")
    store.write_task_result(run_id, _task("old"), _result("old"))
    store.write_task_result(run_id, _task("new"), _result("new", batch_sizes=(2,)))
    store.query(
        "UPDATE performance_results SET created_at = now() - INTERVAL 100 DAY WHERE task_name = 'old'"
    )
    files = export_tables(store, tmp_path / "exp", "parquet")
    assert {f.name for f in files} >= {"performance_results.parquet", "performance_samples.parquet"}
    report = archive_older_than(store, 90, tmp_path / "arch")
    assert (report.results_moved, report.samples_moved) == (2, 6)
    live = store.query("SELECT task_name FROM performance_results")
    assert live == [{"task_name": "new"}]
    everything = store.query(
        "SELECT task_name, count(*) AS n FROM performance_results_all GROUP BY 1 ORDER BY 1"
    )
    assert everything == [{"task_name": "new", "n": 1}, {"task_name": "old", "n": 2}]
    assert store.query("SELECT count(*) AS n FROM performance_samples_all")[0]["n"] == 9
