"""Time `compare` on a throwaway database of 1,000,000 synthetic results; prints figures.

Rows are generated through Arrow and flagged is_simulated = true with a reason (they test the
analysis, they are not measurements). Each result has 20 raw samples (20 M sample rows) and one
verdict row. 10,000 runs of 100 results over 60 days; the check compares the last run.

    .venv/bin/python bench/bench_compare.py [--results 1000000] [--db /tmp/bench_compare.duckdb]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pyarrow as pa

from accelbench.analysis.baselines import resolve_baseline
from accelbench.analysis.regressions import compare_runs
from accelbench.analysis.synthetic import REASON
from accelbench.storage import Store

PER_RUN = 100
SAMPLES = 20


def build(path: str, results: int) -> None:
    """Write `results` synthetic results (and their samples and verdicts) to a new database at `path`."""
    rng = np.random.default_rng(0)
    runs = results // PER_RUN
    store = Store(path, hold=True)
    with store.connect() as con:
        run_ids = np.arange(1, runs + 1)
        started = (
            np.datetime64("now", "s")
            - np.timedelta64(60 * 86400, "s")
            + (run_ids * (60 * 86400 // runs)).astype("timedelta64[s]")
        )
        con.register(
            "_runs",
            pa.table(
                {"run_id": run_ids, "started_at": started, "git_commit": [f"{i:040x}" for i in run_ids]}
            ),
        )
        con.execute(
            "INSERT INTO test_runs (run_id, test_name, started_at, git_commit, git_branch, status)"
            " SELECT run_id, 'synthetic', started_at, git_commit, 'main', 'completed' FROM _runs"
        )
        ids = np.arange(1, results + 1, dtype=np.int64)
        slot = (ids - 1) % PER_RUN
        models = np.array(["bert", "t5", "vit", "gpt2", "whisper"])
        medians = 5.0 + slot * 0.5
        con.register(
            "_res",
            pa.table(
                {
                    "result_id": ids,
                    "run_id": (ids - 1) // PER_RUN + 1,
                    "model_name": models[slot % 5],
                    "model_size": np.full(results, "tiny"),
                    "hardware_type": np.full(results, "cpu"),
                    "backend": np.array(["pytorch", "onnxruntime"])[(slot // 5) % 2],
                    "precision": np.full(results, "fp32"),
                    "batch_size": (1 + slot // 10).astype(np.int32),
                    "sequence_length": np.full(results, 128, np.int32),
                    "threads": np.full(results, 2, np.int32),
                    "status": np.full(results, "success"),
                    "attempt": np.full(results, 1, np.int32),
                    "latency_median_ms": medians * rng.lognormal(0, 0.03, results),
                    "created_at": started[(ids - 1) // PER_RUN],
                    "is_simulated": np.full(results, True),
                    "simulation_reason": np.full(results, REASON),
                }
            ),
        )
        con.execute("INSERT INTO performance_results BY NAME SELECT * FROM _res")
        con.execute(
            "INSERT INTO benchmark_result_validation (benchmark_id, validation_method, is_valid,"
            " confidence_score) SELECT result_id, 'synthetic', true, 0.9 FROM _res"
        )
        for start in range(0, results, 100_000):
            chunk = ids[start : start + 100_000]
            lat = np.repeat(medians[chunk - 1], SAMPLES) * 1e6 * rng.lognormal(0, 0.03, chunk.size * SAMPLES)
            con.register(
                "_s",
                pa.table(
                    {
                        "result_id": np.repeat(chunk, SAMPLES),
                        "iteration": np.tile(np.arange(SAMPLES, dtype=np.int32), chunk.size),
                        "latency_ns": lat.astype(np.int64),
                    }
                ),
            )
            con.execute("INSERT INTO performance_samples SELECT * FROM _s")
        con.execute("CHECKPOINT")
    store.close()


def main() -> None:
    """Build the database (once) and print compare timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/bench_compare.duckdb")
    args = parser.parse_args()
    if not os.path.exists(args.db):
        t0 = time.perf_counter()
        build(args.db, args.results)
        print(f"built {args.results:,} results in {time.perf_counter() - t0:.1f} s ({args.db})")
    import scipy.stats  # noqa: F401  (imported once here so the timings below are compare's own work)

    store = Store(args.db, read_only=True)
    (last,) = store.query("SELECT max(run_id) AS r FROM performance_results")
    current = int(last["r"])
    for ref in (str(current - 1), f"{current - 50:040x}", "last-7d"):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            baseline = resolve_baseline(store, ref, current_run_id=current)
            report = compare_runs(store, current, baseline, include_simulated=True)
            times.append(time.perf_counter() - t0)
        print(
            f"compare run {current} vs {baseline.description}: {len(report.comparisons)} matches,"
            f" best {min(times) * 1e3:.0f} ms, first {times[0] * 1e3:.0f} ms (open + resolve + match + samples + tests)"
        )


if __name__ == "__main__":
    main()
