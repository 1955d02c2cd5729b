"""Retrieval strategies over real loopback peers: correct bytes, parallel speed-up, bad peers survived."""

from __future__ import annotations

import random

import pytest

from accelbench.errors import InputError
from accelbench.ipfs.cids import verify_block
from accelbench.ipfs.gateway import Misbehaviour
from accelbench.ipfs.shaping import LinkConditions
from accelbench.ipfs.strategies import STRATEGIES, get_strategy
from accelbench.ipfs.swarm import Swarm, SwarmConfig
from accelbench.ipfs.unixfs import import_file

STRATEGY_NAMES = ["standard", "accelerated", "range-split"]


def test_registry_holds_the_three_strategies_and_rejects_unknown_names():
    assert set(STRATEGY_NAMES) <= set(STRATEGIES)
    assert get_strategy("accelerated", want_window=4).config.want_window == 4
    with pytest.raises(InputError, match="unknown strategy"):
        get_strategy("teleport")


def test_three_peers_every_strategy_returns_the_exact_bytes(run, content_2mib):
    imported = import_file(content_2mib, "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=3)) as swarm:
            swarm.place(imported, [0, 1, 2])
            return {s: await swarm.retrieve(s, imported.root, swarm.holders(imported.root), keep_data=True)
                    for s in STRATEGY_NAMES}  # fmt: skip

    results = run(scenario())
    for name, r in results.items():
        assert r.success, (name, r.error)
        assert r.data == content_2mib and r.payload_bytes == len(content_2mib)
        assert r.ttfb_ms is not None and r.ttlb_ms is not None and r.ttfb_ms <= r.ttlb_ms
        assert 0.95 < r.bandwidth_efficiency <= 1.0
    assert results["standard"].peers_contributing == 1
    assert results["accelerated"].peers_contributing == 3
    assert results["accelerated"].duplicate_blocks == 0
    assert results["range-split"].peers_contributing == 3


def test_accelerated_beats_standard_with_bandwidth_limited_peers(run, content_2mib):
    imported = import_file(content_2mib, "legacy-cidv1")
    limited = LinkConditions(upload_bps=40e6)  # 2 MiB take ~0.42 s from one peer, ~0.14 s from three

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=3, conditions=limited)) as swarm:
            swarm.place(imported, [0, 1, 2])
            providers = swarm.holders(imported.root)
            return [await swarm.retrieve(s, imported.root, providers) for s in ("standard", "accelerated")]

    standard, accelerated = run(scenario())
    assert standard.success and accelerated.success
    assert accelerated.throughput_mbps > 1.8 * standard.throughput_mbps, (
        standard.ttlb_ms,
        accelerated.ttlb_ms,
    )
    assert standard.throughput_mbps < 42  # the bucket holds one peer to its 40 Mbit/s upload (+ 64 KiB burst)


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
@pytest.mark.parametrize(
    "bad",
    [Misbehaviour(corrupt=True), Misbehaviour(stall_s=30), Misbehaviour(disconnect_after_bytes=100_000)],
    ids=["corrupt", "stall", "disconnect"],
)
def test_retrieval_completes_despite_a_bad_peer(run, content_2mib, strategy, bad):
    imported = import_file(content_2mib, "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=3, misbehaviour={0: bad})) as swarm:
            swarm.place(imported, [0, 1, 2])
            providers = swarm.holders(imported.root)  # the bad peer is asked first
            r = await swarm.retrieve(strategy, imported.root, providers, timeout_s=1.0, keep_data=True)
            return r, providers[0]

    result, bad_url = run(scenario())
    assert result.success, result.error
    assert result.data == content_2mib
    assert bad_url in result.bad_peers, result.bad_peers
    assert len(result.bad_peers) == 1


def test_nothing_unverified_reaches_the_client_store(run, content_2mib):
    from accelbench.ipfs.blockstore import Blockstore
    from accelbench.ipfs.cids import cid_from_bytes
    from accelbench.ipfs.transport import HttpTransport

    imported = import_file(content_2mib, "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=2, misbehaviour={0: Misbehaviour(corrupt=True)})) as swarm:
            swarm.place(imported, [0, 1])
            store = Blockstore()
            async with HttpTransport(timeout_s=2) as transport:
                r = await get_strategy("accelerated").retrieve(transport, imported.root, swarm.holders(imported.root),
                                                               store=store)  # fmt: skip
            return r, store

    result, store = run(scenario())
    assert result.success and len(store) == len(imported.blocks)
    for key in imported.blocks:
        verify_block(cid_from_bytes(key), store.get(cid_from_bytes(key)))


def test_no_provider_has_it_fails_cleanly(run):
    imported = import_file(b"nobody has this")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=2)) as swarm:
            return [
                await swarm.retrieve(s, imported.root, [p.url for p in swarm.peers]) for s in STRATEGY_NAMES
            ]

    for result in run(scenario()):
        assert not result.success and result.error and result.data is None


def test_distribution_every_leech_ends_with_the_whole_file(run):
    content = random.Random(3).randbytes(1024 * 1024)
    imported = import_file(content, "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=5)) as swarm:
            swarm.place(imported, [0])
            results = await swarm.distribute("accelerated", imported.root, seeds=[0], timeout_s=5)
            return results, [len(p.blockstore) for p in swarm.peers]

    results, held = run(scenario())
    assert len(results) == 4 and all(r.success for r in results)
    assert held == [len(imported.blocks)] * 5


def test_accelerated_hedges_around_a_stalled_peer_long_before_the_timeout(run, content_2mib):
    imported = import_file(content_2mib, "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=3, misbehaviour={0: Misbehaviour(stall_s=30)})) as swarm:
            swarm.place(imported, [0, 1, 2])
            return await swarm.retrieve("accelerated", imported.root, swarm.holders(imported.root),
                                        timeout_s=20, hedge_initial_ms=300)  # fmt: skip

    result = run(scenario())
    assert result.success
    assert result.ttlb_ms < 5000  # the 20 s timeout never fired: a hedge went to another peer
    assert any("too slow" in why for why in result.bad_peers.values()), result.bad_peers


def test_added_latency_costs_standard_one_round_trip_per_block_and_accelerated_picks_the_fast_peer(run):
    content = random.Random(4).randbytes(3 * 256 * 1024)  # root + 3 leaves
    imported = import_file(content, "legacy-cidv1")
    slow, fast = LinkConditions(latency_ms=60), LinkConditions(latency_ms=5)

    async def scenario():
        config = SwarmConfig(peer_count=2, conditions_by_peer={0: slow, 1: fast})
        async with Swarm(config) as swarm:
            swarm.place(imported, [0, 1])
            providers = swarm.holders(imported.root)  # the slow peer first
            std = await swarm.retrieve("standard", imported.root, providers)
            acc = await swarm.retrieve("accelerated", imported.root, providers, want_window=1)
            return std, acc, providers

    standard, accelerated, providers = run(scenario())
    assert standard.ttlb_ms >= 4 * 60  # four blocks, each one request to the slow first provider
    # after the root (slow peer) the untried fast peer is tried, then keeps the blocks: ~60 + 3 x 5 ms
    assert accelerated.ttlb_ms < 0.6 * standard.ttlb_ms
    assert accelerated.peers_contributing == 2


@pytest.mark.parametrize(
    ("links_per_node", "peers"),
    [(174, 4), (8, 3), (32, 2)],
    ids=["one-level", "subtrees-as-CARs", "big-subtree-opened"],
)
def test_range_split_receives_every_block_exactly_once(run, links_per_node, peers):
    from accelbench.ipfs.unixfs import ImportProfile

    content = random.Random(9).randbytes(3 * 1024 * 1024)
    imported = import_file(content, ImportProfile("test", 64 * 1024, links_per_node, True))

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=peers)) as swarm:
            swarm.place(imported, list(range(peers)))
            r = await swarm.retrieve(
                "range-split", imported.root, swarm.holders(imported.root), keep_data=True
            )
            return r, [p.counters.blocks_sent for p in swarm.peers]

    result, sent = run(scenario())
    assert result.success and result.data == content
    assert result.duplicate_blocks == 0
    assert result.blocks_received == len(imported.blocks) == sum(sent)
    assert all(sent), sent  # every provider served a range
