"""A verdict for every stored result: VALID or INVALID with every reason, a stability score in [0, 1].

`compute_verdict` is pure (raw latencies in, Verdict out); `validate_and_store` reads samples from
the Store and writes one benchmark_result_validation row per result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from accelbench.analysis.audits import accuracy_audit, audit_notes, cache_audit
from accelbench.analysis.early_stopping import estimate_percentile
from accelbench.analysis.stats import (
    MAD_Z_THRESHOLD,
    MIN_SAMPLES,
    bootstrap_ci,
    coefficient_of_variation,
    count_outliers,
)

if TYPE_CHECKING:
    from accelbench.storage import Store

VALIDATION_METHOD = "accelbench-stats-v1"
PERCENTILES = (0.90, 0.95, 0.99)


@dataclass(frozen=True)
class ValidationPolicy:
    """Thresholds of a verdict: fewest samples, largest CV and outlier fraction (fractions, not %)."""

    min_samples: int = MIN_SAMPLES
    max_cv: float = 0.10
    max_outlier_fraction: float = 0.10
    mad_z_threshold: float = MAD_Z_THRESHOLD
    bootstrap_resamples: int = 2000
    seed: int = 0


@dataclass
class Verdict:
    """The verdict on one result; latencies in milliseconds, fractions as 0..1."""

    result_id: int | None
    is_valid: bool
    reasons: list[str] = field(default_factory=list)  # why INVALID (empty when VALID)
    notes: list[str] = field(default_factory=list)  # facts that do not invalidate (p99 not established ...)
    stability_score: float = 0.0
    samples: int = 0
    coefficient_of_variation: float | None = None
    outliers: int = 0
    outlier_fraction: float = 0.0
    median_ms: float | None = None
    median_ci_ms: tuple[float, float] | None = None
    mean_ms: float | None = None
    mean_ci_ms: tuple[float, float] | None = None
    percentiles_ms: dict[str, float | None] = field(default_factory=dict)  # None = not established
    percentile_upper_bounds_ms: dict[str, float | None] = field(default_factory=dict)
    audit_flags: list[str] = field(default_factory=list)
    retest_count: int = 0
    retest_may_help: bool = False  # True when only statistical reasons failed (noise, too few samples)

    @property
    def label(self) -> str:
        """'VALID' or 'INVALID'."""
        return "VALID" if self.is_valid else "INVALID"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict (stored as validation_details)."""
        return asdict(self) | {"label": self.label}


def stability_score(cv: float, outlier_fraction: float, max_cv: float) -> float:
    """(1 - min(1, cv / (2 max_cv))) x (1 - outlier_fraction): 1 is perfectly steady, 0.5 at max_cv.

    Parameters: cv and outlier_fraction as fractions; max_cv the policy's limit. Returns [0, 1].
    """
    if not np.isfinite(cv):
        return 0.0
    return float(max(0.0, 1 - min(1.0, cv / (2 * max_cv))) * (1 - min(1.0, outlier_fraction)))


def compute_verdict(
    latencies_ns: ArrayLike,
    *,
    precision: str = "fp32",
    max_abs_error: float | None = None,
    extra: dict[str, Any] | None = None,
    policy: ValidationPolicy | None = None,
    result_id: int | None = None,
    attempt: int = 1,
) -> Verdict:
    """Judge one result from its raw latencies (ns) and self-audit figures; never raises on bad data."""
    policy = policy or ValidationPolicy()
    extra = extra or {}
    x = np.asarray(latencies_ns, dtype=np.float64) / 1e6
    v = Verdict(result_id, is_valid=True, samples=int(x.size), retest_count=max(0, attempt - 1))
    if x.size < policy.min_samples:
        v.reasons.append(f"insufficient_samples: {x.size} < {policy.min_samples}")
    if x.size >= 2:
        _describe(v, x, policy)
    for p in PERCENTILES:
        est = estimate_percentile(x, p)
        key = f"p{p * 100:g}"
        v.percentiles_ms[key] = est.value
        v.percentile_upper_bounds_ms[key] = est.upper_bound
        if est.reason:
            v.notes.append(est.reason)
    statistical = bool(v.reasons)
    for flag in (
        cache_audit(extra.get("audit_repeated_median_ns"), extra.get("audit_distinct_median_ns")),
        accuracy_audit(precision, max_abs_error),
    ):
        if flag:
            v.audit_flags.append(flag.code)
            v.reasons.append(f"{flag.code}: {flag.message}")
    v.notes.extend(audit_notes(precision, max_abs_error, extra))
    v.is_valid = not v.reasons
    v.retest_may_help = statistical and not v.audit_flags
    return v


def _describe(v: Verdict, x: np.ndarray, policy: ValidationPolicy) -> None:
    cv = coefficient_of_variation(x)
    v.coefficient_of_variation = cv
    v.outliers = count_outliers(x, policy.mad_z_threshold)
    v.outlier_fraction = v.outliers / x.size
    med = bootstrap_ci(x, "median", resamples=policy.bootstrap_resamples, seed=policy.seed)
    mean = bootstrap_ci(x, "mean", resamples=policy.bootstrap_resamples, seed=policy.seed)
    v.median_ms, v.median_ci_ms = med.estimate, (med.low, med.high)
    v.mean_ms, v.mean_ci_ms = mean.estimate, (mean.low, mean.high)
    if cv > policy.max_cv:
        v.reasons.append(f"high_variance: CV {cv:.1%} > {policy.max_cv:.0%}")
    if v.outlier_fraction > policy.max_outlier_fraction:
        v.reasons.append(
            f"too_many_outliers: {v.outliers} of {x.size} ({v.outlier_fraction:.1%}) have |modified z| >"
            f" {policy.mad_z_threshold} (limit {policy.max_outlier_fraction:.0%})"
        )
    v.stability_score = stability_score(cv, v.outlier_fraction, policy.max_cv)


def validate_and_store(
    store: Store,
    result_ids: Sequence[int],
    policy: ValidationPolicy | None = None,
    *,
    worker_id: str | None = None,
) -> list[Verdict]:
    """Give each successful, measured result in `result_ids` a verdict and store it; returns the verdicts.

    Results whose status is not `success` have no latencies and get no verdict. Simulated rows get
    an INVALID verdict (not a measurement). Re-validating adds a row; readers take the latest.
    """
    ids = [int(i) for i in result_ids]
    if not ids:
        return []
    with store.connect() as con:
        rows = con.execute(
            "SELECT result_id, precision, max_abs_error, attempt, is_simulated, simulation_reason, metrics"
            " FROM performance_results WHERE list_contains(?, result_id) AND status = 'success'"
            " ORDER BY result_id",
            [ids],
        ).fetchall()
        samples = _load_samples(con, [r[0] for r in rows])
    verdicts = []
    for rid, precision, err, attempt, simulated, sim_reason, metrics in rows:
        extra = (json.loads(metrics) if metrics else {}).get("extra") or {}
        v = compute_verdict(
            samples.get(rid, []),
            precision=precision,
            max_abs_error=err,
            extra=extra,
            policy=policy,
            result_id=rid,
            attempt=attempt or 1,
        )
        if simulated:
            v.is_valid, v.retest_may_help = False, False
            v.reasons.insert(0, f"simulated: not a measurement ({sim_reason or 'no reason given'})")
        verdicts.append(v)
    _store_verdicts(store, verdicts, worker_id)
    return verdicts


def _load_samples(con: Any, result_ids: list[int]) -> dict[int, np.ndarray]:
    if not result_ids:
        return {}
    data = con.execute(
        "SELECT result_id, latency_ns FROM performance_samples WHERE result_id BETWEEN ? AND ?"
        " AND list_contains(?, result_id) ORDER BY result_id, iteration",
        [min(result_ids), max(result_ids), result_ids],
    ).fetchnumpy()
    rid, lat = np.asarray(data["result_id"]), np.asarray(data["latency_ns"])
    if rid.size == 0:
        return {}
    cuts = np.flatnonzero(np.diff(rid)) + 1
    return {
        int(chunk_ids[0]): chunk
        for chunk_ids, chunk in zip(np.split(rid, cuts), np.split(lat, cuts), strict=False)
    }


def _store_verdicts(store: Store, verdicts: list[Verdict], worker_id: str | None) -> None:
    if not verdicts:
        return
    rows = [
        (
            v.result_id,
            VALIDATION_METHOD,
            v.outlier_fraction,
            v.coefficient_of_variation,
            v.is_valid,
            v.stability_score,
            v.retest_count,
            "; ".join(v.reasons + v.notes) or "ok",
            worker_id,
            json.dumps(v.to_dict(), default=float),
        )
        for v in verdicts
    ]
    with store.transaction() as con:
        con.executemany(
            "INSERT INTO benchmark_result_validation (benchmark_id, validation_method, validation_time,"
            " outlier_score, coefficient_of_variation, is_valid, confidence_score, retest_count,"
            " validation_notes, validator_worker_id, validation_details)"
            " VALUES (?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
