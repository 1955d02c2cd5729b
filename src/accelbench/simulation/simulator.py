"""`simulate()`: build the topology, place seeds and leeches, discover providers, run each strategy."""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from accelbench.errors import InputError, require
from accelbench.ipfs.strategies.base import get_strategy
from accelbench.simulation.calibration import UNCALIBRATED, Calibration
from accelbench.simulation.content import MIB, payload_bytes
from accelbench.simulation.dht import Kademlia
from accelbench.simulation.engine import Scenario, default_blocks, run_strategy
from accelbench.simulation.metrics import graph_metrics, summarize_retrievals
from accelbench.simulation.topology import CLASS_BY_NAME, build_topology


@dataclass
class SimulationConfig:
    """Everything that determines a simulation; the same config and seed give the same metrics."""

    topology: str = "barabasi-albert"
    nodes: int = 1000
    seeds: int = 3
    leeches: int = 100
    strategies: tuple[str, ...] = ("standard", "accelerated")
    seed: int = 0
    content_size_bytes: int = 4 * MIB
    chunk_size_bytes: int = MIB
    links_per_node: int = 1024
    arrival_window_s: float = 10.0  # leeches start at seeded uniform times within this window
    seed_class: str | None = "datacenter"  # capacity class of seeds; None keeps the drawn class
    provider_search_delay_ms: float = 1000.0  # wait for neighbours before asking the DHT (Kubo: 1 s)
    degree: float = 6.0
    reprovide: bool = False  # leeches that finished serve later leeches (found through the DHT)

    def validate(self) -> None:
        """Raise InputError for a config that cannot run."""
        if self.nodes < 2:
            raise InputError(f"need at least 2 nodes, got {self.nodes}", field="nodes")
        if self.seeds < 1 or self.leeches < 1:
            raise InputError("need at least one seed and one leech", field="seeds")
        if self.seeds + self.leeches > self.nodes:
            raise InputError(
                f"seeds + leeches ({self.seeds + self.leeches}) exceed nodes ({self.nodes})", field="leeches"
            )
        if self.seed_class is not None and self.seed_class not in CLASS_BY_NAME:
            raise InputError(f"unknown capacity class '{self.seed_class}'", field="seed_class")
        for name in self.strategies:
            get_strategy(name)


@dataclass
class StrategyOutcome:
    """One strategy's summary metrics, per-leech records and bytes carried per edge."""

    strategy: str
    summary: dict[str, Any]
    records: list[Any]
    edge_bytes: dict[tuple[int, int], float]
    parameters: dict[str, Any]


@dataclass
class SimulationResult:
    """A simulation's config, graph metrics, roles and per-strategy outcomes; all simulated."""

    config: SimulationConfig
    calibration: Calibration
    graph: dict[str, Any]
    seeds: list[int]
    leeches: list[int]
    outcomes: list[StrategyOutcome]
    duration_s: float
    discovery: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)


def build_scenario(config: SimulationConfig) -> Scenario:
    """Topology, roles, arrival times and provider discovery, shared by every strategy."""
    nx = require("networkx", "simulation")
    config.validate()
    topo = build_topology(config.topology, config.nodes, seed=config.seed, degree=config.degree)
    rng = random.Random(config.seed)
    components: list[set[int]] = list(nx.connected_components(topo.graph))
    lcc = sorted(max(components, key=len))  # type: ignore[arg-type]
    if len(lcc) < config.seeds + config.leeches:
        raise InputError(
            f"the largest connected component has {len(lcc)} nodes, fewer than seeds + leeches", field="nodes"
        )
    picked = rng.sample(lcc, config.seeds + config.leeches)
    seeds, leeches = picked[: config.seeds], picked[config.seeds :]
    if config.seed_class:
        for s in seeds:
            topo.classes[s] = config.seed_class
    starts = sorted(rng.uniform(0, config.arrival_window_s) for _ in leeches)
    paths, rtts = {}, {}
    for s in seeds:
        dist, path = nx.single_source_dijkstra(topo.graph, s, weight="latency_ms")
        paths[s] = {leech: path[leech] for leech in leeches}  # provider -> leech, the way data flows
        rtts[s] = {leech: 2 * dist[leech] for leech in leeches}
    scenario = Scenario(
        topo,
        seeds,
        leeches,
        starts,
        [],
        [],
        [],
        [],
        default_blocks(config.content_size_bytes, config.chunk_size_bytes, config.links_per_node),
        paths,
        rtts,
        asdict(config),
        config.reprovide,
    )
    _discover(scenario, config)
    return scenario


def _discover(sc: Scenario, config: SimulationConfig) -> None:
    """Neighbour broadcast first; if no neighbour has the content, the DHT after the search delay."""
    topo = sc.topology
    dht = Kademlia(topo.node_count, seed=config.seed, rtt_ms=lambda a, b: 2 * topo.direct_latency_ms(a, b))
    key = dht.key_for(f"content-{config.seed}-{config.content_size_bytes}")
    holders = set(dht.closest_brute_force(key))  # seeds announced their records to these k nodes
    seed_set = set(sc.seeds)
    for leech in sc.leeches:
        near = [n for n in topo.graph[leech] if n in seed_set]
        if near:
            near.sort(key=lambda s: sc.path_rtt_ms[s][leech])
            sc.providers.append(near)
            sc.discovery_ms.append(max(2 * topo.graph.edges[leech, s]["latency_ms"] for s in near[:1]))
            sc.discovery_via.append("neighbour")
            sc.dht_hops.append(0)
            continue
        walk = dht.walk(leech, key, holders)
        found_ms = walk.holder_reached_ms if walk.holder_reached_ms is not None else walk.latency_ms
        sc.providers.append(sorted(sc.seeds, key=lambda s: sc.path_rtt_ms[s][leech]))
        sc.discovery_ms.append(config.provider_search_delay_ms + found_ms)
        sc.discovery_via.append("dht")
        sc.dht_hops.append(walk.hops)


def simulate(config: SimulationConfig, calibration: Calibration = UNCALIBRATED) -> SimulationResult:
    """Run every strategy of `config` over one seeded scenario; every figure is simulated."""
    t0 = time.perf_counter()
    scenario = build_scenario(config)
    t_scenario = time.perf_counter()
    graph = graph_metrics(scenario.topology.graph, seed=config.seed)
    t_graph = time.perf_counter()
    outcomes = []
    content = payload_bytes(scenario.blocks)
    for name in config.strategies:
        strategy = get_strategy(name)
        records, edge_bytes, resolves = run_strategy(scenario, strategy, calibration)
        summary = summarize_retrievals(records, content)
        summary["fluid_resolves"] = resolves
        outcomes.append(StrategyOutcome(name, summary, records, edge_bytes, strategy.config.to_dict()))
    t_end = time.perf_counter()
    hops = [h for h, via in zip(scenario.dht_hops, scenario.discovery_via, strict=True) if via == "dht"]
    discovery = {
        "via_neighbour": scenario.discovery_via.count("neighbour"),
        "via_dht": len(hops),
        "dht_hops_mean": sum(hops) / len(hops) if hops else None,
        "dht_k": 20,
        "dht_alpha": 3,
        "discovery_p50_ms": sorted(scenario.discovery_ms)[len(scenario.discovery_ms) // 2],
    }
    return SimulationResult(
        config,
        calibration,
        graph,
        scenario.seeds,
        scenario.leeches,
        outcomes,
        t_end - t0,
        discovery,
        {"scenario": t_scenario - t0, "graph_metrics": t_graph - t_scenario, "strategies": t_end - t_graph},
    )
