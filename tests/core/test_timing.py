"""The timing loop's stopping rule and the latency summary, on signals with known answers."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from accelbench.runner.memory import PeakMemory
from accelbench.runner.timing import ci_half_width_percent, median_ci_ns, summarize, time_iterations


def busy_wait(ns: int):
    def call() -> None:
        end = time.perf_counter_ns() + ns
        while time.perf_counter_ns() < end:
            pass

    return call


def test_median_ci_uses_documented_order_statistics():
    # n = 100: ranks n/2 ± 1.96·√n/2 = 50 ± 9.8 → 1-based ranks 40 and 60.
    assert median_ci_ns(list(range(100))) == (39.0, 59.0)
    assert ci_half_width_percent([100] * 50) == 0.0
    assert ci_half_width_percent([1, 2, 3]) is None


def test_stable_call_converges_before_the_maximum():
    result = time_iterations(
        busy_wait(200_000), max_iterations=5_000, min_iterations=20, target_ci_percent=2.0
    )
    assert result.stop_reason == "converged"
    assert 20 <= len(result.latencies_ns) < 5_000
    assert result.ci_half_width_percent <= 2.0
    assert np.median(result.latencies_ns) >= 200_000


def test_noisy_call_runs_to_the_maximum_and_reports_its_precision():
    # Alternating 0.1 ms / 0.3 ms: the median's CI never narrows to 0.01 %.
    waits = itertools.cycle([busy_wait(100_000), busy_wait(300_000)])
    result = time_iterations(
        lambda: next(waits)(), max_iterations=60, min_iterations=10, target_ci_percent=0.01
    )
    assert result.stop_reason == "max_iterations" and len(result.latencies_ns) == 60
    assert result.ci_half_width_percent > 0.01


def test_time_limit_stops_the_loop():
    result = time_iterations(
        busy_wait(2_000_000),
        max_iterations=100_000,
        min_iterations=5,
        max_time_s=0.05,
        target_ci_percent=None,
    )
    assert result.stop_reason == "max_time"
    assert 5 <= len(result.latencies_ns) <= 30


def test_summary_statistics_and_throughput_from_wall_time():
    lat = [i * 1_000_000 for i in range(1, 101)]  # 1..100 ms
    stats = summarize(lat, wall_ns=5_000_000_000, batch_size=8)
    assert stats.median_ms == pytest.approx(50.5)
    assert stats.mean_ms == pytest.approx(50.5)
    assert stats.p90_ms == pytest.approx(90.1)
    assert stats.p99_ms == pytest.approx(99.01)
    assert (stats.min_ms, stats.max_ms) == (1.0, 100.0)
    # 100 iterations × 8 items in 5 s of wall time, not 8 / mean.
    assert stats.throughput_items_per_second == pytest.approx(160.0)


def test_peak_memory_sees_a_short_allocation():
    with PeakMemory() as mem:
        block = np.ones(200 * 2**20 // 8)  # 200 MB, touched
        del block
    assert mem.peak_mb is not None and mem.peak_mb > 200
