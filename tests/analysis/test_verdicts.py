"""Verdicts: every reason, audits, storage in benchmark_result_validation, and `accelbench validate`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accelbench.analysis.synthetic import insert_synthetic_run, lognormal_latencies_ns
from accelbench.analysis.verdicts import compute_verdict, stability_score, validate_and_store
from accelbench.cli.main import cli


def steady(n=100, seed=0):
    return lognormal_latencies_ns(np.random.default_rng(seed), n, 10.0, 0.02)


def test_steady_result_is_valid_with_high_stability():
    v = compute_verdict(steady(), max_abs_error=1e-6)
    assert v.is_valid and v.reasons == []
    assert 0.85 < v.stability_score <= 1
    assert v.median_ci_ms[0] < v.median_ms < v.median_ci_ms[1]
    assert v.percentiles_ms["p90"] is not None and v.percentiles_ms["p99"] is None
    assert any("p99 not established" in n for n in v.notes)


def test_every_failed_check_is_a_reason():
    x = np.concatenate([steady(6), [10**9] * 2])  # 8 samples, 2 wild ones
    v = compute_verdict(x, precision="int8", max_abs_error=3.0, attempt=3)
    codes = [r.split(":")[0] for r in v.reasons]
    assert codes == ["insufficient_samples", "high_variance", "too_many_outliers", "accuracy"]
    assert not v.is_valid and v.retest_count == 2
    assert not v.retest_may_help  # an accuracy flag does not go away by measuring again


def test_noise_alone_is_worth_a_retest():
    v = compute_verdict(lognormal_latencies_ns(np.random.default_rng(1), 200, 10.0, 0.3))
    assert not v.is_valid and v.retest_may_help and v.reasons[0].startswith("high_variance")


@pytest.mark.parametrize(("repeated", "flagged"), [(8.9e6, True), (9.1e6, False)])
def test_cache_audit_flags_repeats_over_10_percent_faster(repeated, flagged):
    extra = {"audit_repeated_median_ns": repeated, "audit_distinct_median_ns": 10e6}
    v = compute_verdict(steady(), extra=extra, max_abs_error=0.0)
    assert ("cache_suspected" in v.audit_flags) is flagged and v.is_valid is not flagged


@pytest.mark.parametrize(
    ("precision", "error", "flagged"),
    [
        ("fp32", 5e-4, False),
        ("fp32", 2e-3, True),
        ("fp16", 0.04, False),
        ("bf16", 0.2, True),
        ("int8", 0.4, False),
    ],
)
def test_accuracy_tolerance_per_precision(precision, error, flagged):
    v = compute_verdict(steady(), precision=precision, max_abs_error=error)
    assert ("accuracy" in v.audit_flags) is flagged


def test_stability_score_bounds():
    assert stability_score(0.0, 0.0, 0.1) == 1.0
    assert stability_score(0.1, 0.0, 0.1) == 0.5
    assert stability_score(1.0, 0.5, 0.1) == 0.0


def test_validate_and_store_writes_latest_verdict(store):
    noisy = lognormal_latencies_ns(np.random.default_rng(2), 50, 10.0, 0.4)
    _, ids = insert_synthetic_run(
        store,
        [
            {"latencies_ns": steady(), "max_abs_error": 0.0},
            {"model_name": "t5", "latencies_ns": noisy, "attempt": 2},
            {"model_name": "vit", "status": "failed", "latencies_ns": []},
        ],
    )
    verdicts = validate_and_store(store, ids)
    assert [v.result_id for v in verdicts] == ids[:2]  # the failed row has no samples to judge
    assert all(not v.is_valid and v.reasons[0].startswith("simulated") for v in verdicts)
    rows = store.query("SELECT * FROM result_verdicts ORDER BY result_id")
    assert [r["result_id"] for r in rows] == ids[:2]
    assert rows[1]["retest_count"] == 1 and "high_variance" in rows[1]["verdict_notes"]
    details = json.loads(rows[0]["validation_details"])
    assert details["samples"] == 100 and details["label"] == "INVALID"


def test_validate_cli_judges_latest_run(db_path, store, cli_runner):
    insert_synthetic_run(store, [{"latencies_ns": steady()}])
    store.close()
    result = cli_runner.invoke(cli, ["validate", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 1, result.output  # simulated rows are never VALID
    out = json.loads(result.output)
    assert out[0]["samples"] == 100 and out[0]["reasons"][0].startswith("simulated")


def test_validate_cli_rejects_bad_fraction(db_path, cli_runner):
    result = cli_runner.invoke(cli, ["validate", "--db", str(db_path), "--max-cv", "5"])
    assert result.exit_code == 2 and "--max-cv" in result.output
