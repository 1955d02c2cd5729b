"""Dispatch overhead: 10,000 no-op tasks through the local coordinator and through Ray.

Prints the coordinator's overhead per task (goal <= 1 ms locally), Ray's dispatch rate (goal >=
1,000 tasks/s) and the coordinator's memory for a 10,000-task suite. Tasks are NoopProbe: every
stored row is marked is_simulated ("scheduler probe"), nothing here is a benchmark figure.

    python bench/bench_dispatch.py [--tasks 10000] [--skip-ray]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc

from accelbench.execution import run_suite
from accelbench.execution.probes import NoopProbe
from accelbench.storage import Store
from accelbench.tasks import BenchmarkSuite, BenchmarkTask, TaskConfig


def make_suite(n: int) -> BenchmarkSuite:
    """n independent probe tasks with distinct configurations."""
    return BenchmarkSuite(
        name=f"noop-{n}",
        tasks=[BenchmarkTask(name=f"t{i:05d}", config=TaskConfig(model="bert", seed=i)) for i in range(n)],
    )


def rss_mb() -> float:
    """This process's resident memory in MB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def bench_local(n: int, tmp: str) -> None:
    store = Store(os.path.join(tmp, "local.duckdb"))
    store.query("SELECT 1")  # migrate before timing
    rss0 = rss_mb()
    t0 = time.perf_counter()
    summary = run_suite(make_suite(n), store, workers=2, task_fn=NoopProbe(), isolate_cpus=False)
    elapsed = time.perf_counter() - t0
    stored = store.query("SELECT count(*) AS n FROM performance_results")[0]["n"]
    print(
        f"local: {n} no-op tasks in {elapsed:.2f} s -> {1000 * elapsed / n:.3f} ms coordinator overhead per task"
        f" (incl. storing {stored} rows + tracking tables); exit {summary.exit_code}"
    )
    print(f"local: RSS growth over the {n}-task run {rss_mb() - rss0:.1f} MB")
    tracemalloc.start()
    suite = make_suite(n)
    run_suite(
        suite, Store(os.path.join(tmp, "mem.duckdb")), workers=2, task_fn=NoopProbe(), isolate_cpus=False
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"local: coordinator Python memory for a {n}-task suite (suite objects included): "
        f"tracemalloc peak {peak / 2**20:.1f} MB"
    )


def bench_ray(n: int, tmp: str) -> None:
    import ray

    ray.init(num_cpus=8, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        warm = make_suite(200)
        run_suite(
            warm,
            Store(os.path.join(tmp, "warm.duckdb")),
            executor="ray",
            task_fn=NoopProbe(),
            executor_options={"slots_per_unit": 32},
        )
        store = Store(os.path.join(tmp, "ray.duckdb"))
        store.query("SELECT 1")
        t0 = time.perf_counter()
        summary = run_suite(
            make_suite(n), store, executor="ray", task_fn=NoopProbe(), executor_options={"slots_per_unit": 32}
        )
        elapsed = time.perf_counter() - t0
        print(
            f"ray: {n} no-op tasks in {elapsed:.2f} s -> {n / elapsed:,.0f} tasks/s end to end"
            f" (8 logical CPUs x 32 queued per slot, results stored); exit {summary.exit_code}"
        )

        @ray.remote
        def noop() -> None:
            return None

        t0 = time.perf_counter()
        ray.get([noop.remote() for _ in range(n)])
        raw = time.perf_counter() - t0
        print(
            f"ray baseline on this machine now: {n} bare `ray.remote` no-ops in {raw:.2f} s -> {n / raw:,.0f} tasks/s"
        )
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_local:
            bench_local(args.tasks, tmp)
        if not args.skip_ray:
            bench_ray(args.tasks, tmp)


if __name__ == "__main__":
    main()
