"""Cross-platform correlation: do two platforms rank models' latencies the same way?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.storage import Store

_PAIR_KEY = ("model_name", "model_size", "precision", "batch_size", "sequence_length")


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation of median latencies between two platforms over matched configs."""

    platform_a: str
    platform_b: str
    pairs: int
    rho: float | None  # None with fewer than 3 pairs or a constant side
    p_value: float | None
    labels: list[str]


def spearman(a: list[float], b: list[float]) -> tuple[float | None, float | None]:
    """Spearman's rho and its two-sided p-value; (None, None) below 3 pairs or with a constant side."""
    from accelbench.errors import require

    stats = require("scipy.stats", "analysis")
    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return None, None
    result = stats.spearmanr(a, b)
    return float(result.statistic), float(result.pvalue)


def correlate_platforms(
    store: Store,
    platform_a: str,
    platform_b: str,
    *,
    run_id: int | None = None,
    include_simulated: bool = False,
) -> Correlation:
    """Pair each (model, size, precision, batch size, sequence length) measured on both platforms.

    A platform is a hardware_type (cpu, cuda) or hardware_type/backend (cpu/onnxruntime). The
    latest successful result per config and platform is used, from `run_id` when given.
    """
    sides = [_platform_filter(p) for p in (platform_a, platform_b)]
    keys = ", ".join(_PAIR_KEY)
    base = "status = 'success' AND latency_median_ms IS NOT NULL"
    if not include_simulated:
        base += " AND NOT coalesce(is_simulated, false)"
    params: list[Any] = []
    parts = []
    for side, (where, args) in zip("ab", sides, strict=True):
        run = " AND run_id = ?" if run_id is not None else ""
        parts.append(
            f"{side} AS (SELECT {keys}, latency_median_ms AS v FROM performance_results WHERE {base} AND {where}{run}"
            f" QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY result_id DESC) = 1)"
        )
        params += args + ([run_id] if run_id is not None else [])
    rows = store.query(
        f"WITH {', '.join(parts)} SELECT a.*, b.v AS w FROM a JOIN b USING ({keys}) ORDER BY {keys}", params
    )
    rho, p = spearman([r["v"] for r in rows], [r["w"] for r in rows])
    labels = [f"{r['model_name']}-{r['model_size']} {r['precision']} bs{r['batch_size']}" for r in rows]
    return Correlation(platform_a, platform_b, len(rows), rho, p, labels)


def _platform_filter(platform: str) -> tuple[str, list[Any]]:
    hardware, _, backend = platform.partition("/")
    if backend:
        return "hardware_type = ? AND backend = ?", [hardware, backend]
    return "hardware_type = ?", [hardware]
