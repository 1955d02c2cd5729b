"""Learned models on seeded synthetic data: accuracy, calibrated intervals, honest out-of-domain answers."""

from __future__ import annotations

import math

import pytest
from synthetic import HYPER, TEST_FAMILIES, make_rows

from accelbench.errors import InputError
from accelbench.prediction.bundle import ModelBundle, train_bundle
from accelbench.prediction.learner import InsufficientDataError, conformal_quantile
from accelbench.prediction.predictor import Predictor, confidence_from
from accelbench.prediction.query import Query


def test_conformal_quantile_is_the_ceil_n_plus_1_rank():
    residuals = [float(i) for i in range(1, 20)]  # n = 19: rank ceil(20 * 0.9) = 18
    assert conformal_quantile(residuals, 0.9) == 18.0
    assert conformal_quantile([1.0, 2.0], 0.9) is None  # too few rows to promise 90 %


def test_confidence_falls_with_width_and_with_each_out_of_domain_reason():
    assert confidence_from(math.log(1.10), []) == 0.5
    assert confidence_from(math.log(1.10), ["unseen_family"]) == 0.35
    assert confidence_from(None, []) == 0.0


def test_intervals_cover_about_90_percent_of_fresh_measurements(predictor):
    fresh = make_rows(seed=1, families=TEST_FAMILIES, precisions=("fp32",))  # same configs, new noise
    preds = predictor.predict_rows(fresh, "latency_ms")
    hits = [p.lower <= r["latency_median_ms"] <= p.upper for p, r in zip(preds, fresh, strict=True)]
    assert 0.80 <= sum(hits) / len(hits) <= 1.0
    errors = [abs(p.predicted_value / r["latency_median_ms"] - 1) for p, r in zip(preds, fresh, strict=True)]
    assert sum(errors) / len(errors) < 0.05


def test_unseen_family_gets_lower_confidence_and_says_why(rows):
    train = [r for r in rows if r["model_name"] != "t5"]
    held = [r for r in rows if r["model_name"] == "t5"]
    pred = Predictor(train_bundle(train, hyper=HYPER, targets=("latency_ms",)))
    out, inside = pred.predict_rows(held), pred.predict_rows(train[:5])
    assert all(p.out_of_domain == ["unseen_family"] and not p.in_domain for p in out)
    assert max(p.confidence_score for p in out) < min(p.confidence_score for p in inside)
    assert "unseen_family" in out[0].method


def test_batch_beyond_trained_range_is_flagged_and_scales_with_work(predictor):
    inside = predictor.predict(Query("bert", batch_size=16, sequence_length=32, backend="pytorch"))
    beyond = predictor.predict(Query("bert", batch_size=64, sequence_length=32, backend="pytorch"))
    assert inside.in_domain and beyond.out_of_domain == ["batch_beyond_range"]
    assert beyond.confidence_score < inside.confidence_score
    # never narrower: the widest of the in-domain and batch-extrapolation half-widths applies
    assert beyond.upper / beyond.lower >= inside.upper / inside.lower * (1 - 1e-9)
    assert 2.0 < beyond.predicted_value / inside.predicted_value < 6.0  # 4x the FLOPs: not flat


def test_every_prediction_says_how_it_was_obtained(predictor):
    p = predictor.predict(Query("llama", batch_size=4, sequence_length=128, backend="onnxruntime"))
    assert p.model_version == "test-1" and "batch curve" in p.method and "in_domain" in p.method
    unmeasured = predictor.predict(Query("llama", batch_size=4, sequence_length=64, backend="onnxruntime"))
    assert "LightGBM" in unmeasured.method and "batch curve" not in unmeasured.method
    thr = predictor.predict(Query("llama", batch_size=4, sequence_length=128), "throughput_items_per_second")
    assert thr.method.startswith("throughput_items_per_second from the latency_ms model")
    assert p.nearest_measured[0]["model_name"] == "llama" and p.nearest_measured[0]["batch_size"] == 4
    assert p.nearest_measured[0]["measured_value"] > 0


def test_unknown_inputs_and_missing_data_are_named_errors(predictor):
    with pytest.raises(InputError, match="unknown model family 'gpt9'"):
        predictor.predict(Query("gpt9"))
    with pytest.raises(
        InsufficientDataError, match=r"no measurements on cuda and the models were trained on 1 platform\(s\)"
    ):
        predictor.predict(Query("bert", hardware_type="cuda"))
    with pytest.raises(InsufficientDataError, match="no measurements with precision 'int8'"):
        predictor.predict(Query("bert", precision="int8"))
    with pytest.raises(InsufficientDataError, match="no model for power_watts: 0 measured rows"):
        predictor.predict(Query("bert"), "power_watts")


def test_too_little_data_to_train_says_how_much_is_needed(rows):
    with pytest.raises(InsufficientDataError, match=r"19 measured rows \(need 20\)"):
        train_bundle(rows[:19], hyper=HYPER)


def test_bundle_survives_serialisation_with_identical_predictions(bundle, predictor):
    again = Predictor(ModelBundle.from_blobs({i: bundle.blob(t) for i, t in enumerate(bundle.models)}))
    q = Query("vit", batch_size=8, backend="pytorch")
    assert again.predict(q).predicted_value == predictor.predict(q).predicted_value
    unseen = make_rows(families=("qwen2",), precisions=("fp32",))[:3]  # trees + physical model, no curve
    for target in ("latency_ms", "throughput_items_per_second", "memory_peak_mb"):
        before = [p.predicted_value for p in predictor.predict_rows(unseen, target)]
        assert [p.predicted_value for p in again.predict_rows(unseen, target)] == before
    assert again.bundle.data_fingerprint == bundle.data_fingerprint


def test_unseen_hardware_uses_spec_peaks_when_three_platforms_were_measured():
    rows = make_rows(
        families=("bert", "t5", "llama"),
        platforms=("cpu-a", "cpu-b", "gpu-c"),
        precisions=("fp32",),
        sequence_lengths=(32,),
    )
    pred = Predictor(train_bundle(rows, hyper=HYPER, targets=("latency_ms",)))
    p = pred.predict(
        Query("bert", hardware_type="cuda", device_name="H100", sequence_length=32, backend="pytorch")
    )
    assert "unseen_hardware" in p.out_of_domain and p.confidence_score < 0.5


def test_suggestions_spread_over_configurations(predictor):
    from accelbench.prediction.suggest import _configuration, suggest

    picks = suggest(predictor, 6)
    assert len(picks) == 6
    configurations = [_configuration(p["query"]) for p in picks]
    # six batch sizes of one configuration would teach little; a pick discounts its siblings
    assert len(set(configurations)) >= 3
    assert [p["score"] for p in picks] == sorted((p["score"] for p in picks), reverse=True)
    for p in picks:
        repeats = configurations[: picks.index(p)].count(_configuration(p["query"]))
        assert p["score"] == pytest.approx(p["uncertainty_score"] * 0.5**repeats)
