"""MLPerf LoadGen's early-stopping rule: when is a latency percentile established by the samples taken?

The rule is a one-sided binomial test. Let p be the percentile (0.90), n the number of samples and
k the number of samples strictly over an estimate taken from the sorted samples. The estimate
itself is a sample at that latency, so k + 1 samples are at or over it. If the true p-th percentile
were above the estimate, each sample would be at or over it with probability at least 1 - p, and
seeing k + 1 or fewer such samples would have probability BinomCDF(k + 1; n, 1 - p). The estimate
is accepted as an upper bound of the true percentile when that probability is at most 1 - c
(c = 0.99). With k = 0 this gives the minimum sample counts quoted by MLPerf: 64 for p90 and 662 for
p99, derived here rather than written down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CONFIDENCE = 0.99


def binomial_cdf(k: int, n: int, q: float) -> float:
    """P[X <= k] for X ~ Binomial(n, q), summed in log space so large n does not underflow."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    j = np.arange(1, k + 1, dtype=np.float64)
    # log C(n, i) built as a running sum of log((n - j + 1) / j): vectorised, no factorials.
    log_binom = np.concatenate(([0.0], np.cumsum(np.log(n - j + 1) - np.log(j))))
    i = np.arange(k + 1, dtype=np.float64)
    log_pmf = log_binom + i * math.log(q) + (n - i) * math.log1p(-q)
    top = log_pmf.max()
    return float(min(1.0, math.exp(top) * np.exp(log_pmf - top).sum()))


def min_samples_for_percentile(
    percentile: float, overlatency: int = 0, confidence: float = CONFIDENCE
) -> int:
    """Fewest samples n for which an estimate with `overlatency` samples over it passes the test.

    Parameters: percentile in (0, 1), e.g. 0.9; overlatency k >= 0; confidence c (0.99).
    Returns: the smallest n with BinomCDF(k + 1; n, 1 - percentile) <= 1 - c.
    """
    if not 0 < percentile < 1:
        raise ValueError(f"percentile must be in (0, 1), got {percentile}")
    q, alpha = 1 - percentile, 1 - confidence
    lo, hi = overlatency + 2, overlatency + 2
    while binomial_cdf(overlatency + 1, hi, q) > alpha:  # the CDF falls as n grows: bracket, then bisect
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        if binomial_cdf(overlatency + 1, mid, q) <= alpha:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True)
class PercentileEstimate:
    """A percentile of latency: established (value set) or not (value None and a reason)."""

    percentile: float
    samples: int
    min_samples: int
    value: float | None  # the empirical percentile, only when established
    upper_bound: float | None  # early-stopping estimate: an upper bound at `confidence`
    overlatency: int | None  # samples strictly over upper_bound
    reason: str | None  # why not established

    @property
    def established(self) -> bool:
        """True when enough samples were taken for this percentile."""
        return self.value is not None


def estimate_percentile(
    samples: ArrayLike, percentile: float, confidence: float = CONFIDENCE
) -> PercentileEstimate:
    """The percentile with the early-stopping check; not established (value None) with too few samples.

    Parameters: samples (any unit); percentile in (0, 1); confidence (0.99).
    Returns: PercentileEstimate; `upper_bound` is the smallest sorted sample that passes the test
    with the largest allowed number of samples over it, in the samples' unit.
    """
    x = np.sort(np.asarray(samples, dtype=np.float64))
    n = int(x.size)
    need = min_samples_for_percentile(percentile, 0, confidence)
    label = f"p{percentile * 100:g}"
    if n < need:
        reason = f"{label} not established: needs >= {need} samples at {confidence:.0%} confidence, has {n}"
        return PercentileEstimate(percentile, n, need, None, None, None, reason)
    k_lo, k_hi = 0, n - 2  # largest k whose minimum sample count is still <= n
    while k_lo < k_hi:
        mid = (k_lo + k_hi + 1) // 2
        if min_samples_for_percentile(percentile, mid, confidence) <= n:
            k_lo = mid
        else:
            k_hi = mid - 1
    upper = float(x[n - 1 - k_lo])
    return PercentileEstimate(percentile, n, need, float(np.quantile(x, percentile)), upper, k_lo, None)
