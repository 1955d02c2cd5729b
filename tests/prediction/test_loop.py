"""Stored model versions, the prediction log, and verification when the measurement arrives later."""

from __future__ import annotations

import json

import pytest

from accelbench.prediction.dataset import load_from_store, quality_counts
from accelbench.prediction.predictor import Predictor
from accelbench.prediction.query import Query
from accelbench.prediction.registry import list_versions, load_bundle, log_predictions, save_bundle
from accelbench.prediction.verify import accuracy_over_time, verify_predictions
from accelbench.runner.result import LatencyStats, Measurement, TaskResult
from accelbench.tasks import BenchmarkTask, TaskConfig


def _measure(
    store,
    median_ms: float,
    *,
    threads: int = 2,
    simulated: bool = False,
    status: str = "success",
    ci_percent: float = 1.0,
):
    """Store one bert-tiny cpu/pytorch fp32 batch-4 seq-32 measurement through the real write path."""
    ms = median_ms
    stats = LatencyStats(ms, ms, ms, ms, ms, 0.0, ms, ms, 1.0, 4000.0 / ms, ci_percent)
    task = BenchmarkTask(
        "bert-cpu", TaskConfig(model="bert", batch_sizes=[4], sequence_length=32, threads=threads)
    )
    m = Measurement(
        "bert",
        "tiny",
        "cpu",
        "pytorch",
        "fp32",
        4,
        32,
        threads=threads,
        stats=stats,
        status=status,
        memory_peak_mb=300.0,
        is_simulated=simulated,
        simulation_reason="test" if simulated else None,
    )
    run_id = store.create_run("loop")
    store.write_task_result(
        run_id, task, TaskResult("bert-cpu", "success", [m], environment={"cpu_model": "x"})
    )


def test_versions_round_trip_through_the_database(store, bundle):
    ids = save_bundle(store, bundle)
    assert set(ids) == {"latency_ms", "throughput_items_per_second", "memory_peak_mb"}
    loaded = load_bundle(store)
    assert loaded.version == "test-1" and loaded.model_ids == ids
    (v,) = list_versions(store)
    assert v["model_version"] == "test-1" and v["data_fingerprint"] == bundle.data_fingerprint


def test_prediction_is_verified_by_a_later_measurement_of_the_same_configuration(store, bundle):
    save_bundle(store, bundle)
    pred = Predictor(load_bundle(store))
    q = Query("bert", batch_size=4, sequence_length=32, backend="pytorch", threads=2)
    p, other = pred.predict(q), pred.predict(Query("t5", batch_size=2, sequence_length=32, backend="pytorch"))
    assert log_predictions(store, [p, other]) == 2
    assert verify_predictions(store) == 0  # nothing measured yet
    _measure(store, 50.0, threads=1)  # another thread count: not the same configuration
    _measure(store, 50.0, simulated=True)  # simulated: never verifies anything
    assert verify_predictions(store) == 0
    _measure(store, 50.0)
    assert verify_predictions(store) == 1
    (row,) = store.query("SELECT * FROM performance_predictions WHERE verified")
    assert row["verification_value"] == 50.0
    assert row["prediction_error"] == pytest.approx(100 * (p.predicted_value - 50.0) / 50.0, rel=1e-6)
    assert json.loads(row["configuration"])["batch_size"] == 4
    (acc,) = accuracy_over_time(store)
    assert acc["verified"] == 1 and acc["target_metric"] == "latency_ms"
    assert acc["interval_coverage"] == (1.0 if p.lower <= 50.0 <= p.upper else 0.0)


def test_training_rows_are_only_stable_successful_measurements(store):
    _measure(store, 10.0)
    _measure(store, 11.0, simulated=True)
    _measure(store, 12.0, threads=1, status="failed")
    _measure(store, 13.0, threads=4, ci_percent=45.0)  # a busy machine's noise, not performance
    rows = load_from_store(store)
    assert [r["latency_median_ms"] for r in rows] == [10.0]
    assert quality_counts(store) == {"kept": 1, "unstable": 1}
    assert len(load_from_store(store, max_ci_percent=None)) == 2
    assert rows[0]["flops_per_inference"] > 0 and rows[0]["parameter_count"] > 0
