"""Scenario summaries of measured retrievals, and writing them to ipfs_acceleration_metrics + ipfs_retrievals."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.ipfs.retrieval import Retrieval
    from accelbench.storage import Store


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass
class Scenario:
    """What was measured: content, strategy, swarm size and network (stored as JSON with the row)."""

    strategy: str
    content_size_bytes: int
    peer_count: int
    root_cid: str
    chunk_profile: str
    shaping: str = "application"
    tier: str = "real"
    topology: dict[str, Any] = field(default_factory=dict)
    strategy_config: dict[str, Any] = field(default_factory=dict)


def summarize(retrievals: list[Retrieval]) -> dict[str, Any]:
    """Percentiles (ms), median throughput (Mbit/s) and the ratios over a scenario's retrievals."""
    ok = [r for r in retrievals if r.success]
    ttfb = [r.ttfb_ms for r in ok if r.ttfb_ms is not None]
    ttlb = [r.ttlb_ms for r in ok if r.ttlb_ms is not None]
    throughput = [r.throughput_mbps for r in ok if r.throughput_mbps is not None]
    received = sum(r.blocks_received for r in retrievals)
    hits = sum(r.cache_hit_blocks for r in retrievals)
    hit_bytes = sum(r.cache_hit_bytes for r in retrievals)
    bad: dict[str, str] = {}
    for r in retrievals:
        bad.update(r.bad_peers)
    return {
        "retrievals": len(retrievals),
        "success_rate": _ratio(len(ok), len(retrievals)),
        **{f"ttfb_p{q}_ms": percentile(ttfb, q) for q in (50, 90, 95)},
        **{f"ttlb_p{q}_ms": percentile(ttlb, q) for q in (50, 90, 95)},
        "throughput_p50_mbps": percentile(throughput, 50),
        "bandwidth_efficiency_ratio": _ratio(
            sum(r.payload_bytes for r in ok), sum(r.bytes_received for r in retrievals)
        ),
        "duplicate_block_ratio": _ratio(sum(r.duplicate_blocks for r in retrievals), received),
        "cache_hit_ratio": _ratio(hits, hits + received - sum(r.duplicate_blocks for r in retrievals)),
        "cache_hit_ratio_bytes": _ratio(
            hit_bytes, hit_bytes + sum(r.network_unique_bytes for r in retrievals)
        ),
        "bytes_received": sum(r.bytes_received for r in retrievals),
        "peers_connected": _mean([r.peers_connected for r in retrievals]),
        "peers_contributing": _mean([r.peers_contributing for r in retrievals]),
        "bad_peers": bad,
    }


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


_RETRIEVAL_COLUMNS = [
    "iteration", "strategy", "root_cid", "client", "success", "error_message", "payload_bytes", "dag_bytes",
    "ttfb_ms", "ttlb_ms", "throughput_mbps", "bytes_received", "blocks_received", "duplicate_blocks",
    "cache_hit_blocks", "cache_hit_bytes", "network_unique_bytes", "peers_connected", "peers_contributing",
    "bad_peers",
]  # fmt: skip


def store_scenario(store: Store, run_id: int | None, scenario: Scenario, retrievals: list[Retrieval]) -> int:
    """Write one ipfs_acceleration_metrics row and its raw ipfs_retrievals rows in one transaction; its id."""
    s = summarize(retrievals)
    with store.transaction() as con:
        (metric_id,) = con.execute(
            """INSERT INTO ipfs_acceleration_metrics (benchmark_id, run_id, acceleration_mode, strategy, tier,
                content_size_bytes, root_cid, chunk_profile, shaping, retrieval_latency_ms,
                distribution_throughput_mbps, bandwidth_efficiency_ratio, cache_hit_ratio, cache_hit_ratio_bytes,
                peer_count, network_topology_config, p2p_optimization_config, retrievals, success_rate,
                ttfb_p50_ms, ttfb_p90_ms, ttfb_p95_ms, ttlb_p50_ms, ttlb_p90_ms, ttlb_p95_ms, throughput_p50_mbps,
                duplicate_block_ratio, bytes_received, peers_connected, peers_contributing, bad_peers,
                is_simulated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)
               RETURNING id""",
            [
                run_id,
                run_id,
                scenario.strategy,
                scenario.strategy,
                scenario.tier,
                scenario.content_size_bytes,
                scenario.root_cid,
                scenario.chunk_profile,
                scenario.shaping,
                s["ttlb_p50_ms"],
                s["throughput_p50_mbps"],
                s["bandwidth_efficiency_ratio"],
                s["cache_hit_ratio"],
                s["cache_hit_ratio_bytes"],
                scenario.peer_count,
                json.dumps(scenario.topology),
                json.dumps(scenario.strategy_config),
                s["retrievals"],
                s["success_rate"],
                s["ttfb_p50_ms"],
                s["ttfb_p90_ms"],
                s["ttfb_p95_ms"],
                s["ttlb_p50_ms"],
                s["ttlb_p90_ms"],
                s["ttlb_p95_ms"],
                s["throughput_p50_mbps"],
                s["duplicate_block_ratio"],
                s["bytes_received"],
                s["peers_connected"],
                s["peers_contributing"],
                json.dumps(s["bad_peers"]),
            ],
        ).fetchall()[0]
        rows = [_retrieval_row(i, r) for i, r in enumerate(retrievals)]
        placeholders = ", ".join("?" * (len(_RETRIEVAL_COLUMNS) + 2))
        con.executemany(
            f"INSERT INTO ipfs_retrievals (metric_id, run_id, {', '.join(_RETRIEVAL_COLUMNS)}) VALUES ({placeholders})",
            [[metric_id, run_id, *row] for row in rows],
        )
    return int(metric_id)


def _retrieval_row(iteration: int, r: Retrieval) -> list[Any]:
    return [
        iteration, r.strategy, r.root, "", r.success, r.error, r.payload_bytes, r.dag_bytes, r.ttfb_ms,
        r.ttlb_ms, r.throughput_mbps, r.bytes_received, r.blocks_received, r.duplicate_blocks,
        r.cache_hit_blocks, r.cache_hit_bytes, r.network_unique_bytes, r.peers_connected,
        r.peers_contributing, json.dumps(r.bad_peers),
    ]  # fmt: skip
