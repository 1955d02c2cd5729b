"""A metric's history over runs, and the change points in it found by PELT (the `ruptures` library)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from accelbench.analysis.regressions import KEY_COLUMNS
from accelbench.errors import InputError

if TYPE_CHECKING:
    from accelbench.storage import Store

METRICS = (
    "latency_median_ms",
    "average_latency_ms",
    "latency_p90_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "throughput_items_per_second",
    "memory_peak_mb",
)
PENALTY_FACTOR = 5.0  # 0.3 % false change points on flat 40-run series at 2 % noise (300 seeded trials)


def robust_noise_sigma(values: ArrayLike) -> float:
    """Noise standard deviation estimated from first differences: 1.4826 MAD(diff) / sqrt(2).

    Differences cancel the level, so steps in the series barely affect the estimate.
    """
    d = np.diff(np.asarray(values, dtype=np.float64))
    if d.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2))


def detect_change_points(values: ArrayLike, *, penalty: float | None = None, min_size: int = 2) -> list[int]:
    """Indices where a new level starts, found by PELT on a least-squares (l2) cost.

    Parameters: values in time order (any unit); penalty per change point (default
    5 sigma^2 ln n with sigma from `robust_noise_sigma`); min_size, the fewest points per segment.
    Returns: sorted indices i such that values[i] is the first point after a change.
    """
    from accelbench.errors import require

    rpt = require("ruptures", "analysis")
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n < 2 * min_size:
        return []
    if penalty is None:
        sigma = robust_noise_sigma(x)
        if sigma == 0:  # a flat series (or steps only): any tiny change costs more than it explains
            sigma = max(float(np.std(x)) * 0.1, 1e-12)
        penalty = PENALTY_FACTOR * sigma**2 * math.log(n)
    ends = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(x.reshape(-1, 1)).predict(pen=penalty)
    return [int(e) for e in ends[:-1]]  # ruptures ends every segment, the last at n


@dataclass
class ChangePoint:
    """A change in level: the first run after it, its date and commit, and the levels around it."""

    index: int
    run_id: int
    started_at: Any
    git_commit: str | None
    before: float
    after: float

    @property
    def change(self) -> float:
        """after / before - 1."""
        return self.after / self.before - 1 if self.before else float("nan")


@dataclass
class Series:
    """One matching key's metric over runs, oldest first, with its change points."""

    key: dict[str, Any]
    metric: str
    run_ids: list[int]
    started_at: list[Any]
    git_commits: list[str | None]
    values: list[float]
    change_points: list[ChangePoint] = field(default_factory=list)


def load_history(
    store: Store,
    *,
    metric: str = "latency_median_ms",
    include_simulated: bool = False,
    **filters: Any,
) -> list[Series]:
    """Every key matching `filters` (model, size, hardware, backend, precision, batch_size), one point per run."""
    if metric not in METRICS:
        raise InputError(f"expected one of {', '.join(METRICS)}", item="command line", field="--metric")
    columns = {
        "model": "model_name",
        "size": "model_size",
        "hardware": "hardware_type",
        "backend": "backend",
        "precision": "precision",
        "batch_size": "batch_size",
    }
    where = ["r.status = 'success'", f"r.{metric} IS NOT NULL"]
    params: list[Any] = []
    for name, value in filters.items():
        if value is not None:
            where.append(f"r.{columns[name]} = ?")
            params.append(value)
    if not include_simulated:
        where.append("NOT coalesce(r.is_simulated, false)")
    keys = ", ".join(f"r.{k}" for k in KEY_COLUMNS)
    rows = store.query(
        f"SELECT {keys}, r.run_id, coalesce(t.started_at, r.created_at) AS started_at, t.git_commit,"
        f" r.{metric} AS value FROM performance_results r LEFT JOIN test_runs t USING (run_id)"
        f" WHERE {' AND '.join(where)}"
        f" QUALIFY row_number() OVER (PARTITION BY {keys}, r.run_id ORDER BY r.attempt DESC, r.result_id DESC) = 1"
        f" ORDER BY {keys}, started_at, r.run_id",
        params,
    )
    series: dict[tuple[Any, ...], Series] = {}
    for r in rows:
        k = tuple(r[c] for c in KEY_COLUMNS)
        s = series.setdefault(k, Series({c: r[c] for c in KEY_COLUMNS}, metric, [], [], [], []))
        s.run_ids.append(r["run_id"])
        s.started_at.append(r["started_at"])
        s.git_commits.append(r["git_commit"])
        s.values.append(float(r["value"]))
    for s in series.values():
        s.change_points = locate_changes(s)
    return list(series.values())


def locate_changes(s: Series, *, penalty: float | None = None) -> list[ChangePoint]:
    """Change points of a Series, each dated and attributed to the first run (and commit) after it."""
    cps = detect_change_points(s.values, penalty=penalty)
    bounds = [0, *cps, len(s.values)]
    out = []
    for j, i in enumerate(cps):
        before = float(np.mean(s.values[bounds[j] : i]))
        after = float(np.mean(s.values[i : bounds[j + 2]]))
        out.append(ChangePoint(i, s.run_ids[i], s.started_at[i], s.git_commits[i], before, after))
    return out
