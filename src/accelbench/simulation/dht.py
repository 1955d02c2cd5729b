"""A Kademlia DHT over the simulated nodes: XOR distance on 256-bit ids, k-buckets, iterative α-walks.

Routing tables are ideal and built lazily: bucket i of node n holds up to k nodes that share
exactly i leading bits with n, drawn (seeded) from all such nodes. Because ids are kept sorted,
each bucket is a contiguous range of the sorted ids, so a table costs a few bisections, and a
10,000-node DHT never materialises its ~3 million contacts.

A walk queries α not-yet-queried nodes closest to the target per round and stops when the k
closest nodes it has heard of have all answered. A round lasts as long as its slowest RPC (the
round-trip time of the direct underlay latency). `hops` counts referrals from the start node to
the nearest node found (the classic O(log n) figure); `rounds` counts α-parallel rounds.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ID_BITS = 256
K = 20
ALPHA = 3


@dataclass
class WalkResult:
    """Outcome of one DHT walk: the k closest nodes, hops to the nearest, latency in ms, RPCs sent."""

    closest: list[int]  # node indices, nearest first
    hops: int  # referral hops from the start node to the nearest node found
    latency_ms: float  # until the walk ended (every one of the k nearest answered)
    queried: int  # FIND_NODE RPCs sent
    holder_reached_ms: float | None = None  # when a node holding the key's records first answered
    rounds: int = 0  # α-parallel rounds; a round lasts as long as its slowest RPC


class Kademlia:
    """Seeded Kademlia DHT of `nodes` nodes; `rtt_ms(a, b)` gives the RPC round-trip time."""

    def __init__(
        self,
        nodes: int,
        *,
        seed: int = 0,
        k: int = K,
        alpha: int = ALPHA,
        rtt_ms: Callable[[int, int], float] | None = None,
    ) -> None:
        rng = random.Random(seed)
        self.k, self.alpha, self.seed = k, alpha, seed
        self.ids = [rng.getrandbits(ID_BITS) for _ in range(nodes)]
        order = sorted(range(nodes), key=self.ids.__getitem__)
        self._sorted_ids = [self.ids[i] for i in order]
        self._sorted_nodes = order
        self._tables: dict[int, list[list[int]]] = {}
        self._rtt = rtt_ms or (lambda a, b: 0.0)

    def key_for(self, name: str) -> int:
        """A 256-bit key for a content name (sha2-256, as IPFS keys provider records)."""
        import hashlib

        return int.from_bytes(hashlib.sha256(name.encode()).digest(), "big")

    def closest_brute_force(self, key: int, count: int | None = None) -> list[int]:
        """The `count` (default k) nodes nearest to `key` by XOR, by sorting every node."""
        return sorted(range(len(self.ids)), key=lambda n: self.ids[n] ^ key)[: count or self.k]

    def _bucket_range(self, node: int, i: int) -> tuple[int, int]:
        nid = self.ids[node]
        shift = ID_BITS - i - 1
        prefix = ((nid >> shift) ^ 1) << shift  # n's first i bits, then bit i flipped
        lo = bisect.bisect_left(self._sorted_ids, prefix)
        hi = bisect.bisect_left(self._sorted_ids, prefix + (1 << shift))
        return lo, hi

    def _sharing(self, node: int, bits: int) -> int:
        shift = ID_BITS - bits
        prefix = (self.ids[node] >> shift) << shift
        lo = bisect.bisect_left(self._sorted_ids, prefix)
        return bisect.bisect_left(self._sorted_ids, prefix + (1 << shift)) - lo

    def table(self, node: int) -> list[list[int]]:
        """Node's k-buckets: bucket i = up to k nodes sharing exactly i leading id bits with it."""
        table = self._tables.get(node)
        if table is not None:
            return table
        rng = random.Random(self.seed * 1_000_003 + node)
        table = []
        for i in range(ID_BITS):
            lo, hi = self._bucket_range(node, i)
            if hi - lo <= self.k:
                picks: Sequence[int] = range(lo, hi)
            else:
                picks = sorted(rng.sample(range(lo, hi), self.k))
            table.append([self._sorted_nodes[j] for j in picks])
            if self._sharing(node, i + 1) <= 1:
                break  # only n itself shares i+1 bits: every deeper bucket is empty
        self._tables[node] = table
        return table

    def find_node(self, node: int, key: int) -> list[int]:
        """The k contacts in `node`'s table nearest to `key` (one FIND_NODE RPC's answer)."""
        table = self.table(node)
        cpl = ID_BITS - (self.ids[node] ^ key).bit_length()  # common prefix length
        # bucket cpl holds the nearest contacts; deeper buckets come next, then shallower ones
        candidates = [c for b in table[cpl:] for c in b] if cpl < len(table) else []
        if len(candidates) < self.k:
            candidates += [c for b in table[max(0, cpl - 2) : cpl] for c in b]
        candidates.sort(key=lambda c: self.ids[c] ^ key)
        return candidates[: self.k]

    def walk(self, start: int, key: int, holders: set[int] | None = None) -> WalkResult:
        """Iterative lookup from `start` for `key`; `holders` (nodes with the records) sets holder_reached_ms."""
        ids = self.ids
        known = {start: ids[start] ^ key}
        depth = {start: 0}  # hops from start: a contact learned from a node at depth d is at d + 1
        for c in self.find_node(start, key):
            known.setdefault(c, ids[c] ^ key)
            depth.setdefault(c, 1)
        queried = {start}
        latency_ms, rounds, rpcs = 0.0, 0, 0
        reached: float | None = None
        while True:
            nearest = sorted(known, key=known.__getitem__)[: self.k]
            todo = [c for c in nearest if c not in queried][: self.alpha]
            if not todo:
                break
            rounds += 1
            for c in todo:
                queried.add(c)
                rpcs += 1
                if reached is None and holders and c in holders:
                    reached = latency_ms + self._rtt(start, c)
                for d in self.find_node(c, key):
                    if d not in known:
                        known[d] = ids[d] ^ key
                        depth[d] = depth[c] + 1
            latency_ms += max(self._rtt(start, c) for c in todo)
        closest = sorted(known, key=known.__getitem__)[: self.k]
        return WalkResult(closest, depth[closest[0]], latency_ms, rpcs, reached, rounds)
