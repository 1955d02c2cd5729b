"""Storing results: performance_results rows per second through Store.write_task_result (Arrow path).

Goal (issue 2): >= 100,000 rows/s. Rows carry 20 raw samples each, which are stored too.
Usage: .venv/bin/python bench/bench_storage.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from accelbench.runner.result import LatencyStats, Measurement, TaskResult
from accelbench.storage import Store
from accelbench.tasks import BenchmarkTask, TaskConfig


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples-per-row", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    stats = LatencyStats(1.0, 1.0, 1.1, 1.2, 1.3, 0.1, 0.9, 1.4, 0.02, 1000.0, 1.0)
    lat = list(range(1_000_000, 1_000_000 + args.samples_per_row))
    measurements = [
        Measurement("bert", "tiny", "cpu", "pytorch", "fp32", b, 128, stats=stats, latencies_ns=lat)
        for b in range(1, args.rows + 1)
    ]
    task = BenchmarkTask("bulk", TaskConfig(model="bert"))
    result = TaskResult(
        "bulk", "success", measurements, environment={"cpu_model": "bench", "fingerprint": "b"}
    )
    rates = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "bench.duckdb")
            run_id = store.create_run("bench")
            t0 = time.perf_counter()
            ids = store.write_task_result(run_id, task, result)
            elapsed = time.perf_counter() - t0
            assert len(ids) == args.rows
            rates.append(args.rows / elapsed)
    print(
        f"stored {args.rows:,} performance_results rows (+{args.rows * args.samples_per_row:,} samples) "
        f"per write, {args.repeats} writes to fresh files: median {statistics.median(rates):,.0f} rows/s "
        f"(each: {', '.join(f'{r:,.0f}' for r in rates)}; goal >= 100,000 rows/s)"
    )


if __name__ == "__main__":
    main()
