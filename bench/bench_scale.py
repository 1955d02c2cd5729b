"""Scale: parallel efficiency of 100 Ray workers and speed-up of 8 local workers, on sleep-bound tasks.

Sleep-bound tasks (SleepProbe, 0.5 s) measure the execution layer, not hardware: Ray's local
cluster is started with num_cpus overridden to the worker count (100 logical CPUs on a 2-core
machine is fine for tasks that sleep), and the local executor runs without CPU isolation for the
same reason. Every stored row is marked is_simulated ("scheduler probe").

Besides end-to-end efficiency it prints where the time goes (from the probes' start times): how
long before the first task starts, how long Ray takes to get every slot busy (wave-0 ramp: worker
leases, the same for bare Ray tasks), and the steady-state period between waves, which is what
the scheduler controls once the cluster is busy.

    python bench/bench_scale.py [--ray-workers 100] [--local-workers 8] [--sleep 0.5] [--waves 10,30] [--skip-local|--skip-ray]
"""

from __future__ import annotations

import argparse
import glob
import os
import tempfile
import time
from pathlib import Path

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


def wave_profile(order_log: str, t0: float, workers: int, sleep_s: float) -> str:
    """Where the time goes: first start, wave-0 ramp (all slots busy), steady-state wave period.

    Reads the start times SleepProbe appended to `order.log` (wall clock, like t0).
    """
    with open(order_log) as fh:
        starts = sorted(float(line.split()[-1]) - t0 for line in fh)
    waves = [starts[i : i + workers] for i in range(0, len(starts), workers)]
    ramp = waves[0][-1] - waves[0][0]
    parts = [f"first task started {starts[0]:.2f} s after the run began", f"wave-0 ramp {ramp:.2f} s"]
    if len(waves) > 2:
        period = (waves[-1][0] - waves[1][0]) / (len(waves) - 2)
        parts.append(f"steady-state wave period {period:.3f} s -> per-wave efficiency {sleep_s / period:.2f}")
    return "; ".join(parts)


def bench_ray(workers: int, sleep_s: float, waves_list: list[int], tmp: str) -> None:
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        # A first wave that holds every slot at once makes Ray start all its worker processes
        # (start-up cost, ~0.5 s of CPU each), so the timed waves measure dispatch, not process start.
        # Each warm-up task sleeps long enough for all of them to be up at once on 2 cores (with
        # 5 s, only 35 of 50 processes were started and the timed run paid for the other 15).
        warm_marker = os.path.join(tmp, "warm-markers")
        os.makedirs(warm_marker)
        warm = timed_run(
            workers,
            os.path.join(tmp, "warm.duckdb"),
            executor="ray",
            task_fn=SleepProbe(max(5.0, 0.4 * workers), marker_dir=warm_marker),
            executor_options={"slots_per_unit": 1},
        )
        started = len({Path(f).read_text() for f in glob.glob(os.path.join(warm_marker, "*.pid"))})
        print(f"ray: warm-up wave took {warm:.1f} s and ran on {started} worker processes (of {workers})")
        for waves in waves_list:
            n = workers * waves
            marker = os.path.join(tmp, f"markers-{waves}")
            os.makedirs(marker)
            t0 = time.time()
            # Two attempts queued per slot: Ray starts the next one the moment a slot frees.
            elapsed = timed_run(
                n,
                os.path.join(tmp, f"ray-{waves}.duckdb"),
                executor="ray",
                task_fn=SleepProbe(sleep_s, marker_dir=marker),
                executor_options={"slots_per_unit": 2},
            )
            ideal = waves * sleep_s
            print(
                f"ray: {n} tasks of {sleep_s} s on {workers} workers: {elapsed:.2f} s, ideal {ideal:.2f} s"
                f" -> parallel efficiency {ideal / elapsed:.2f}"
            )
            print("ray:", wave_profile(os.path.join(marker, "order.log"), t0, workers, sleep_s))

        @ray.remote
        def bare_sleep(seconds: float) -> None:
            time.sleep(seconds)

        n, ideal = workers * waves_list[0], waves_list[0] * sleep_s
        t_bare = time.perf_counter()
        ray.get([bare_sleep.remote(sleep_s) for _ in range(n)])
        bare = time.perf_counter() - t_bare
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
    parser.add_argument(
        "--waves", default="10,30", help="tasks per worker, comma-separated: one timed run each"
    )
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_local:
            bench_local(args.local_workers, args.sleep, tmp)
        if not args.skip_ray:
            bench_ray(args.ray_workers, args.sleep, [int(w) for w in args.waves.split(",")], tmp)


if __name__ == "__main__":
    main()
