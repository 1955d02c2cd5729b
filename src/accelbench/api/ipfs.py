"""IPFS acceleration answers from stored ipfs_acceleration_metrics rows: the median of the nearest ones."""

from __future__ import annotations

import json
import math
import statistics
from typing import Any

from accelbench.errors import InputError

NEAREST = 5


def _topology(row: dict[str, Any]) -> str | None:
    try:
        cfg = json.loads(row.get("topology") or "null")
    except json.JSONDecodeError:
        return None
    if isinstance(cfg, dict):
        value = cfg.get("type") or cfg.get("topology") or cfg.get("name")
        return str(value) if value is not None else None
    return str(cfg) if cfg is not None else None


def predict_acceleration(
    rows: list[dict[str, Any]],
    content_size: int,
    peer_count: int,
    network_topology: str | None,
    optimization_strategy: str | None,
) -> dict[str, Any]:
    """Median latency/throughput/efficiency of the NEAREST rows (log content size, log peer count).

    Measured rows are preferred; simulated rows are used only when no measured row matches, and the
    answer then says `is_simulated: true`. Unknown strategy or topology: InputError listing the known ones.
    """
    if optimization_strategy is not None:
        modes = sorted({str(r["acceleration_mode"]) for r in rows})
        rows = [r for r in rows if r["acceleration_mode"] == optimization_strategy]
        if not rows:
            raise InputError(
                f"no stored data for strategy '{optimization_strategy}'; stored: {', '.join(modes)}",
                field="optimization_strategy",
            )
    if network_topology is not None:
        known = sorted({t for r in rows if (t := _topology(r))})
        rows = [r for r in rows if _topology(r) == network_topology]
        if not rows:
            raise InputError(
                f"no stored data for topology '{network_topology}'; stored: "
                f"{', '.join(known) or 'none recorded'}",
                field="network_topology",
            )
    measured = [r for r in rows if not r["is_simulated"]]
    pool = measured or rows

    def distance(r: dict[str, Any]) -> float:
        size = abs(math.log((r["content_size_bytes"] or 1) / content_size))
        return size + abs(math.log((r["peer_count"] or 1) / peer_count))

    near = sorted(pool, key=distance)[:NEAREST]

    def median(col: str) -> float | None:
        vals = [r[col] for r in near if r.get(col) is not None]
        return statistics.median(vals) if vals else None

    spread = max(distance(r) for r in near)
    return {
        "predicted_latency_ms": median("retrieval_latency_ms"),
        "predicted_throughput_mbps": median("distribution_throughput_mbps"),
        "predicted_efficiency_ratio": median("bandwidth_efficiency_ratio"),
        "confidence_score": round(min(1.0, len(near) / NEAREST) / (1.0 + spread), 3),
        "is_simulated": not measured,
        "method": f"median of the {len(near)} stored rows nearest in log(content size) and log(peer count)"
        + ("; only simulated rows matched" if not measured else ""),
        "nearest_rows": [
            {
                k: r[k]
                for k in ("acceleration_mode", "content_size_bytes", "peer_count", "retrieval_latency_ms")
            }
            for r in near
        ],
    }
