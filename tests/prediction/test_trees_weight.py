"""The trees' weight against the physical model: chosen on held-out families, used as chosen, stored."""

from __future__ import annotations

import math

import pytest
from synthetic import HYPER

from accelbench.prediction.encoding import target_value
from accelbench.prediction.learner import (
    TREES_WEIGHTS,
    calibrate,
    choose_trees_weight,
    family_folds,
    fit_once,
    train_target,
)
from accelbench.prediction.target_model import TargetModel


def _held_out_family_error(rows, target, weight):
    """Mean |log error| of served predictions (model.predict) over folds holding out whole families."""
    errors = []
    for tr, te in family_folds(rows):
        model = fit_once([rows[i] for i in tr], target, {**HYPER, "trees_weight": weight})
        test = [rows[i] for i in te]
        errors += [
            abs(math.log(p / target_value(r, target))) for p, r in zip(model.predict(test), test, strict=True)
        ]
    return sum(errors) / len(errors)


@pytest.mark.parametrize("target", ["latency_ms", "throughput_items_per_second"])
def test_the_chosen_weight_predicts_held_out_families_best(rows, target):
    weight, residuals = choose_trees_weight(rows, target, HYPER)
    assert weight in TREES_WEIGHTS
    chosen = _held_out_family_error(rows, target, weight)
    # what the choice scored is what the served model's own predictions score at that weight
    assert sum(residuals) / len(residuals) == pytest.approx(chosen, rel=1e-9)
    for other in (0.0, 0.5, 1.0):
        assert chosen <= _held_out_family_error(rows, target, other) + 1e-12


def test_training_stores_the_weight_and_calibrates_unseen_families_at_it(rows):
    model = train_target(rows, "latency_ms", hyper=HYPER)
    weight = model.hyper["trees_weight"]
    assert model.trees_weight == weight and f"weighted {weight:.2f}" in model.method(curve=False)
    # the unseen-family width reuses the weight's fold residuals: the same as calibrating afresh
    fresh = calibrate(rows, "latency_ms", {**HYPER, "trees_weight": weight}, kinds=("unseen_family",))
    assert model.half_widths["unseen_family"] == pytest.approx(fresh["unseen_family"])
    # a weight given by the caller is used, not chosen again
    assert train_target(rows, "latency_ms", hyper={**HYPER, "trees_weight": 0.3}).trees_weight == 0.3


def test_memory_has_no_physical_model_and_no_weight(rows):
    assert choose_trees_weight(rows, "memory_peak_mb", HYPER) == (None, None)
    assert "trees_weight" not in train_target(rows, "memory_peak_mb", hyper=HYPER).hyper


def test_a_model_stored_before_the_weight_keeps_its_even_mean(rows):
    model = train_target(rows, "latency_ms", hyper={**HYPER, "trees_weight": 0.9})
    stored = model.to_dict()
    del stored["hyper"]["trees_weight"]
    old = TargetModel.from_dict(stored)
    unseen = [dict(r, model_name="bert") for r in rows if r["model_name"] == "t5"][:4]
    trees, phys = old.unmeasured_parts(unseen)
    assert old.trees_weight == 0.5
    assert old._predict_unmeasured(unseen) == pytest.approx(
        [math.sqrt(t * p) for t, p in zip(trees, phys, strict=True)]
    )
