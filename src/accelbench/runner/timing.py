"""The timing loop, its adaptive stopping rule, and the latency summary.

Each iteration is timed with `perf_counter_ns` around a call that returns only when the work is
done (the backend synchronises inside it). The stopping rule is distribution-free: the 95 %
confidence interval of the median from order statistics must be within ±`target_ci_percent`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from accelbench.runner.result import LatencyStats

Z95 = 1.959963984540054


@dataclass
class TimingResult:
    """Per-iteration latencies (ns), the wall time of the timed loop (ns) and why it stopped."""

    latencies_ns: list[int]
    wall_ns: int
    stop_reason: str  # converged | max_iterations | max_time
    ci_half_width_percent: float | None


def median_ci_ns(sorted_ns: list[int]) -> tuple[float, float]:
    """95 % CI of the median from order statistics (ranks n/2 ± 1.96·√n/2); needs n >= 6.

    Parameters: sorted_ns, latencies sorted ascending. Returns (low, high) in the same unit.
    """
    n = len(sorted_ns)
    half = Z95 * math.sqrt(n) / 2.0
    lo = max(0, math.floor(n / 2.0 - half) - 1)
    hi = min(n - 1, math.ceil(n / 2.0 + half) - 1)
    return float(sorted_ns[lo]), float(sorted_ns[hi])


def ci_half_width_percent(latencies_ns: list[int]) -> float | None:
    """Half-width of the median's 95 % CI as a percentage of the median (None below 6 samples)."""
    if len(latencies_ns) < 6:
        return None
    ordered = sorted(latencies_ns)
    lo, hi = median_ci_ns(ordered)
    median = _median_sorted(ordered)
    return 100.0 * (hi - lo) / 2.0 / median if median > 0 else None


def time_iterations(
    call: Callable[[], object],
    *,
    max_iterations: int,
    min_iterations: int = 10,
    max_time_s: float = 10.0,
    target_ci_percent: float | None = 2.0,
) -> TimingResult:
    """Call `call` until the median's CI is tight enough, or max iterations or max time is reached."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    append = latencies.append
    max_ns = int(max_time_s * 1e9)
    next_check = max(min_iterations, 6)
    start = clock()
    stop_reason = "max_iterations"
    t1 = start
    for n in range(1, max_iterations + 1):
        t0 = clock()
        call()
        t1 = clock()
        append(t1 - t0)
        if t1 - start >= max_ns and n >= min(min_iterations, max_iterations):
            stop_reason = "max_time"
            break
        if target_ci_percent is not None and n >= next_check:
            # Checked on a geometric schedule so sorting costs O(log n) per iteration amortised.
            next_check = n + max(5, n // 10)
            width = ci_half_width_percent(latencies)
            if width is not None and width <= target_ci_percent:
                stop_reason = "converged"
                break
    return TimingResult(latencies, t1 - start, stop_reason, ci_half_width_percent(latencies))


def _median_sorted(ordered: list[int]) -> float:
    n = len(ordered)
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def summarize(
    latencies_ns: list[int], wall_ns: int, batch_size: int, ci_percent: float | None = None
) -> LatencyStats:
    """Latency summary in ms; throughput = items / wall time of the timed loop (not 1 / mean)."""
    import numpy as np

    arr = np.asarray(latencies_ns, dtype=np.float64) / 1e6
    p90, p95, p99 = np.percentile(arr, [90, 95, 99])
    wall_s = wall_ns / 1e9
    return LatencyStats(
        mean_ms=float(arr.mean()),
        median_ms=float(np.median(arr)),
        p90_ms=float(p90),
        p95_ms=float(p95),
        p99_ms=float(p99),
        std_ms=float(arr.std(ddof=1)) if arr.size > 1 else 0.0,
        min_ms=float(arr.min()),
        max_ms=float(arr.max()),
        total_time_seconds=wall_s,
        throughput_items_per_second=(arr.size * batch_size / wall_s) if wall_s > 0 else 0.0,
        ci_half_width_percent=ci_percent,
    )
