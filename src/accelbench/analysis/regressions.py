"""Regression detection between a run and a baseline: SQL matching, Mann-Whitney U, minimum effect size.

A match is a current result and the baseline result(s) with the same model, size, hardware,
backend, precision, batch size, sequence length and threads. Per match:

    change = median(current samples) / median(baseline samples) - 1   (latency: > 0 is slower)

It is a regression when the two-sided Mann-Whitney U p-value is below `alpha` (0.05) AND
change >= threshold (0.05); an improvement when p < alpha and change <= -threshold. The effect
size guard matters: raw samples of two runs differ by run-to-run drift the test does not model,
so significance alone would flag tiny shifts. Severity by |change|: minor below 10 %, major
10-25 %, critical >= 25 %. A current result that failed where the baseline succeeded is
`failed`, severity critical.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.analysis.baselines import Baseline
from accelbench.storage.queries import KEY_COLUMNS

if TYPE_CHECKING:
    from accelbench.storage import Store

SEVERITIES = ("minor", "major", "critical")
MAJOR_CHANGE = 0.10
CRITICAL_CHANGE = 0.25
WINDOW_RESULTS_PER_KEY = 5


def severity_of(change: float) -> str:
    """'minor' (< 10 %), 'major' (10-25 %) or 'critical' (>= 25 %) for a relative change |change|."""
    size = abs(change)
    if size >= CRITICAL_CHANGE:
        return "critical"
    return "major" if size >= MAJOR_CHANGE else "minor"


def classify_change(
    current: np.ndarray, baseline: np.ndarray, *, threshold: float = 0.05, alpha: float = 0.05
) -> tuple[str, float, float | None]:
    """Compare two latency samples: returns (status, change, p_value).

    Parameters: current and baseline latencies (same unit, >= 2 each); threshold and alpha as
    fractions. Returns: status in regression | improvement | unchanged; change = median ratio - 1;
    the two-sided Mann-Whitney U p-value.
    """
    from accelbench.errors import require

    stats = require("scipy.stats", "analysis")
    change = float(np.median(current) / np.median(baseline) - 1)
    p_value = float(stats.mannwhitneyu(current, baseline, alternative="two-sided").pvalue)
    if p_value < alpha and change >= threshold:
        return "regression", change, p_value
    if p_value < alpha and change <= -threshold:
        return "improvement", change, p_value
    return "unchanged", change, p_value


@dataclass
class Comparison:
    """One matched result: medians in ms, change as a fraction, status and severity."""

    key: dict[str, Any]
    status: str  # regression | improvement | unchanged | insufficient_data | failed
    severity: str | None
    change: float | None
    p_value: float | None
    current_result_id: int
    baseline_result_ids: list[int]
    current_median_ms: float | None
    baseline_median_ms: float | None
    current_samples: int
    baseline_samples: int
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """model-size hardware/backend precision bs seq threads, for tables."""
        k = self.key
        return (
            f"{k['model_name']}-{k['model_size']} {k['hardware_type']}/{k['backend']} {k['precision']}"
            f" bs{k['batch_size']} seq{k['sequence_length']} t{k['threads']}"
        )


@dataclass
class CompareReport:
    """Everything `compare` found; `regressions` are at any severity."""

    current_run_id: int
    baseline: str
    threshold: float
    alpha: float
    comparisons: list[Comparison]
    unmatched_result_ids: list[int]
    elapsed_s: float = 0.0

    @property
    def regressions(self) -> list[Comparison]:
        """Comparisons that got slower or broke."""
        return [c for c in self.comparisons if c.status in ("regression", "failed")]

    @property
    def improvements(self) -> list[Comparison]:
        """Comparisons that got faster."""
        return [c for c in self.comparisons if c.status == "improvement"]

    def fails(self, fail_on: str) -> bool:
        """True when a regression at or above severity `fail_on` exists ('never' never fails)."""
        if fail_on == "never":
            return False
        floor = SEVERITIES.index(fail_on)
        return any(SEVERITIES.index(c.severity or "minor") >= floor for c in self.regressions)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self) | {
            "regression_count": len(self.regressions),
            "improvement_count": len(self.improvements),
        }


def compare_runs(
    store: Store,
    current_run_id: int,
    baseline: Baseline,
    *,
    threshold: float = 0.05,
    alpha: float = 0.05,
    include_simulated: bool = False,
) -> CompareReport:
    """Match `current_run_id` against `baseline` in SQL, load samples of matched rows only, test each."""
    t0 = time.perf_counter()
    with store.connect() as con:
        matches = _match(con, current_run_id, baseline, include_simulated)
        unmatched = [
            r[0]
            for r in con.execute(
                "SELECT result_id FROM _cur WHERE result_id NOT IN (SELECT cur_id FROM _base) ORDER BY 1"
            ).fetchall()
        ]
        samples = _load_samples(con, [m["result_id"] for m in matches])
        samples.update(_load_samples(con, sorted({b for m in matches for b in m["base_ids"]})))
    comparisons = [_compare_one(m, samples, threshold, alpha) for m in matches]
    comparisons.sort(key=lambda c: -(abs(c.change) if c.change is not None else 0))
    return CompareReport(
        current_run_id,
        baseline.description,
        threshold,
        alpha,
        comparisons,
        unmatched,
        time.perf_counter() - t0,
    )


def _match(con: Any, run_id: int, baseline: Baseline, include_simulated: bool) -> list[dict[str, Any]]:
    keys = ", ".join(f"r.{k}" for k in KEY_COLUMNS)
    join = " AND ".join(f"b.{k} IS NOT DISTINCT FROM c.{k}" for k in KEY_COLUMNS)
    sim = "" if include_simulated else " AND NOT coalesce(r.is_simulated, false)"
    # Prefer, per key, a successful and VALID result of the latest attempt: retests keep all attempts.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _cur AS SELECT r.result_id, r.status, r.attempt, {keys},"
        " r.latency_median_ms FROM performance_results r"
        f" LEFT JOIN {_verdicts('r.run_id = ?')} v ON v.id = r.result_id"
        f" WHERE r.run_id = ?{sim}"
        f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY r.status = 'success' DESC,"
        " coalesce(v.ok, true) DESC, r.attempt DESC, r.result_id DESC) = 1",
        [run_id, run_id],
    )
    if baseline.kind == "run":
        where, params, per_key = "r.run_id = ?", [baseline.run_id], 1
    else:
        where = "r.run_id <> ? AND r.created_at >= now()::TIMESTAMP - to_microseconds(?)"
        params, per_key = [run_id, int((baseline.window_hours or 0) * 3.6e9)], WINDOW_RESULTS_PER_KEY
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _base AS SELECT c.result_id AS cur_id, r.result_id, r.run_id,"
        " r.attempt, r.latency_median_ms FROM _cur c JOIN performance_results r"
        f" ON {join.replace('b.', 'r.')} WHERE {where} AND r.status = 'success'{sim}"
        " QUALIFY row_number() OVER (PARTITION BY c.result_id ORDER BY r.run_id DESC, r.attempt DESC,"
        f" r.result_id DESC) <= {int(per_key)}",
        params,
    )
    rows = con.execute(
        "SELECT c.*, list(b.result_id ORDER BY b.result_id) AS base_ids, cv.ok AS cur_valid,"
        " bool_and(coalesce(bv.ok, true)) AS base_valid"
        " FROM _cur c JOIN _base b ON b.cur_id = c.result_id"
        " LEFT JOIN (SELECT benchmark_id AS id, arg_max(is_valid, validation_id) AS ok"
        "   FROM benchmark_result_validation WHERE benchmark_id IN (SELECT result_id FROM _cur) GROUP BY 1)"
        " cv ON cv.id = c.result_id"
        " LEFT JOIN (SELECT benchmark_id AS id, arg_max(is_valid, validation_id) AS ok"
        "   FROM benchmark_result_validation WHERE benchmark_id IN (SELECT result_id FROM _base) GROUP BY 1)"
        " bv ON bv.id = b.result_id"
        " GROUP BY ALL ORDER BY c.result_id"
    )
    names = [d[0] for d in rows.description]
    return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]


def _verdicts(run_filter: str) -> str:
    return (
        "(SELECT benchmark_id AS id, arg_max(is_valid, validation_id) AS ok FROM benchmark_result_validation"
        f" WHERE benchmark_id IN (SELECT result_id FROM performance_results r WHERE {run_filter}) GROUP BY 1)"
    )


def _load_samples(con: Any, result_ids: list[int]) -> dict[int, np.ndarray]:
    if not result_ids:
        return {}
    import pyarrow as pa

    ids = pa.table({"result_id": pa.array(result_ids, pa.int64())})
    con.register("_wanted", ids)
    try:
        # The BETWEEN lets DuckDB skip row groups by their min/max before the semi-join.
        data = con.execute(
            "SELECT s.result_id, s.latency_ns FROM performance_samples s"
            " WHERE s.result_id BETWEEN ? AND ? AND s.result_id IN (SELECT result_id FROM _wanted)"
            " ORDER BY s.result_id",
            [min(result_ids), max(result_ids)],
        ).fetchnumpy()
    finally:
        con.unregister("_wanted")
    rid, lat = np.asarray(data["result_id"]), np.asarray(data["latency_ns"], dtype=np.float64)
    if rid.size == 0:
        return {}
    cuts = np.flatnonzero(np.diff(rid)) + 1
    return {int(r[0]): s for r, s in zip(np.split(rid, cuts), np.split(lat, cuts), strict=True)}


def _compare_one(
    m: dict[str, Any], samples: dict[int, np.ndarray], threshold: float, alpha: float
) -> Comparison:
    cur = samples.get(m["result_id"], np.empty(0))
    base_parts = [samples[b] for b in m["base_ids"] if b in samples]
    base = np.concatenate(base_parts) if base_parts else np.empty(0)
    c = Comparison(
        key={k: m[k] for k in KEY_COLUMNS},
        status="insufficient_data",
        severity=None,
        change=None,
        p_value=None,
        current_result_id=int(m["result_id"]),
        baseline_result_ids=[int(b) for b in m["base_ids"]],
        current_median_ms=float(np.median(cur)) / 1e6 if cur.size else None,
        baseline_median_ms=float(np.median(base)) / 1e6 if base.size else None,
        current_samples=int(cur.size),
        baseline_samples=int(base.size),
    )
    if m["status"] != "success":
        c.status, c.severity = "failed", "critical"
        c.notes.append(f"current result is '{m['status']}' where the baseline succeeded")
        return c
    if cur.size < 2 or base.size < 2:
        c.notes.append("fewer than 2 raw samples on a side: not tested")
        return c
    c.status, c.change, c.p_value = classify_change(cur, base, threshold=threshold, alpha=alpha)
    if c.status != "unchanged":
        c.severity = severity_of(c.change)
    if m.get("cur_valid") is False:
        c.notes.append("current result has an INVALID verdict")
    if m.get("base_valid") is False:
        c.notes.append("a baseline result has an INVALID verdict")
    return c
