"""The committed reference dataset: what it holds, and a model trained on part of it predicting the rest."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from synthetic import HYPER

from accelbench.prediction.dataset import MAX_CI_PERCENT, load_parquet
from accelbench.prediction.encoding import Baseline
from accelbench.prediction.learner import train_target

FILES = sorted((Path(__file__).resolve().parents[2] / "data" / "reference").glob("*.parquet"))
pytestmark = pytest.mark.skipif(not FILES, reason="no reference dataset in data/reference yet")


@pytest.fixture(scope="module")
def reference_rows():
    return load_parquet(FILES)


def test_reference_rows_are_stable_measurements_with_features(reference_rows):
    assert len(reference_rows) >= 100
    for r in reference_rows:
        assert r["latency_median_ms"] > 0 and r["ci_half_width_percent"] <= MAX_CI_PERCENT
        assert r["flops_per_inference"] > 0 and r["parameter_count"] > 0 and r["hardware_fingerprint"]
    assert len({r["model_name"] for r in reference_rows}) >= 5


def test_files_without_operator_counts_get_them_from_the_model_zoo(reference_rows):
    pytest.importorskip("torch")
    from accelbench.models.structure import model_structure

    counts = {(r["model_name"], r["model_size"]): r["operator_calls"] for r in reference_rows}
    for (family, size), calls in counts.items():
        assert calls == model_structure(family, size)["operator_calls"] > 0
    # per-operator overhead differs where FLOPs alone would not say so: t5-tiny makes more calls than bert-tiny
    assert counts[("t5", "tiny")] > 2 * counts[("bert", "tiny")]


def test_held_out_reference_rows_are_predicted_better_than_the_flops_baseline(reference_rows):
    order = np.random.default_rng(0).permutation(len(reference_rows))
    cut = int(0.8 * len(order))
    train = [reference_rows[i] for i in order[:cut]]
    test = [reference_rows[i] for i in order[cut:]]
    model = train_target(train, "latency_ms", hyper=HYPER, kinds=("in_domain",))
    measured = [r["latency_median_ms"] for r in test]
    learned = model.predict(test)
    base = Baseline.fit(train, "latency_ms").predict(test)

    def mape(pred):
        return sum(abs(p - m) / m for p, m in zip(pred, measured, strict=True)) / len(measured)

    assert mape(learned) < mape(base)
    q = model.half_widths["in_domain"]
    covered = sum(p * math.exp(-q) <= m <= p * math.exp(q) for p, m in zip(learned, measured, strict=True))
    assert covered / len(measured) >= 0.75
