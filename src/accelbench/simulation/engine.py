"""The discrete-event run: seeds hold the content, leeches discover providers and fetch its blocks.

Each strategy runs as its own experiment on the same topology, with the same seeds, leeches,
arrival times and discovery results, so strategies differ only in how they fetch. Data travels
along the lowest-latency path from provider to leech; a flow uses the provider's upload, every
link on the path (per direction) and the leech's download, shared max-min fairly (fluid.py).
Relays forward without using their own access capacity. A block request costs the path's
round-trip time plus the calibration's per-request overhead before its bytes flow.

Who is asked for which block, when to hedge and whom to drop is not decided here: each retrieval
gets a fresh policy from the real tier's strategy (`Strategy.policy(providers)`, the same class
the asyncio strategies drive over HTTP), and this module only turns its requests into flows.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.errors import require
from accelbench.ipfs.strategies.policy import Request, WindowPolicy
from accelbench.ipfs.strategies.range_split import RangeSplitPolicy, Unit
from accelbench.simulation.content import Block, dag_layout, leaves, payload_bytes, subtree_totals
from accelbench.simulation.fluid import Capacities, FluidNetwork

if TYPE_CHECKING:
    from accelbench.ipfs.strategies.base import Strategy
    from accelbench.simulation.calibration import Calibration
    from accelbench.simulation.topology import Topology

RESPONSE_OVERHEAD_BYTES = 300  # HTTP status line + headers of one gateway response


@dataclass
class RetrievalRecord:
    """One leech's retrieval: times in ms from its start, bytes, duplicates and providers used."""

    leech: int
    strategy: str
    start_s: float
    discovery_ms: float
    ttfb_ms: float = math.nan  # first verified block (the root) received
    ttlb_ms: float = math.nan  # last block received
    useful_bytes: int = 0
    received_bytes: float = 0.0  # payload + duplicates + response overhead
    blocks: int = 0
    duplicate_blocks: int = 0  # blocks received in full twice
    hedged_requests: int = 0  # second requests for a block whose first provider was slow
    slow_providers: int = 0  # providers dropped after a hedge beat them
    requests: int = 0
    providers_contributing: int = 0
    success: bool = False


@dataclass
class Scenario:
    """What every strategy shares: topology, seeds, leeches, start times and discovery results."""

    topology: Topology
    seeds: list[int]
    leeches: list[int]
    starts_s: list[float]
    providers: list[list[int]]  # per leech: providers found, nearest (RTT) first
    discovery_ms: list[float]
    discovery_via: list[str]  # "neighbour" | "dht"
    dht_hops: list[int]
    blocks: list[Block]
    paths: dict[int, dict[int, list[int]]]  # seed -> leech -> node path
    path_rtt_ms: dict[int, dict[int, float]]
    config: dict[str, Any] = field(default_factory=dict)
    reprovide: bool = False  # a leech that has the whole file serves it to leeches that come later


@dataclass
class _Leech:
    """One retrieval's working state besides its policy: record, start time, providers that delivered."""

    rec: RetrievalRecord
    t0: float
    first_leaf: int  # the block holding the file's first byte (ttfb)
    used: set[int] = field(default_factory=set)


class _Run:
    """One strategy's SimPy run over a scenario, driving the strategy's own sans-IO policy objects."""

    def __init__(self, scenario: Scenario, strategy: Strategy, calibration: Calibration) -> None:
        simpy = require("simpy", "simulation")
        self.sc, self.strategy, self.cal = scenario, strategy, calibration
        self.env = simpy.Environment()
        self.caps = Capacities(scenario.topology, calibration.bandwidth_factor)
        self.net = FluidNetwork(self.env, self.caps.values)
        self._paths_rid: dict[tuple[int, int], tuple[int, ...]] = {}
        self.records: list[RetrievalRecord] = []
        self.reproviders: list[int] = []  # leeches holding the whole file, in finishing order
        self._extra_paths: dict[tuple[int, int], list[int]] = {}
        self._extra_rtt: dict[tuple[int, int], float] = {}
        self.edge_bytes: dict[tuple[int, int], float] = {}
        self.subtree_bytes, self.subtree_blocks = subtree_totals(scenario.blocks)
        self.first_spine = {0}  # blocks whose subtree holds the file's first byte
        b = 0
        while scenario.blocks[b].children:
            b = scenario.blocks[b].children[0]
            self.first_spine.add(b)

    def run(self) -> list[RetrievalRecord]:
        for i, leech in enumerate(self.sc.leeches):
            rec = RetrievalRecord(leech, self.strategy.name, self.sc.starts_s[i], self.sc.discovery_ms[i])
            self.records.append(rec)
            self.env.process(self._retrieve(i, rec))
        self.env.run()
        return self.records

    # -- one retrieval -------------------------------------------------------------------------
    def _retrieve(self, i: int, rec: RetrievalRecord):
        env, blocks = self.env, self.sc.blocks
        yield env.timeout(rec.start_s)
        t0 = env.now
        found = self.sc.providers[i]
        if not found:
            return
        yield env.timeout(rec.discovery_ms / 1000)
        if self.sc.reprovide:  # finished leeches announced themselves: in the records found now
            found = self._with_reproviders(rec.leech, found)
        lee = _Leech(rec, t0, leaves(blocks, [0])[0])
        policy = self.strategy.policy(found)
        if isinstance(policy, WindowPolicy):
            yield from self._fetch_window(lee, policy)
        elif isinstance(policy, RangeSplitPolicy):
            yield from self._fetch_ranges(lee, policy)
        else:
            raise TypeError(f"the simulator has no driver for {type(policy).__name__} ({self.strategy.name})")
        rec.ttlb_ms = (env.now - t0) * 1000
        rec.providers_contributing = len(lee.used)
        rec.success = rec.useful_bytes == payload_bytes(blocks)
        if rec.success:
            self.reproviders.append(rec.leech)

    def _with_reproviders(self, leech: int, seeds: list[int]) -> list[int]:
        """Seeds plus leeches that already finished, nearest first by direct latency (cheap to rank)."""
        topo = self.sc.topology
        pool = list(dict.fromkeys([*seeds, *self.reproviders]))
        pool.sort(key=lambda p: topo.direct_latency_ms(p, leech))
        return pool

    def _rtt_ms(self, p: int, leech: int) -> float:
        """Round-trip time of the lowest-latency path from provider p to the leech, in ms."""
        known = self.sc.path_rtt_ms.get(p)
        if known is not None and leech in known:
            return known[leech]
        self._path(p, leech)
        return self._extra_rtt[(p, leech)]

    def _path(self, p: int, leech: int) -> list[int]:
        """Nodes from provider p to the leech (seeds: precomputed trees; re-providers: on demand)."""
        known = self.sc.paths.get(p)
        if known is not None and leech in known:
            return known[leech]
        key = (p, leech)
        if key not in self._extra_paths:
            import networkx as nx

            dist, path = nx.bidirectional_dijkstra(self.sc.topology.graph, p, leech, weight="latency_ms")
            self._extra_paths[key], self._extra_rtt[key] = path, 2 * dist
        return self._extra_paths[key]

    def _fetch_window(self, lee: _Leech, policy: WindowPolicy):
        """Send what the policy launches and hedges; report arrivals; one timer for the next hedge."""
        env, blocks, rec = self.env, self.sc.blocks, lee.rec
        policy.start(0)
        procs: dict[Request, Any] = {}
        while True:
            for req in policy.launch(env.now * 1000):
                procs[req] = env.process(self._request(req.peer, lee, blocks[req.block].size_bytes))
            if not procs:
                break
            events = list(procs.values())
            due_ms = policy.next_hedge_ms()
            if due_ms is not None:
                events.append(env.timeout(max(0.0, due_ms / 1000 - env.now)))
            yield env.any_of(events)
            now_ms = env.now * 1000
            for req in [r for r, proc in procs.items() if proc.triggered]:
                if procs.pop(req, None) is None:
                    continue  # a loser cancelled earlier in this same instant (counted there)
                for lost in policy.on_block(req, now_ms, blocks[req.block].children):
                    proc = procs.pop(lost)
                    if proc.triggered:
                        rec.duplicate_blocks += 1  # both copies landed in the same instant
                    else:
                        proc.interrupt("lost the race")
                self._landed(lee, req.peer, req.block)
            for req in policy.hedges(now_ms):
                rec.hedged_requests += 1
                procs[req] = env.process(self._request(req.peer, lee, blocks[req.block].size_bytes))
        rec.slow_providers = policy.slow_drops

    def _landed(self, lee: _Leech, peer: int, b: int, *, whole: bool = False) -> None:
        """Count block b (or, `whole`, its subtree) as delivered by `peer`."""
        lee.used.add(peer)
        lee.rec.useful_bytes += self.subtree_bytes[b] if whole else self.sc.blocks[b].size_bytes
        lee.rec.blocks += self.subtree_blocks[b] if whole else 1
        if math.isnan(lee.rec.ttfb_ms) and (b == lee.first_leaf or whole and b in self.first_spine):
            lee.rec.ttfb_ms = (self.env.now - lee.t0) * 1000  # a subtree: when all of it has landed

    def _request(self, p: int, lee: _Leech, size_bytes: int):
        """One request to p for `size_bytes` of blocks (one response); returns its duration in ms."""
        simpy = require("simpy", "simulation")
        env, rec = self.env, lee.rec
        t0 = env.now
        rec.requests += 1
        flow = None
        try:
            yield env.timeout((self._rtt_ms(p, rec.leech) + self.cal.per_request_overhead_ms) / 1000)
            size = size_bytes + RESPONSE_OVERHEAD_BYTES
            flow = self.net.start(self._resources(p, rec.leech), size)
            yield flow.done
            self._account(p, rec.leech, size)
            rec.received_bytes += size
            return (env.now - t0) * 1000
        except simpy.Interrupt:
            if flow is not None:
                partial = self.net.cancel(flow)
                self._account(p, rec.leech, partial)
                rec.received_bytes += partial
            return None

    def _fetch_ranges(self, lee: _Leech, policy: RangeSplitPolicy):
        """Root, then inner nodes the policy opens, then its per-provider runs (no peer fails here)."""
        root = [Unit(0, self.subtree_bytes[0])]
        yield from self._fetch_units(lee, policy, root)
        units = self._children(root)
        while opened := policy.to_open(units):
            yield from self._fetch_units(lee, policy, opened)
            ids = {u.block for u in opened}
            units = [c for u in units for c in (self._children([u]) if u.block in ids else [u])]
        yield from self._fetch_units(lee, policy, units)

    def _children(self, parents: list[Unit]) -> list[Unit]:
        blocks, sizes = self.sc.blocks, self.subtree_bytes
        return [
            Unit(c, sizes[c], bool(blocks[c].children)) for u in parents for c in blocks[u.block].children
        ]

    def _fetch_units(self, lee: _Leech, policy: RangeSplitPolicy, units: list[Unit]):
        procs = [self.env.process(self._range(lee, policy, p, run)) for p, run in policy.assign(units)]
        yield self.env.all_of(procs)

    def _range(self, lee: _Leech, policy: RangeSplitPolicy, peer: int, run: list[Unit]):
        """One provider's run: up to `range_window` requests in flight, in order."""
        todo: deque[Unit] = deque(run)
        running: deque[tuple[Unit, Any]] = deque()
        while todo or running:
            while todo and len(running) < policy.range_window:
                u = todo.popleft()
                size = self.subtree_bytes[u.block] if u.whole else self.sc.blocks[u.block].size_bytes
                running.append((u, self.env.process(self._request(peer, lee, size))))
            yield running[0][1]
            u, _ = running.popleft()
            self._landed(lee, peer, u.block, whole=u.whole)
        policy.release(peer)

    def _resources(self, p: int, leech: int) -> tuple[int, ...]:
        """Integer ids of the provider's upload, each directed link on the path, the leech's download."""
        cached = self._paths_rid.get((p, leech))
        if cached is None:
            path = self._path(p, leech)
            keys = [("u", p), *zip(path, path[1:], strict=False), ("d", leech)]
            cached = tuple(self.caps.rid(k) for k in keys)  # ints hash faster than nested tuples
            self._paths_rid[(p, leech)] = cached
        return cached

    def _account(self, p: int, leech: int, size: float) -> None:
        path = self._path(p, leech)
        for edge in zip(path, path[1:], strict=False):
            key = (min(edge), max(edge))
            self.edge_bytes[key] = self.edge_bytes.get(key, 0.0) + size


def run_strategy(
    scenario: Scenario, strategy: Strategy, calibration: Calibration
) -> tuple[list[RetrievalRecord], dict[tuple[int, int], float], int]:
    """Run one strategy over the scenario; returns per-leech records, bytes per edge, and re-solves."""
    run = _Run(scenario, strategy, calibration)
    records = run.run()
    return records, run.edge_bytes, run.net.resolves


def default_blocks(size_bytes: int, chunk_bytes: int, links_per_node: int) -> list[Block]:
    """The DAG layout the scenario distributes."""
    return dag_layout(size_bytes, chunk_bytes=chunk_bytes, links_per_node=links_per_node)
