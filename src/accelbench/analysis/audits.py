"""Self-audits in the spirit of MLPerf's compliance tests: a cache test and an accuracy spot-check.

Each audit returns a flag (a verdict reason) or None. Flags make a result INVALID, and a retest
cannot clear them: the same code measured again would cache or be inaccurate in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

CACHE_SPEEDUP_LIMIT = 0.10

# Largest |output - pytorch fp32 output| accepted per precision, on the model's raw output
# (hidden states or logits of order 1). fp32 allows runtime-to-runtime kernel differences (onnxruntime
# matched torch to ~1e-6 here); fp16 has a 10-bit mantissa, bf16 a 7-bit one, so errors grow
# with depth; int8 dynamic quantization moves outputs by a few tenths on tiny models. Precisions
# without a row (int4, int2) are not checked, and the verdict says so.
ACCURACY_TOLERANCE: dict[str, float] = {
    "fp32": 1e-3,
    "fp16": 5e-2,
    "bf16": 1e-1,
    "int8": 5e-1,
}


@dataclass(frozen=True)
class AuditFlag:
    """One failed self-audit: a short code and a sentence for the user."""

    code: str
    message: str


def cache_audit(
    repeated_median_ns: float | None, distinct_median_ns: float | None, limit: float = CACHE_SPEEDUP_LIMIT
) -> AuditFlag | None:
    """Flag when repeating one input is more than `limit` (10 %) faster than distinct inputs.

    Parameters: medians in nanoseconds of the same model timed on one repeated input and on
    distinct inputs. Returns: an AuditFlag, or None when not flagged or not measured.
    """
    if not repeated_median_ns or not distinct_median_ns:
        return None
    speedup = (distinct_median_ns - repeated_median_ns) / distinct_median_ns
    if speedup > limit:
        return AuditFlag(
            "cache_suspected",
            f"repeated inputs ran {speedup:.1%} faster than distinct inputs (limit {limit:.0%}):"
            " results may be cached",
        )
    return None


def accuracy_audit(precision: str, max_abs_error: float | None) -> AuditFlag | None:
    """Flag when the max absolute error vs pytorch fp32 exceeds the tolerance stated for `precision`."""
    tolerance = ACCURACY_TOLERANCE.get(precision)
    if tolerance is None or max_abs_error is None:
        return None
    if not max_abs_error <= tolerance:  # written so a NaN error is flagged too
        return AuditFlag(
            "accuracy",
            f"max abs error {max_abs_error:.3g} vs pytorch fp32 exceeds the {precision} tolerance {tolerance:g}",
        )
    return None


def audit_notes(precision: str, max_abs_error: float | None, extra: dict) -> list[str]:
    """Plain notes on audits that could not run (no reference, no tolerance, no cache timing)."""
    notes = []
    if precision not in ACCURACY_TOLERANCE:
        notes.append(f"accuracy not checked: no tolerance stated for {precision}")
    elif max_abs_error is None:
        notes.append("accuracy not checked: no fp32 reference output")
    if not extra.get("audit_repeated_median_ns") or not extra.get("audit_distinct_median_ns"):
        notes.append("cache test not run")
    return notes
