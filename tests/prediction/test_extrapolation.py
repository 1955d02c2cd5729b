"""Batch-extrapolation intervals on synthetic data whose error grows with the doublings beyond range."""

from __future__ import annotations

import math

import numpy as np
from synthetic import HYPER, make_rows

from accelbench.prediction.learner import (
    half_width,
    nested_extrapolation_residuals,
    train_target,
)

SIZES = (1, 2, 4, 8, 16, 32, 64)
TRAINED_MAX = 8


def _bent_rows(seed: int) -> list[dict]:
    """Latency times batch**s with s drawn per configuration: extrapolation error grows with log batch."""
    rows = make_rows(seed=seed, batch_sizes=SIZES, families=("bert", "t5", "llama", "vit"))
    rng = np.random.default_rng(seed + 100)
    slope: dict[tuple, float] = {}
    for r in rows:
        key = (r["model_name"], r["backend"], r["precision"], r["sequence_length"])
        s = slope.setdefault(key, float(rng.normal(0.0, 0.08)))
        r["latency_median_ms"] *= r["batch_size"] ** s
    return rows


def test_nested_folds_pair_each_residual_with_its_doublings():
    rows = [r for r in _bent_rows(0) if r["batch_size"] <= TRAINED_MAX]
    pairs = nested_extrapolation_residuals(rows, "latency_ms", HYPER)
    # folds <= 1, <= 2, <= 4: every row above each fold's limit is scored once per fold
    assert len(pairs) == sum(sum(r["batch_size"] > b for r in rows) for b in (1, 2, 4))
    assert {round(d, 6) for d, _ in pairs} == {1.0, 2.0, 3.0}
    assert all(e >= 0 for _, e in pairs)


def test_interval_widens_with_distance_and_covers_at_least_90_percent():
    # Pooling the fold trained on batch 1 alone (no batch curve) makes the width conservative:
    # here it covers every held-out point; on the reference data 93-94 % (docs/prediction.md).
    rows = _bent_rows(1)
    train = [r for r in rows if r["batch_size"] <= TRAINED_MAX]
    model = train_target(train, "latency_ms", hyper=HYPER, kinds=("in_domain", "batch_extrapolation"))
    at2x = [r for r in rows if r["batch_size"] == 2 * TRAINED_MAX]
    at4x = [r for r in rows if r["batch_size"] == 4 * TRAINED_MAX]
    w2 = [half_width(model, "batch_extrapolation", r) for r in at2x]
    w4 = [half_width(model, "batch_extrapolation", r) for r in at4x]
    assert min(w4) > max(w2) > 0
    held = [r for r in rows if r["batch_size"] > TRAINED_MAX]
    preds = model.predict(held)
    hits = [
        abs(math.log(p / r["latency_median_ms"])) <= half_width(model, "batch_extrapolation", r)
        for p, r in zip(preds, held, strict=True)
    ]
    assert sum(hits) / len(hits) >= 0.88, sum(hits) / len(hits)
