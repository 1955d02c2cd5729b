"""The discrete-event run: seeds hold the content, leeches discover providers and fetch its blocks.

Each strategy runs as its own experiment on the same topology, with the same seeds, leeches,
arrival times and discovery results, so strategies differ only in how they fetch. Data travels
along the lowest-latency path from provider to leech; a flow uses the provider's upload, every
link on the path (per direction) and the leech's download, shared max-min fairly (fluid.py).
Relays forward without using their own access capacity. A block request costs the path's
round-trip time plus the calibration's per-request overhead before its bytes flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.errors import require
from accelbench.simulation.content import Block, dag_layout, leaves, payload_bytes
from accelbench.simulation.fluid import Capacities, FluidNetwork
from accelbench.simulation.strategies import SimStrategy

if TYPE_CHECKING:
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
    """One retrieval's working state: providers in use and in reserve, EWMA ms, requests in flight."""

    rec: RetrievalRecord
    t0: float
    providers: list[int]
    reserve: list[int]
    first_leaf: int  # the block holding the file's first byte (ttfb)
    ewma: dict[int, float] = field(default_factory=dict)
    inflight: dict[int, int] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)


class _Run:
    """One strategy's SimPy run over a scenario."""

    def __init__(self, scenario: Scenario, strategy: SimStrategy, calibration: Calibration) -> None:
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

    def run(self) -> list[RetrievalRecord]:
        for i, leech in enumerate(self.sc.leeches):
            rec = RetrievalRecord(leech, self.strategy.name, self.sc.starts_s[i], self.sc.discovery_ms[i])
            self.records.append(rec)
            self.env.process(self._retrieve(i, rec))
        self.env.run()
        return self.records

    # -- one retrieval -------------------------------------------------------------------------
    def _retrieve(self, i: int, rec: RetrievalRecord):
        env, st, blocks = self.env, self.strategy, self.sc.blocks
        yield env.timeout(rec.start_s)
        t0 = env.now
        found = self.sc.providers[i]
        if not found:
            return
        yield env.timeout(rec.discovery_ms / 1000)
        if self.sc.reprovide:  # finished leeches announced themselves: in the records found now
            found = self._with_reproviders(rec.leech, found)
        lee = _Leech(
            rec, t0, list(found[: st.max_providers]), list(found[st.max_providers :]), leaves(blocks, [0])[0]
        )
        if st.range_split and blocks[0].children:
            yield from self._fetch_ranges(lee)
        else:
            yield from self._fetch_window(lee)
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

    def _fetch_window(self, lee: _Leech):
        """Up to want_window block requests in flight; children are queued as their parent lands."""
        env, st = self.env, self.strategy
        queue = [0]
        running: dict[Any, int] = {}
        while queue or running:
            while queue and len(running) < st.want_window:
                b = queue.pop(0)
                running[env.process(self._fetch_block(lee, b))] = b
            done = yield env.any_of(list(running))
            for proc in list(done):
                queue[:0] = self.sc.blocks[running.pop(proc)].children  # depth first, as the real tier

    def _pick(self, lee: _Leech, exclude: int | None = None) -> int | None:
        """First provider (`first`), or lowest EWMA x (1 + in flight); unsampled get the best EWMA."""
        choices = [p for p in lee.providers if p != exclude]
        if not choices:
            return None
        if self.strategy.selection == "first":
            return choices[0]
        fallback = min(lee.ewma.values()) if lee.ewma else 1.0
        return min(choices, key=lambda p: lee.ewma.get(p, fallback) * (1 + lee.inflight.get(p, 0)))

    def _fetch_block(self, lee: _Leech, b: int):
        env, st, block = self.env, self.strategy, self.sc.blocks[b]
        p = self._pick(lee)
        assert p is not None  # a retrieval keeps at least the provider that last answered
        lee.inflight[p] = lee.inflight.get(p, 0) + 1  # now: the next pick in this step must see it
        first = env.process(self._request(p, lee, [block]))
        racers = {first: p}
        if st.duplicate_after is not None and len(lee.providers) > 1:
            limit_ms = st.duplicate_after * lee.ewma[p] if p in lee.ewma else st.hedge_initial_ms
            yield env.any_of([first, env.timeout(max(limit_ms, st.hedge_min_ms) / 1000)])
            q = None if first.triggered else self._pick(lee, exclude=p)
            if q is not None:
                lee.rec.hedged_requests += 1
                lee.inflight[q] = lee.inflight.get(q, 0) + 1
                racers[env.process(self._request(q, lee, [block]))] = q
        yield env.any_of(list(racers))
        winners = [proc for proc in racers if proc.triggered]
        for proc in racers:
            if not proc.triggered:
                proc.interrupt("lost the race")
        lee.rec.duplicate_blocks += len(winners) - 1  # both copies landed in the same instant
        w = racers[winners[0]]
        lee.used.add(w)
        lee.rec.useful_bytes += block.size_bytes
        lee.rec.blocks += 1
        old = lee.ewma.get(w)
        sample = winners[0].value
        lee.ewma[w] = sample if old is None else st.ewma_alpha * sample + (1 - st.ewma_alpha) * old
        if w != p and p in lee.providers:  # beaten by a hedge: too slow, replaced by a reserve provider
            lee.providers.remove(p)
            if lee.reserve:
                lee.providers.append(lee.reserve.pop(0))
            lee.rec.slow_providers += 1
        if b == lee.first_leaf:
            lee.rec.ttfb_ms = (env.now - lee.t0) * 1000

    def _request(self, p: int, lee: _Leech, blks: list[Block]):
        """One request to p for `blks` (one response; the caller counted it in inflight); returns ms."""
        simpy = require("simpy", "simulation")
        env, rec = self.env, lee.rec
        t0 = env.now
        rec.requests += 1
        flow = None
        try:
            yield env.timeout((self._rtt_ms(p, rec.leech) + self.cal.per_request_overhead_ms) / 1000)
            size = sum(b.size_bytes for b in blks) + RESPONSE_OVERHEAD_BYTES
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
        finally:
            lee.inflight[p] -= 1

    def _fetch_ranges(self, lee: _Leech):
        """Root from the nearest provider, then one contiguous range of leaves per provider, one request each."""
        blocks, rec = self.sc.blocks, lee.rec
        lee.inflight[lee.providers[0]] = 1
        yield self.env.process(self._request(lee.providers[0], lee, [blocks[0]]))
        lee.used.add(lee.providers[0])
        rec.useful_bytes += blocks[0].size_bytes
        rec.blocks += 1
        leaf_ids = leaves(blocks, blocks[0].children)
        inner = [b for b in blocks[1:] if b.children]  # they ride along in the CAR streams
        n = min(len(lee.providers), len(leaf_ids))
        bounds = [round(i * len(leaf_ids) / n) for i in range(n + 1)]
        procs = []
        for i in range(n):
            part = [blocks[j] for j in leaf_ids[bounds[i] : bounds[i + 1]]] + (inner if i == 0 else [])
            lee.inflight[lee.providers[i]] = lee.inflight.get(lee.providers[i], 0) + 1
            procs.append(self.env.process(self._request(lee.providers[i], lee, part)))
        t_ranges = self.env.now
        yield self.env.all_of(procs)
        # A CAR stream's blocks are not timed one by one in a fluid flow: the first leaf is taken to
        # land when its share of the first range's bytes has moved, at that range's average rate.
        setup_ms = self._rtt_ms(lee.providers[0], rec.leech) + self.cal.per_request_overhead_ms
        first_range = sum(b.size_bytes for b in blocks if b.index in leaf_ids[bounds[0] : bounds[1]]) or 1
        share = blocks[leaf_ids[0]].size_bytes / first_range
        rec.ttfb_ms = (t_ranges - lee.t0) * 1000 + setup_ms + (procs[0].value - setup_ms) * share
        for i in range(n):
            lee.used.add(lee.providers[i])
        rec.useful_bytes += sum(b.size_bytes for b in blocks[1:])
        rec.blocks += len(blocks) - 1

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
    scenario: Scenario, strategy: SimStrategy, calibration: Calibration
) -> tuple[list[RetrievalRecord], dict[tuple[int, int], float], int]:
    """Run one strategy over the scenario; returns per-leech records, bytes per edge, and re-solves."""
    run = _Run(scenario, strategy, calibration)
    records = run.run()
    return records, run.edge_bytes, run.net.resolves


def default_blocks(size_bytes: int, chunk_bytes: int, links_per_node: int) -> list[Block]:
    """The DAG layout the scenario distributes."""
    return dag_layout(size_bytes, chunk_bytes=chunk_bytes, links_per_node=links_per_node)
