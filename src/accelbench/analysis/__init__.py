"""Statistics, verdicts, self-audits, regression and change-point detection over stored results.

The maths are pure functions on raw latencies; scipy and ruptures are imported only by the
functions that need them (`pip install 'accelbench[analysis]'`).
"""

from accelbench.analysis.early_stopping import estimate_percentile, min_samples_for_percentile
from accelbench.analysis.stats import (
    bootstrap_ci,
    coefficient_of_variation,
    count_outliers,
    modified_z_scores,
)
from accelbench.analysis.verdicts import ValidationPolicy, Verdict, compute_verdict, validate_and_store

__all__ = [
    "ValidationPolicy",
    "Verdict",
    "bootstrap_ci",
    "coefficient_of_variation",
    "compute_verdict",
    "count_outliers",
    "estimate_percentile",
    "min_samples_for_percentile",
    "modified_z_scores",
    "validate_and_store",
]
