"""The coordinator with the real runner (no probe): tiny BERT on two disjoint CPU sets, measured."""

from __future__ import annotations

from accelbench.execution import run_suite
from accelbench.execution.cpusets import available_cpus
from accelbench.tasks import BenchmarkSuite, BenchmarkTask, TaskConfig


def _task(name: str, batch: int) -> BenchmarkTask:
    config = TaskConfig(
        model="bert",
        size="tiny",
        batch_sizes=[batch],
        iterations=20,
        min_iterations=5,
        warmup_iterations=2,
        max_time_seconds=1.0,
        sequence_length=16,
        timeout_minutes=3,
    )
    return BenchmarkTask(name=name, config=config)


def test_real_tasks_run_pinned_measured_and_stored(store):
    suite = BenchmarkSuite(name="real", tasks=[_task("bs1", 1), _task("bs2", 2)])
    workers = min(2, len(available_cpus()))
    summary = run_suite(suite, store, workers=workers)
    assert summary.exit_code == 0, summary
    rows = store.query(
        "SELECT task_name, status, is_simulated, latency_median_ms, cpu_set, concurrent_tasks,"
        " worker_id FROM performance_results ORDER BY task_name"
    )
    assert [r["task_name"] for r in rows] == ["bs1", "bs2"]
    assert all(
        r["status"] == "success" and not r["is_simulated"] and r["latency_median_ms"] > 0 for r in rows
    )
    assert all(r["cpu_set"] and r["worker_id"].startswith("local:") for r in rows)
    if workers == 2:
        assert {r["cpu_set"] for r in rows} <= {str(c) for c in available_cpus()}
