"""The evaluation protocol's splits and metrics, and the learned model against the FLOPs baseline."""

from __future__ import annotations

import pytest
from synthetic import HYPER, make_rows

from accelbench.prediction.evaluation import evaluate_target, format_table, metrics, split_folds


def test_metrics_are_exact_on_known_values():
    m = metrics(
        [100.0, 200.0, 400.0, 800.0],
        [110.0, 180.0, 400.0, 1000.0],
        [90.0, 150.0, 390.0, 900.0],
        [120.0, 190.0, 410.0, 1100.0],
    )
    assert m["mape_percent"] == pytest.approx(100 * (0.1 + 0.1 + 0.0 + 0.25) / 4)
    assert m["within_10_percent"] == 0.75  # 10 % exactly counts as within
    assert m["spearman"] == 1.0
    assert m["interval_coverage"] == 0.5  # 200 and 800 fall outside their intervals


def test_leave_one_hardware_out_needs_three_platforms(rows):
    folds, reason = split_folds(rows, "unseen_hardware")
    assert folds == [] and reason == "data from 1 hardware platform(s); leave-one-hardware-out needs >= 3"
    folds, _ = split_folds(rows, "batch_beyond_range")
    ((train, test),) = folds
    assert {rows[i]["batch_size"] for i in test} == {16} and {rows[i]["batch_size"] for i in train} == {
        1,
        2,
        4,
        8,
    }


def test_learned_model_beats_flops_baseline_on_every_split():
    rows = make_rows(
        families=("bert", "t5", "llama", "vit"),
        platforms=("cpu-a", "cpu-b", "gpu-c"),
        precisions=("fp32",),
        sequence_lengths=(128,),
        backends=("pytorch",),
    )
    report = evaluate_target(rows, "latency_ms", hyper=HYPER)
    for split in ("random", "unseen_family", "unseen_hardware", "batch_beyond_range"):
        assert report[split]["beats_baseline"], (split, report[split])
    assert report["random"]["model"]["mape_percent"] < 10.0  # 48 rows over 3 platforms
    table = format_table({"latency_ms": report})
    assert [r[1] for r in table] == ["random", "unseen_family", "unseen_hardware", "batch_beyond_range"]
