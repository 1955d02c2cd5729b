"""Graph metrics (exact on small graphs, sampled BFS on large ones) and retrieval summaries."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from accelbench.simulation.engine import RetrievalRecord

EXACT_PATH_LIMIT = 500  # largest connected component up to this size: exact all-pairs BFS
SAMPLED_SOURCES = 64


def graph_metrics(
    graph: nx.Graph, *, seed: int = 0, exact_limit: int = EXACT_PATH_LIMIT, sources: int = SAMPLED_SOURCES
) -> dict[str, Any]:
    """Node count, average degree, clustering, and hop diameter / average path length on the LCC.

    Above `exact_limit` nodes, diameter and average path length are estimates from BFS out of
    `sources` seeded random nodes, plus a double sweep (BFS again from the farthest node found);
    the estimated diameter is a lower bound. `path_method` says which was used.
    """
    import networkx as nx

    n = graph.number_of_nodes()
    lcc_nodes = max(nx.connected_components(graph), key=len) if n else set()
    # a subgraph view filters every neighbour lookup (slow BFS); the whole graph or a copy is not
    lcc = graph if len(lcc_nodes) == n else graph.subgraph(lcc_nodes).copy()
    out: dict[str, Any] = {
        "node_count": n,
        "edge_count": graph.number_of_edges(),
        "average_node_degree": 2 * graph.number_of_edges() / n if n else 0.0,
        "clustering_coefficient": nx.average_clustering(graph) if n else 0.0,
        "largest_component_size": len(lcc_nodes),
        "component_count": nx.number_connected_components(graph) if n else 0,
    }
    if len(lcc_nodes) <= 1:
        out.update(network_diameter=0, average_path_length=0.0, path_method={"method": "exact"})
    elif len(lcc_nodes) <= exact_limit:
        out.update(
            network_diameter=nx.diameter(lcc),
            average_path_length=nx.average_shortest_path_length(lcc),
            path_method={"method": "exact"},
        )
    else:
        out.update(_sampled_paths(lcc, seed, sources))
    return out


def _sampled_paths(lcc: nx.Graph, seed: int, sources: int) -> dict[str, Any]:
    import networkx as nx

    picks = random.Random(seed).sample(sorted(lcc.nodes), sources)
    total, pairs, diameter, farthest = 0, 0, 0, picks[0]
    for s in picks:
        dist = nx.single_source_shortest_path_length(lcc, s)
        total += sum(dist.values())
        pairs += len(dist) - 1
        far = max(dist, key=dist.__getitem__)
        if dist[far] > diameter:
            diameter, farthest = dist[far], far
    sweep = nx.single_source_shortest_path_length(lcc, farthest)  # double sweep tightens the bound
    diameter = max(diameter, max(sweep.values()))
    return {
        "network_diameter": diameter,
        "average_path_length": total / pairs,
        "path_method": {
            "method": "sampled-bfs",
            "sources": sources,
            "seed": seed,
            "double_sweep": True,
            "diameter": "lower bound",
            "average_path_length": "estimate",
        },
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default; NaN when empty."""
    vals = sorted(v for v in values if not math.isnan(v))
    if not vals:
        return math.nan
    pos = (len(vals) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def summarize_retrievals(records: list[RetrievalRecord], content_bytes: int) -> dict[str, Any]:
    """Per-strategy metrics: latency percentiles in ms, throughput in Mbit/s, efficiency, duplicates."""
    ok = [r for r in records if r.success]
    ttlb = [r.ttlb_ms for r in ok]
    ttfb = [r.ttfb_ms for r in ok]
    received = sum(r.received_bytes for r in records)
    useful = sum(r.useful_bytes for r in records)
    blocks = sum(r.blocks for r in records)
    if ok:
        makespan_s = max(r.start_s + r.ttlb_ms / 1000 for r in ok) - min(r.start_s for r in ok)
    else:
        makespan_s = math.nan
    return {
        "retrievals": len(records),
        "success_rate": len(ok) / len(records) if records else math.nan,
        "ttfb_p50_ms": percentile(ttfb, 50),
        "ttfb_p90_ms": percentile(ttfb, 90),
        "ttfb_p95_ms": percentile(ttfb, 95),
        "ttlb_p50_ms": percentile(ttlb, 50),
        "ttlb_p90_ms": percentile(ttlb, 90),
        "ttlb_p95_ms": percentile(ttlb, 95),
        # payload delivered to all leeches over the time from the first start to the last finish
        "distribution_throughput_mbps": len(ok) * content_bytes * 8 / makespan_s / 1e6 if ok else 0.0,
        "per_retrieval_throughput_p50_mbps": percentile(
            [content_bytes * 8 / (r.ttlb_ms / 1000) / 1e6 for r in ok if r.ttlb_ms > 0], 50
        ),
        "bandwidth_efficiency_ratio": useful / received if received else math.nan,
        "duplicate_block_ratio": sum(r.duplicate_blocks for r in records) / blocks if blocks else 0.0,
        # second requests sent because the first provider was slow (their partial bytes are wasted)
        "hedged_request_ratio": sum(r.hedged_requests for r in records) / blocks if blocks else 0.0,
        "providers_contributing_p50": percentile([float(r.providers_contributing) for r in ok], 50),
        "requests": sum(r.requests for r in records),
        "makespan_s": makespan_s,
    }
