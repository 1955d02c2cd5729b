"""The coordinator on the local executor: order, dependencies, failures, timeouts, retries, tracking.

Tasks are SleepProbe/NoopProbe stand-ins: they test the scheduler, not hardware, and every row
they store is marked is_simulated with a reason.
"""

from __future__ import annotations

import logging
import threading
import time

from exec_helpers import make_suite, make_task, results_per_task, started_order

from accelbench.execution import run_suite, stream_results
from accelbench.execution.probes import PROBE_REASON, NoopProbe, SleepProbe
from accelbench.runner.result import TaskResult


def test_dependencies_run_after_what_they_depend_on(store, tmp_path):
    suite = make_suite(make_task("c", deps=["b"]), make_task("b", deps=["a"]), make_task("a"))
    summary = run_suite(suite, store, workers=2, task_fn=SleepProbe(0.01, marker_dir=str(tmp_path)))
    assert summary.exit_code == 0
    assert started_order(tmp_path) == ["a", "b", "c"]


def test_priority_then_longest_estimate_first(store, tmp_path):
    suite = make_suite(
        make_task("p2-long", priority=2, minutes=9),
        make_task("p1-short", priority=1, minutes=1),
        make_task("p1-long", priority=1, minutes=5),
        make_task("p3", priority=3, minutes=50),
    )
    run_suite(suite, store, workers=1, task_fn=SleepProbe(0.0, marker_dir=str(tmp_path)))
    assert started_order(tmp_path) == ["p1-long", "p1-short", "p2-long", "p3"]


def test_failed_dependency_blocks_its_dependents_with_the_reason(store):
    suite = make_suite(make_task("a"), make_task("b", deps=["a"]), make_task("c", deps=["b"]), make_task("d"))
    summary = run_suite(suite, store, workers=2, task_fn=SleepProbe(0.0, fail={"a": "crashed"}))
    assert summary.exit_code == 1
    assert summary.counts == {"crashed": 1, "blocked": 2, "success": 1}
    rows = {
        r["task_name"]: r
        for r in store.query("SELECT task_name, status, error_message FROM performance_results")
    }
    assert rows["b"]["status"] == "blocked" and "dependency 'a' ended crashed" in rows["b"]["error_message"]
    assert rows["c"]["status"] == "blocked" and "'b'" in rows["c"]["error_message"]


def test_task_no_worker_can_run_is_unschedulable_at_once(store):
    suite = make_suite(
        make_task("big", min_memory_gb=100_000), make_task("small"), make_task("after-big", deps=["big"])
    )
    started = time.monotonic()
    summary = run_suite(suite, store, workers=1, task_fn=SleepProbe(0.0))
    assert time.monotonic() - started < 20
    rows = {
        r["task_name"]: r
        for r in store.query("SELECT task_name, status, error_message FROM performance_results")
    }
    assert rows["big"]["status"] == "unschedulable"
    assert "needs >= 100000 GB memory" in rows["big"]["error_message"]
    assert rows["after-big"]["status"] == "blocked"
    assert summary.counts["success"] == 1


def test_task_past_its_timeout_is_recorded_and_late_result_not_stored(store):
    suite = make_suite(make_task("slow", timeout_minutes=0.005), make_task("fast"))  # 0.3 s limit
    summary = run_suite(
        suite, store, workers=2, task_fn=SleepProbe(0.0, durations_s={"slow": 1.0}), timeout_grace_s=0.1
    )
    rows = store.query("SELECT task_name, status, error_message FROM performance_results ORDER BY task_name")
    time.sleep(1.0)  # the abandoned attempt ends; nothing more may be written
    assert [(r["task_name"], r["status"]) for r in rows] == [("fast", "success"), ("slow", "timeout")]
    assert "timed out" in rows[1]["error_message"]
    assert results_per_task(store, summary.run_id) == {"fast": 1, "slow": 1}


class FlakyOnce:
    """Raises (as a lost worker would) on a task's first attempt, then succeeds."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, task, *, attempt=1, **kwargs) -> TaskResult:
        self.calls.append((task.name, attempt))
        if attempt == 1:
            raise ConnectionError("worker went away")
        return NoopProbe()(task, attempt=attempt, **kwargs)


def test_lost_attempt_is_retried_and_stored_exactly_once(store):
    fn = FlakyOnce()
    summary = run_suite(
        make_suite(make_task("a"), make_task("b")), store, workers=2, task_fn=fn, retry_backoff_s=0.01
    )
    assert summary.exit_code == 0
    assert sorted(fn.calls) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    assert store.query("SELECT task_name, attempt FROM performance_results ORDER BY 1") == [
        {"task_name": "a", "attempt": 2},
        {"task_name": "b", "attempt": 2},
    ]
    lost = store.query("SELECT count(*) AS n FROM worker_task_assignments WHERE status = 'lost'")
    assert lost == [{"n": 2}]


def test_retries_stop_at_max_retries_and_record_the_loss(store):
    def always_lost(task, **kwargs):
        raise ConnectionError("node gone")

    summary = run_suite(
        make_suite(make_task("a")), store, task_fn=always_lost, max_retries=2, retry_backoff_s=0.01
    )
    (row,) = store.query("SELECT status, error_message FROM performance_results")
    assert summary.counts == {"crashed": 1}
    assert row["status"] == "crashed" and "worker lost 3 times" in row["error_message"]


def test_concurrent_tasks_get_disjoint_cpu_sets_and_never_exceed_them(store, caplog):
    seen: list[tuple[int, ...]] = []
    running, peak = [0], [0]
    lock = threading.Lock()

    def recording(task, *, cpu_set=None, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            seen.append(tuple(cpu_set))
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return NoopProbe()(task, cpu_set=cpu_set, **kwargs)

    from accelbench.execution.cpusets import available_cpus

    n_cpus = len(available_cpus())
    with caplog.at_level(logging.WARNING):
        run_suite(
            make_suite(*[make_task(f"t{i}") for i in range(6)]), store, workers=n_cpus + 3, task_fn=recording
        )
    assert peak[0] <= n_cpus
    assert f"only {n_cpus} CPUs" in caplog.text
    assert all(len(s) == 1 for s in seen) and len(set(seen)) == n_cpus
    cpu_sets = {r["cpu_set"] for r in store.query("SELECT cpu_set FROM performance_results")}
    assert cpu_sets == {str(c) for c in available_cpus()}


def test_exclusive_task_runs_alone(store):
    log: list[tuple[str, str, float]] = []

    def recording(task, **kwargs):
        log.append((task.name, "start", time.monotonic()))
        time.sleep(0.1)
        log.append((task.name, "end", time.monotonic()))
        return NoopProbe()(task, **kwargs)

    suite = make_suite(make_task("x", exclusive=True, priority=2), *[make_task(f"t{i}") for i in range(3)])
    run_suite(suite, store, workers=2, task_fn=recording)
    (xs,) = [t for n, e, t in log if n == "x" and e == "start"]
    (xe,) = [t for n, e, t in log if n == "x" and e == "end"]
    others = [(n, e, t) for n, e, t in log if n != "x"]
    assert not any(xs < t < xe for _, _, t in others)


def test_tracking_tables_are_filled(store):
    suite = make_suite(make_task("a"), make_task("b", deps=["a"]), make_task("c"))
    summary = run_suite(suite, store, workers=2, task_fn=SleepProbe(0.0, fail={"c": "failed"}))
    run = store.query("SELECT * FROM distributed_benchmark_runs")[0]
    assert run["completion_percentage"] == 100.0 and run["error_count"] == 1
    assert run["completion_status"] == "failed" and run["git_commit_hash"]
    tasks = store.query("SELECT name, status, assigned_worker_id FROM benchmark_tasks ORDER BY name")
    assert [(t["name"], t["status"]) for t in tasks] == [("a", "success"), ("b", "success"), ("c", "failed")]
    assert store.query("SELECT task_id, depends_on_task_id FROM task_dependencies") == [
        {"task_id": f"{summary.run_id}:b", "depends_on_task_id": f"{summary.run_id}:a"}
    ]
    assert store.query("SELECT count(*) AS n FROM worker_task_assignments") == [{"n": 3}]
    assert store.query("SELECT count(*) AS n FROM hardware_resource_allocations") == [{"n": 3}]
    (worker,) = store.query("SELECT status, total_executed_tasks, last_heartbeat FROM benchmark_workers")
    assert worker["total_executed_tasks"] == 3 and worker["last_heartbeat"] is not None
    (contrib,) = store.query("SELECT benchmark_count FROM worker_benchmark_contributions")
    assert contrib["benchmark_count"] == 3
    reasons = {
        r["simulation_reason"] for r in store.query("SELECT simulation_reason FROM performance_results")
    }
    assert reasons == {PROBE_REASON}


def test_history_drives_the_estimate_and_longest_first(store, tmp_path):
    def task(name: str, seed: int):
        t = make_task(name)
        t.config.seed = seed  # the config (not the name) identifies the history
        return t

    run_suite(
        make_suite(task("x", 1), task("y", 2)),
        store,
        workers=1,
        task_fn=SleepProbe(0.0, durations_s={"x": 0.01, "y": 0.3}),
    )
    marker = tmp_path / "m"
    marker.mkdir()
    # Equal declared estimates and suite order x-first: only history says the y-config takes longer.
    run_suite(
        make_suite(task("xa", 1), task("ya", 2)),
        store,
        workers=1,
        task_fn=SleepProbe(0.0, marker_dir=str(marker)),
    )
    assert started_order(marker) == ["ya", "xa"]


def test_progress_events_and_stream_results(store):
    events = []
    suite = make_suite(*[make_task(f"t{i}") for i in range(4)])
    summary = run_suite(suite, store, workers=2, task_fn=SleepProbe(0.01), progress=events.append)
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("task_started") == 4 and kinds.count("task_finished") == 4
    assert events[-1].done == 4 and events[-1].failed == 0
    rows = []
    assert stream_results(store, summary.run_id, rows.append, poll_interval_s=0.01) == 4
    assert sorted(r["task_name"] for r in rows) == ["t0", "t1", "t2", "t3"]


def test_invalid_verdict_retests_up_to_retest_count_keeping_every_attempt(store, tmp_path):
    # Probe rows are simulated, and simulated rows always get an INVALID verdict: each retest is spent.
    summary = run_suite(
        make_suite(make_task("a")),
        store,
        task_fn=SleepProbe(0.0, marker_dir=str(tmp_path)),
        validate=True,
        retest_count=2,
    )
    assert started_order(tmp_path) == ["a", "a", "a"]
    rows = store.query("SELECT attempt FROM performance_results ORDER BY attempt")
    assert [r["attempt"] for r in rows] == [1, 2, 3]
    verdicts = store.query("SELECT count(*) AS n FROM benchmark_result_validation WHERE NOT is_valid")
    assert verdicts == [{"n": 3}]
    assert summary.counts == {"success": 1}
