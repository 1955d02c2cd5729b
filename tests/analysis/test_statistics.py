"""Pure statistics on seeded synthetic samples with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.analysis.early_stopping import estimate_percentile, min_samples_for_percentile
from accelbench.analysis.stats import bootstrap_ci, coefficient_of_variation, count_outliers


@pytest.mark.parametrize(("percentile", "expected"), [(0.90, 64), (0.99, 662)])
def test_early_stopping_minimum_matches_mlperf(percentile, expected):
    assert min_samples_for_percentile(percentile) == expected


def test_early_stopping_needs_more_samples_with_samples_over_the_estimate():
    counts = [min_samples_for_percentile(0.9, k) for k in range(5)]
    assert counts == sorted(counts) and len(set(counts)) == 5


def test_percentile_without_enough_samples_is_not_a_number():
    x = np.random.default_rng(0).lognormal(0, 0.05, 100)
    p99 = estimate_percentile(x, 0.99)
    assert p99.value is None and p99.upper_bound is None
    assert "needs >= 662 samples" in p99.reason and "has 100" in p99.reason
    p90 = estimate_percentile(x, 0.90)
    assert p90.established and p90.value == pytest.approx(np.quantile(x, 0.9))


def test_early_stopping_estimate_bounds_the_true_percentile():
    rng = np.random.default_rng(1)
    true_p90 = np.exp(0.1 * 1.2815515655446004)  # lognormal(0, 0.1) 90th percentile
    misses = sum(
        estimate_percentile(rng.lognormal(0, 0.1, 200), 0.9).upper_bound < true_p90 for _ in range(300)
    )
    assert misses / 300 <= 0.02  # an upper bound at 99 % confidence is below the truth in ~1 % of trials


def test_coefficient_of_variation_exact():
    assert coefficient_of_variation([9.0, 10.0, 11.0]) == pytest.approx(0.1)


def test_outliers_are_counted_exactly():
    x = np.concatenate([np.random.default_rng(2).normal(100, 1, 200), [150, 160, 40]])
    assert count_outliers(x) == 3
    assert len(x) == 203  # counted, not dropped


def test_outliers_when_most_samples_are_equal():
    # MAD is 0 here, so the mean absolute deviation scales the scores: only 50 stands out.
    assert count_outliers([5] * 50 + [6] * 3 + [50]) == 1


def test_bootstrap_ci_of_median_covers_truth_about_95_percent():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(200):
        ci = bootstrap_ci(rng.normal(10.0, 1.0, 60), "median", resamples=400, seed=1)
        covered += ci.low <= 10.0 <= ci.high
    assert 0.88 <= covered / 200 <= 0.99


def test_bootstrap_ci_is_reproducible_and_contains_the_mean():
    x = np.random.default_rng(4).normal(5.0, 0.5, 80)
    a, b = bootstrap_ci(x, "mean", seed=7), bootstrap_ci(x, "mean", seed=7)
    assert a == b and a.low < x.mean() < a.high
