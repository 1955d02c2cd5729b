"""Kademlia walks: they find the true k closest nodes, in O(log n) hops."""

from __future__ import annotations

import math

from accelbench.simulation.dht import Kademlia


def test_walk_finds_the_k_closest_nodes():
    dht = Kademlia(2000, seed=3)
    for q in range(25):
        key = dht.key_for(f"content-{q}")
        result = dht.walk(q * 7, key)
        assert result.closest == dht.closest_brute_force(key)


def test_hops_grow_logarithmically():
    mean_hops = {}
    for n in (128, 4096):
        dht = Kademlia(n, seed=1)
        hops = [dht.walk(q, dht.key_for(f"k{q}")).hops for q in range(40)]
        assert max(hops) <= math.ceil(math.log2(n))
        mean_hops[n] = sum(hops) / len(hops)
    # 32x more nodes: log2 grows by 5; Kademlia's k-buckets cover ~log2(k) bits per hop, so < 2 more hops
    assert 0 < mean_hops[4096] - mean_hops[128] < 2


def test_walk_reports_when_a_record_holder_answered():
    dht = Kademlia(1000, seed=0, rtt_ms=lambda a, b: 10.0)
    key = dht.key_for("x")
    result = dht.walk(5, key, holders=set(dht.closest_brute_force(key)))
    assert result.holder_reached_ms is not None
    assert result.holder_reached_ms <= result.latency_ms == 10.0 * result.rounds
