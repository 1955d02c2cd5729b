"""Harness overhead and error: a fixed busy-wait timed through accelbench's loop vs a bare loop.

Goal (issue 2): overhead <= 1 µs per iteration and error <= 1 % for 100 µs and 1 ms busy-waits.
Runs are interleaved (bare, runner, bare, runner ...) so machine noise hits both alike.
Usage: .venv/bin/python bench/bench_harness.py [--iterations 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from accelbench.runner.timing import time_iterations


def busy_wait(ns: int):
    clock = time.perf_counter_ns

    def call() -> None:
        end = clock() + ns
        while clock() < end:
            pass

    return call


def bare_loop(call, n: int) -> tuple[list[int], int]:
    clock = time.perf_counter_ns
    lat = []
    start = clock()
    for _ in range(n):
        t0 = clock()
        call()
        lat.append(clock() - t0)
    return lat, clock() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'target':>8} {'bare median':>12} {'runner median':>14} {'error %':>8} {'overhead µs/iter':>17}")
    for target_ns in (100_000, 1_000_000):
        call = busy_wait(target_ns)
        n = args.iterations if target_ns == 100_000 else args.iterations // 4
        bare_med, run_med, overheads = [], [], []
        for _ in range(args.rounds):
            lat, wall_bare = bare_loop(call, n)
            bare_med.append(statistics.median(lat))
            res = time_iterations(
                call, max_iterations=n, min_iterations=n, max_time_s=1e9, target_ci_percent=None
            )
            run_med.append(statistics.median(res.latencies_ns))
            overheads.append((res.wall_ns - wall_bare) / n / 1e3)
        b, r = statistics.median(bare_med), statistics.median(run_med)
        error = abs(r - target_ns) / target_ns * 100
        print(
            f"{target_ns / 1e3:>6.0f}µs {b / 1e3:>10.2f}µs {r / 1e3:>12.2f}µs {error:>8.3f} "
            f"{statistics.median(overheads):>17.3f}"
        )
    print("goal: overhead <= 1 µs per iteration, error <= 1 %")


if __name__ == "__main__":
    main()
