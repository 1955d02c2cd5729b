"""Store a simulation: one run, per strategy an ipfs_acceleration_metrics row (is_simulated = true),
its network_topology_simulation row and the raw per-leech rows in ipfs_retrievals.

What the simulator does not model is stored as NULL, never as a made-up figure: cache hit
ratios (no block cache) and peers connected. The plan columns keep the meaning the real tier
gives them (m0005): benchmark_id = run_id, retrieval_latency_ms = median time to the last
block, distribution_throughput_mbps = median per-retrieval payload throughput, peer_count =
peers in the network (here: nodes). Everything the columns cannot hold (roles, per-edge load,
discovery, timings) goes to simulation_results.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.simulation.simulator import SimulationResult, StrategyOutcome
    from accelbench.storage import Store

MAX_EDGE_LOADS = 20_000  # busiest edges kept for `visualize`; the rest carried less


def _num(x: Any) -> Any:
    return None if isinstance(x, float) and math.isnan(x) else x


def store_simulation(store: Store, result: SimulationResult, *, command_line: str = "") -> int:
    """Write the simulation (every strategy in one transaction); returns the run_id (the benchmark id)."""
    from dataclasses import asdict

    config = asdict(result.config)
    run_id = store.create_run(
        "ipfs simulate", test_type="ipfs_simulation", config=config, command_line=command_line
    )
    try:
        with store.transaction() as con:  # all strategies or none
            for outcome in result.outcomes:
                _store_outcome(con, run_id, result, outcome)
    except BaseException:
        store.finish_run(run_id, "failed")
        raise
    store.finish_run(run_id, "completed")
    return run_id


def _store_outcome(con: Any, run_id: int, result: SimulationResult, outcome: StrategyOutcome) -> None:
    from dataclasses import asdict

    cal, s, cfg = result.calibration, outcome.summary, result.config
    topology = {
        "kind": cfg.topology,
        "nodes": cfg.nodes,
        "seeds": cfg.seeds,
        "leeches": cfg.leeches,
        "seed": cfg.seed,
        "degree": cfg.degree,
        "seed_class": cfg.seed_class,
    }
    (metric_id,) = con.execute(
        """INSERT INTO ipfs_acceleration_metrics (benchmark_id, run_id, acceleration_mode, strategy, tier,
            content_size_bytes, chunk_profile, shaping, retrieval_latency_ms, distribution_throughput_mbps,
            bandwidth_efficiency_ratio, cache_hit_ratio, cache_hit_ratio_bytes, peer_count,
            network_topology_config, p2p_optimization_config, retrievals, success_rate, ttfb_p50_ms,
            ttfb_p90_ms, ttfb_p95_ms, ttlb_p50_ms, ttlb_p90_ms, ttlb_p95_ms, throughput_p50_mbps,
            duplicate_block_ratio, bytes_received, peers_connected, peers_contributing, calibration_id,
            is_simulated, simulation_reason)
           VALUES (?, ?, ?, ?, 'simulated', ?, ?, 'simulated', ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                   ?, ?, ?, ?, ?, ?, ?, ?, true, ?) RETURNING id""",
        [
            run_id,
            run_id,
            outcome.strategy,
            outcome.strategy,
            cfg.content_size_bytes,
            f"{cfg.chunk_size_bytes // 1024}KiB-{cfg.links_per_node}",
            _num(s["ttlb_p50_ms"]),
            _num(s["per_retrieval_throughput_p50_mbps"]),
            _num(s["bandwidth_efficiency_ratio"]),
            cfg.nodes,
            json.dumps(topology),
            json.dumps(outcome.parameters),
            s["retrievals"],
            _num(s["success_rate"]),
            *(
                _num(s[k])
                for k in (
                    "ttfb_p50_ms",
                    "ttfb_p90_ms",
                    "ttfb_p95_ms",
                    "ttlb_p50_ms",
                    "ttlb_p90_ms",
                    "ttlb_p95_ms",
                    "per_retrieval_throughput_p50_mbps",
                )
            ),
            _num(s["duplicate_block_ratio"]),
            round(sum(r.received_bytes for r in outcome.records)),
            None,  # peers connected: not modelled (only providers asked for blocks are)
            _num(s["providers_contributing_p50"]),
            cal.calibration_id,
            cal.reason(),
        ],
    ).fetchone()
    g = result.graph
    loads = sorted(outcome.edge_bytes.items(), key=lambda kv: -kv[1])[:MAX_EDGE_LOADS]
    results = {
        "summary": s,
        "graph": g,
        "seeds": result.seeds,
        "leeches": result.leeches,
        "discovery": result.discovery,
        "timings_s": result.timings_s,
        "calibration": asdict(cal),
        "edge_bytes": [[u, v, round(b)] for (u, v), b in loads],
    }
    con.execute(
        """INSERT INTO network_topology_simulation (ipfs_metric_id, simulation_timestamp, node_count,
            average_node_degree, network_diameter, average_path_length, clustering_coefficient,
            content_replication_factor, simulation_duration_seconds, simulation_config, simulation_results)
           VALUES (?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            metric_id,
            g["node_count"],
            g["average_node_degree"],
            g["network_diameter"],
            g["average_path_length"],
            g["clustering_coefficient"],
            float(cfg.seeds),
            result.duration_s,
            json.dumps(asdict(cfg)),
            json.dumps(_clean(results), default=_json_default),
        ],
    )
    _store_retrievals(con, metric_id, run_id, outcome, cal.reason(), cfg.content_size_bytes)


def _store_retrievals(
    con: Any, metric_id: int, run_id: int, outcome: StrategyOutcome, reason: str, content_bytes: int
) -> None:
    import pyarrow as pa

    rows = [
        {
            "metric_id": metric_id,
            "run_id": run_id,
            "iteration": i,
            "strategy": r.strategy,
            "client": f"node-{r.leech}",
            "success": r.success,
            "payload_bytes": content_bytes,
            "ttfb_ms": _num(r.ttfb_ms),
            "ttlb_ms": _num(r.ttlb_ms),
            "throughput_mbps": content_bytes * 8 / 1e3 / r.ttlb_ms if r.success and r.ttlb_ms > 0 else None,
            "bytes_received": round(r.received_bytes),
            "blocks_received": r.blocks,
            "duplicate_blocks": r.duplicate_blocks,
            "peers_contributing": r.providers_contributing,
            "is_simulated": True,
            "simulation_reason": reason,
        }
        for i, r in enumerate(outcome.records)
    ]
    if not rows:
        return
    table = pa.Table.from_pylist(rows)
    cols = ", ".join(table.column_names)
    con.register("_sim_retrievals", table)
    con.execute(f"INSERT INTO ipfs_retrievals ({cols}) SELECT {cols} FROM _sim_retrievals")
    con.unregister("_sim_retrievals")


def _json_default(x: Any) -> Any:
    return str(x)


def _clean(x: Any) -> Any:
    """NaN -> None throughout (JSON has no NaN)."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return _num(x)


def store_calibration(store: Store, calibration: Any, report: dict[str, Any], scenarios: list[Any]) -> int:
    """Insert a fitted calibration into ipfs_calibrations; returns its calibration_id."""
    with store.transaction() as con:
        row = con.execute(
            """INSERT INTO ipfs_calibrations (per_request_overhead_ms, bandwidth_factor, tolerance,
                within_tolerance, median_error_percent, source, scenarios, results)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING calibration_id""",
            [
                calibration.per_request_overhead_ms,
                calibration.bandwidth_factor,
                report["tolerance"],
                report["within_tolerance"],
                report["median_abs_error_percent"],
                calibration.source,
                json.dumps(_clean([s.to_dict() for s in scenarios])),
                json.dumps(_clean(report)),
            ],
        ).fetchone()
    assert row is not None  # RETURNING always yields the new row
    return int(row[0])


def load_calibration(store: Store, calibration_id: int | None = None) -> Any:
    """The stored calibration with that id, or the newest within tolerance; UNCALIBRATED if none."""
    from accelbench.errors import InputError
    from accelbench.simulation.calibration import UNCALIBRATED, Calibration

    if calibration_id is None:
        rows = store.query(
            "SELECT * FROM ipfs_calibrations WHERE within_tolerance ORDER BY calibration_id DESC LIMIT 1"
        )
        if not rows:
            return UNCALIBRATED
    else:
        rows = store.query("SELECT * FROM ipfs_calibrations WHERE calibration_id = ?", [calibration_id])
        if not rows:
            raise InputError(f"no calibration {calibration_id} in {store.path}", field="--calibration")
    row = rows[0]
    return Calibration(
        row["per_request_overhead_ms"],
        row["bandwidth_factor"],
        int(row["calibration_id"]),
        row["source"] or "",
        bool(row["within_tolerance"]),
    )
