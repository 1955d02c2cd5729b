"""Per-result statistics on raw latencies: sample count, CV, MAD outliers, bootstrap CIs (pure functions).

Every function takes latencies in any one unit (the callers use nanoseconds) and returns figures
in that same unit unless its name says otherwise; ratios are plain fractions (0.03 = 3 %).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

MIN_SAMPLES = 10
MAD_Z_THRESHOLD = 3.5
# 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a standard deviation.
_MAD_CONSISTENCY = 0.6745
# sqrt(pi/2): mean absolute deviation -> standard deviation for a normal law (used when MAD is 0).
_MEANAD_CONSISTENCY = 1.253314


def has_min_samples(samples: ArrayLike, min_samples: int = MIN_SAMPLES) -> bool:
    """True when there are at least `min_samples` samples."""
    return int(np.size(samples)) >= min_samples


def coefficient_of_variation(samples: ArrayLike) -> float:
    """Sample standard deviation (ddof=1) divided by the mean, as a fraction; nan below 2 samples.

    Parameters: samples, any positive unit. Returns: std/mean (0.05 means 5 %).
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size < 2 or x.mean() == 0:
        return float("nan")
    return float(x.std(ddof=1) / x.mean())


def modified_z_scores(samples: ArrayLike) -> np.ndarray:
    """Iglewicz-Hoaglin modified z-scores: 0.6745 (x - median) / MAD.

    When MAD is 0 (over half the samples equal, common with coarse timers) the mean absolute
    deviation scaled by 1.2533 is used instead; when both are 0 every score is 0.
    Returns an array of the same length as `samples`.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return x
    med = np.median(x)
    dev = x - med
    mad = np.median(np.abs(dev))
    if mad > 0:
        return _MAD_CONSISTENCY * dev / mad
    mean_ad = np.mean(np.abs(dev))
    if mean_ad > 0:
        return dev / (_MEANAD_CONSISTENCY * mean_ad)
    return np.zeros_like(x)


def count_outliers(samples: ArrayLike, threshold: float = MAD_Z_THRESHOLD) -> int:
    """Number of samples whose |modified z-score| exceeds `threshold` (3.5); they are counted, not dropped."""
    return int(np.sum(np.abs(modified_z_scores(samples)) > threshold))


@dataclass(frozen=True)
class ConfidenceInterval:
    """A point estimate with its two-sided confidence interval, in the samples' unit."""

    estimate: float
    low: float
    high: float
    confidence: float

    @property
    def half_width_fraction(self) -> float:
        """Half the interval's width divided by the estimate (0.02 = ±2 %)."""
        return (self.high - self.low) / 2 / self.estimate if self.estimate else float("nan")


def bootstrap_ci(
    samples: ArrayLike,
    statistic: str = "median",
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> ConfidenceInterval:
    """Percentile-bootstrap confidence interval of the median or mean, seeded so it is reproducible.

    Parameters: samples (>= 2 values, any unit); statistic "median" or "mean"; confidence (0.95);
    resamples (2000); seed. Returns: ConfidenceInterval in the samples' unit.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size < 2:
        raise ValueError("bootstrap needs at least 2 samples")
    func: Callable[..., Any] = np.median if statistic == "median" else np.mean
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be median or mean, got {statistic!r}")
    rng = np.random.default_rng(seed)
    # Chunked so 10^5 samples x 2000 resamples never holds more than ~4M indices at once.
    chunk = max(1, min(resamples, 4_000_000 // x.size))
    stats = []
    for start in range(0, resamples, chunk):
        idx = rng.integers(0, x.size, size=(min(chunk, resamples - start), x.size))
        stats.append(func(x[idx], axis=1))
    boot = np.concatenate(stats)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    return ConfidenceInterval(float(func(x)), float(low), float(high), confidence)
