"""Nearest measured configurations over arrays give exactly what the distance function ranks first."""

from __future__ import annotations

import itertools

from accelbench.prediction.dataset import TARGETS
from accelbench.prediction.predictor import config_distance


def _by_loop(measured, resolved, column, k):
    rows = [m for m in measured if m.get(column) is not None]
    return sorted(rows, key=lambda m: config_distance(m, resolved))[:k]


def test_the_array_index_ranks_as_the_distance_function_ties_included(predictor):
    measured = predictor.bundle.measured
    queries = [
        dict(m, batch_size=b, threads=t, sequence_length=s)
        for m, b, t, s in itertools.product(measured[::17], (1, 3, 64), (None, 1, 2), (None, 32, 100))
    ]
    queries += [
        dict(measured[0], model_name="qwen2"),
        dict(measured[5], backend="openvino", precision="int8"),
    ]
    for target in ("latency_ms", "memory_peak_mb"):
        column = TARGETS[target]
        for q in queries:
            got = predictor.nearest_measured(q, target, k=5)
            want = _by_loop(measured, q, column, 5)
            assert [g["result_id"] for g in got] == [w["result_id"] for w in want]
            assert [g["measured_value"] for g in got] == [w[column] for w in want]
            assert got[0].keys() >= {"model_name", "batch_size", "threads", "measured_value"}
    assert predictor.nearest_measured(queries[0], "latency_ms", k=0) == []
