"""Max-min fair sharing of link capacity by concurrent flows, as a fluid model driven by SimPy.

A flow crosses a set of resources (a provider's upload, links, a client's download), each with a
capacity in bytes per second. Rates are max-min fair, found by progressive filling: the resource
with the smallest fair share saturates first, its flows freeze at that share, and so on.

To scale to thousands of concurrent flows, flows that cross exactly the same resources with the
same cap form a group: under max-min fairness they get the same rate, so the solver works on
groups (weight = flow count) and each group keeps one "service" counter (bytes delivered per
flow), so a rate change costs one update per group, not per flow. On every arrival or departure
only the connected component of groups (through shared resources) around the change is re-solved.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accelbench.simulation.waterfill import parallel_fill

PARALLEL_FILL_GROUPS = 64  # components this large are solved in numpy (waterfill.py)
_EPS_BYTES = 1e-3  # a flow within a thousandth of a byte of its end is done (float rounding)


def max_min_fair_rates(
    flows: Mapping[Hashable, Sequence[Hashable]],
    capacity: Mapping[Hashable, float],
    flow_cap: Mapping[Hashable, float] | None = None,
) -> dict[Hashable, float]:
    """Max-min fair rate of each flow (same unit as `capacity`); `flow_cap` caps single flows."""
    caps = flow_cap or {}
    groups = [_Group(tuple(res), caps.get(fid, math.inf)) for fid, res in flows.items()]
    for g in groups:
        g.flows[0] = 0.0
    _progressive_fill(groups, capacity)
    return {fid: g.rate for fid, g in zip(flows, groups, strict=True)}


@dataclass(eq=False)
class _Group:
    resources: tuple[Hashable, ...]
    cap: float
    flows: dict[Any, float] = field(default_factory=dict)  # flow -> service counter at which it ends
    rate: float = 0.0  # bytes/s per flow
    service: float = 0.0  # bytes delivered per flow since the group was created
    t_last: float = 0.0
    version: int = 0
    ends: list[tuple[float, int, Any]] = field(default_factory=list)  # heap of (end service, seq, flow)


def _progressive_fill(groups: Sequence[_Group], capacity: Any) -> None:
    """Set each group's per-flow rate to its max-min fair share."""
    remaining: dict[Hashable, float] = {}
    count: dict[Hashable, int] = {}
    users: dict[Hashable, list[_Group]] = {}
    for g in groups:
        n = len(g.flows)
        keys = list(g.resources)
        if g.cap < math.inf:
            keys.append(("cap", id(g)))
            remaining[keys[-1]] = g.cap * n
        for r in keys:
            if r not in remaining:
                remaining[r] = capacity[r]
            count[r] = count.get(r, 0) + n
            users.setdefault(r, []).append(g)
        g._keys = keys  # type: ignore[attr-defined]
        g.rate = -1.0
    heap = [(remaining[r] / count[r], r_i, r) for r_i, r in enumerate(count)]
    order = {r: i for _, i, r in heap}
    heapq.heapify(heap)
    while heap:
        share, _, r = heapq.heappop(heap)
        if count[r] == 0 or share != remaining[r] / count[r]:
            continue  # stale entry: this resource's share changed since it was pushed
        touched = set()
        for g in users[r]:
            if g.rate >= 0:
                continue
            g.rate = share
            n = len(g.flows)
            for r2 in g._keys:  # type: ignore[attr-defined]
                remaining[r2] -= share * n
                count[r2] -= n
                touched.add(r2)
        # A share only grows when flows freeze at or below it, so the heap is re-keyed once per
        # resource; the floor keeps float rounding from starving a resource that tied with r.
        for r2 in touched:
            if count[r2] > 0:
                remaining[r2] = max(remaining[r2], share * count[r2])
                heapq.heappush(heap, (remaining[r2] / count[r2], order[r2], r2))


class Flow:
    """One transfer in the fluid network; `done` is a SimPy event that fires when it completes."""

    __slots__ = ("size_bytes", "done", "group", "start_service", "started_at", "tag")

    def __init__(self, size_bytes: float, done: Any, tag: Any = None) -> None:
        self.size_bytes, self.done, self.tag = size_bytes, done, tag
        self.group: _Group | None = None
        self.start_service = 0.0
        self.started_at = 0.0


class FluidNetwork:
    """Concurrent flows over capacitated resources (bytes/s) in a SimPy environment, max-min fair."""

    def __init__(self, env: Any, capacity: Mapping[Hashable, float] | Sequence[float]) -> None:
        """`capacity[resource]` in bytes/s: a mapping, or a list indexed by integer resource ids."""
        self.env = env
        self.capacity = capacity
        self._groups: dict[tuple[tuple[Hashable, ...], float], _Group] = {}
        self._res_groups: dict[Hashable, set[_Group]] = {}
        self._heap: list[tuple[float, int, _Group, int]] = []
        self._seq = itertools.count()
        self._timer_at = math.inf
        self._timer: Any = None
        self.resolves = 0  # how many times a component was re-solved (for benchmarks)

    def start(
        self,
        resources: Sequence[Hashable],
        size_bytes: float,
        *,
        cap_bytes_per_s: float = math.inf,
        tag: Any = None,
    ) -> Flow:
        """Start a flow of `size_bytes` over `resources`; returns it (wait on `flow.done`)."""
        flow = Flow(size_bytes, self.env.event(), tag)
        flow.started_at = self.env.now
        if size_bytes <= 0:
            flow.done.succeed(flow)
            return flow
        key = (tuple(resources), cap_bytes_per_s)
        group = self._groups.get(key)
        if group is None:
            group = _Group(key[0], cap_bytes_per_s, t_last=self.env.now)
            self._groups[key] = group
            for r in group.resources:
                self._res_groups.setdefault(r, set()).add(group)
        self._settle(group)
        flow.group, flow.start_service = group, group.service
        group.flows[flow] = group.service + size_bytes
        heapq.heappush(group.ends, (group.service + size_bytes, next(self._seq), flow))
        self._resolve({group})
        return flow

    def cancel(self, flow: Flow) -> float:
        """Stop a running flow; returns the bytes it had delivered."""
        group = flow.group
        if group is None or flow not in group.flows:
            return flow.size_bytes if flow.done.triggered else 0.0
        self._settle(group)
        del group.flows[flow]
        delivered = min(flow.size_bytes, group.service - flow.start_service)
        self._drop_if_empty(group)
        self._resolve({group})
        return delivered

    def _settle(self, group: _Group) -> None:
        group.service += group.rate * (self.env.now - group.t_last)
        group.t_last = self.env.now

    def _drop_if_empty(self, group: _Group) -> None:
        if group.flows or self._groups.get((group.resources, group.cap)) is not group:
            return
        group.version += 1  # its pending completion entries are void
        del self._groups[(group.resources, group.cap)]
        for r in group.resources:
            users = self._res_groups[r]
            users.discard(group)
            if not users:
                del self._res_groups[r]

    def _component(self, seeds: set[_Group]) -> list[_Group]:
        seen_res: set[Hashable] = set()
        seen: set[_Group] = set()
        stack = [g for g in seeds]
        while stack:
            g = stack.pop()
            if g in seen:
                continue
            seen.add(g)
            for r in g.resources:
                if r not in seen_res:
                    seen_res.add(r)
                    stack.extend(self._res_groups.get(r, ()))
        return [g for g in seen if g.flows]

    def _resolve(self, changed: set[_Group]) -> None:
        component = self._component(changed)
        if not component:
            self._arm_timer()
            return
        self.resolves += 1
        for g in component:
            self._settle(g)
        if len(component) >= PARALLEL_FILL_GROUPS:
            parallel_fill(component, self.capacity)
        else:
            _progressive_fill(component, self.capacity)
        now = self.env.now
        for g in component:
            g.version += 1
            self._prune(g)
            if g.ends and g.rate > 0:
                t_end = now + max(0.0, g.ends[0][0] - g.service) / g.rate
                heapq.heappush(self._heap, (t_end, next(self._seq), g, g.version))
        self._arm_timer()

    def _prune(self, g: _Group) -> None:
        while g.ends and g.ends[0][2] not in g.flows:
            heapq.heappop(g.ends)  # cancelled flows leave their entry behind

    def _arm_timer(self) -> None:
        if len(self._heap) > 1000 + 4 * len(self._groups):  # drop stale entries before they pile up
            self._heap = [e for e in self._heap if e[3] == e[2].version]
            heapq.heapify(self._heap)
        while self._heap and self._heap[0][3] != self._heap[0][2].version:
            heapq.heappop(self._heap)
        if self._heap and self._heap[0][0] < self._timer_at:
            self._timer_at = self._heap[0][0]
            self._timer = self.env.timeout(max(0.0, self._timer_at - self.env.now))
            self._timer.callbacks.append(self._on_timer)

    def _on_timer(self, event: Any) -> None:
        now = self.env.now
        if event is self._timer:  # by identity: now may differ from _timer_at by float rounding
            self._timer_at = math.inf
            self._timer = None
        changed: set[_Group] = set()
        while self._heap and self._heap[0][0] <= now * (1 + 1e-12) + 1e-12:
            _, _, g, version = heapq.heappop(self._heap)
            if version != g.version:
                continue
            self._settle(g)
            self._prune(g)
            while g.ends and g.ends[0][0] - g.service <= _EPS_BYTES + 1e-12 * g.ends[0][0]:
                _, _, flow = heapq.heappop(g.ends)
                if flow in g.flows:
                    del g.flows[flow]
                    flow.done.succeed(flow)
                self._prune(g)
            changed.add(g)
            self._drop_if_empty(g)
        if changed:
            self._resolve(changed)
        else:
            self._arm_timer()


MBPS_TO_BYTES_PER_S = 1e6 / 8


class Capacities:
    """Resources numbered on first use with their capacity in bytes/s (60,000 links at 10,000 nodes)."""

    def __init__(self, topo: Any, factor: float) -> None:
        self.topo, self.factor = topo, factor
        self.ids: dict[Any, int] = {}
        self.values: list[float] = []

    def rid(self, key: Any) -> int:
        """The integer id of resource `key` ("u", node) | ("d", node) | (node, node)."""
        found = self.ids.get(key)
        if found is not None:
            return found
        kind = key[0]
        if kind == "u":
            mbps = self.topo.upload_mbps(key[1])
        elif kind == "d":
            mbps = self.topo.download_mbps(key[1])
        else:
            mbps = self.topo.graph.edges[key]["capacity_mbps"]
        self.ids[key] = len(self.values)
        self.values.append(mbps * MBPS_TO_BYTES_PER_S * self.factor)
        return self.ids[key]
