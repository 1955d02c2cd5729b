"""Scale: parallel efficiency of 100 Ray workers and speed-up of 8 local workers, on sleep-bound tasks.

Sleep-bound tasks (SleepProbe, 0.5 s) measure the execution layer, not hardware: Ray's local
cluster is started with num_cpus overridden to the worker count (100 logical CPUs on a 2-core
machine is fine for tasks that sleep), and the local executor runs without CPU isolation for the
same reason. Every stored row is marked is_simulated ("scheduler probe").

    python bench/bench_scale.py [--ray-workers 100] [--local-workers 8] [--sleep 0.5] [--waves 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from accelbench.execution import run_suite
from accelbench.execution.probes import SleepProbe
from accelbench.storage import Store
from accelbench.tasks import BenchmarkSuite, BenchmarkTask, TaskConfig


def make_suite(n: int, name: str) -> BenchmarkSuite:
    """n independent sleep tasks."""
    return BenchmarkSuite(
        name=name,
        tasks=[BenchmarkTask(name=f"t{i:05d}", config=TaskConfig(model="bert", seed=i)) for i in range(n)],
    )


def timed_run(n: int, path: str, **kwargs) -> float:
    """Seconds to run n tasks (store migrated beforehand, so only the run is timed)."""
    store = Store(path)
    store.query("SELECT 1")
    t0 = time.perf_counter()
    summary = run_suite(make_suite(n, os.path.basename(path)), store, **kwargs)
    assert summary.exit_code == 0, summary
    return time.perf_counter() - t0


def bench_ray(workers: int, sleep_s: float, waves: int, tmp: str) -> None:
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        # A first wave that holds every slot at once makes Ray start all its worker processes
        # (start-up cost, ~0.5 s of CPU each), so the timed waves measure dispatch, not process start.
        warm = timed_run(
            workers,
            os.path.join(tmp, "warm.duckdb"),
            executor="ray",
            task_fn=SleepProbe(5.0),
            executor_options={"slots_per_unit": 1},
        )
        print(f"ray: warm-up wave (starts {workers} worker processes) took {warm:.1f} s")
        n = workers * waves
        # Two attempts queued per slot: Ray starts the next one the moment a slot frees.
        elapsed = timed_run(
            n,
            os.path.join(tmp, "ray.duckdb"),
            executor="ray",
            task_fn=SleepProbe(sleep_s),
            executor_options={"slots_per_unit": 2},
        )
        ideal = waves * sleep_s
        print(
            f"ray: {n} tasks of {sleep_s} s on {workers} workers: {elapsed:.2f} s, ideal {ideal:.2f} s"
            f" -> parallel efficiency {ideal / elapsed:.2f}"
        )

        @ray.remote
        def bare_sleep(seconds: float) -> None:
            time.sleep(seconds)

        t0 = time.perf_counter()
        ray.get([bare_sleep.remote(sleep_s) for _ in range(n)])
        bare = time.perf_counter() - t0
        print(
            f"ray baseline on this machine now: the same {n} sleeps as bare ray tasks {bare:.2f} s"
            f" -> efficiency {ideal / bare:.2f}"
        )
    finally:
        ray.shutdown()


def bench_local(workers: int, sleep_s: float, tmp: str) -> None:
    n = workers * 8  # enough waves that the ~0.5 s fixed start-up of a run is amortised
    serial = timed_run(
        n, os.path.join(tmp, "serial.duckdb"), workers=1, isolate_cpus=False, task_fn=SleepProbe(sleep_s)
    )
    parallel = timed_run(
        n,
        os.path.join(tmp, "parallel.duckdb"),
        workers=workers,
        isolate_cpus=False,
        task_fn=SleepProbe(sleep_s),
    )
    print(
        f"local: {n} tasks of {sleep_s} s: 1 worker {serial:.2f} s, {workers} workers {parallel:.2f} s"
        f" -> speed-up {serial / parallel:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ray-workers", type=int, default=100)
    parser.add_argument("--local-workers", type=int, default=8)
    parser.add_argument("--sleep", type=float, default=0.5)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_local(args.local_workers, args.sleep, tmp)
        if not args.skip_ray:
            bench_ray(args.ray_workers, args.sleep, args.waves, tmp)


if __name__ == "__main__":
    main()
