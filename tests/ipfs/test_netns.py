"""Peers, and the client, in real network namespaces with tbf shaping (root + iproute2 only; skipped otherwise)."""

from __future__ import annotations

import random
import subprocess

import pytest

from accelbench.ipfs.netns import NetnsSwarm, netns_unavailable
from accelbench.ipfs.shaping import LinkConditions
from accelbench.ipfs.swarm import SwarmConfig
from accelbench.ipfs.unixfs import import_file

REASON = netns_unavailable()
pytestmark = [
    pytest.mark.network_ns,
    pytest.mark.skipif(REASON is not None, reason=f"no namespaces: {REASON}"),
]


def test_tbf_shaped_namespace_peers_serve_verified_bytes_at_their_rate(run):
    content = random.Random(5).randbytes(2 * 1024 * 1024)
    imported = import_file(content, "legacy-cidv1")
    shaped = LinkConditions(upload_bps=20e6, shaping="netns-tbf")

    async def scenario():
        async with NetnsSwarm(SwarmConfig(peer_count=2, conditions=shaped)) as swarm:
            swarm.place(imported, [0, 1])
            providers = swarm.holders(imported.root)
            std = await swarm.retrieve("standard", imported.root, providers, keep_data=True)
            acc = await swarm.retrieve("accelerated", imported.root, providers, keep_data=True)
            return std, acc, list(swarm._names)

    standard, accelerated, names = run(scenario())
    assert standard.data == content and accelerated.data == content
    # the kernel's tbf, not the peer, holds one peer near 20 Mbit/s (payload; headers and TCP take the rest)
    assert 12 < standard.throughput_mbps < 20.5
    assert accelerated.throughput_mbps > 1.5 * standard.throughput_mbps
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert not any(name in listed for name in names)  # cleaned up


def test_bench_records_netns_shaping(cli_runner, tmp_path):
    from accelbench.cli.main import cli
    from accelbench.storage import Store

    db = tmp_path / "t.duckdb"
    result = cli_runner.invoke(cli, [
        "ipfs", "bench", "--content-sizes", "256KiB", "--strategies", "standard", "--peer-counts", "2",
        "--iterations", "1", "--bandwidth", "50mbit", "--shaping", "netns", "--db", str(db),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = Store(db, read_only=True).query("SELECT shaping, tier FROM ipfs_acceleration_metrics")
    assert row == {"shaping": "netns-tbf", "tier": "emulated"}


def test_client_download_limit_holds_across_all_providers(run):
    # Two unshaped seeds; only the client's download is limited. Before the bridge topology the
    # tbf sat on the wrong direction and this retrieval ran at ~1 Gbit/s.
    content = random.Random(7).randbytes(3 * 1024 * 1024)
    imported = import_file(content, "legacy-cidv1")
    cond = LinkConditions(download_bps=16e6, shaping="netns-tbf")

    async def scenario():
        async with NetnsSwarm(SwarmConfig(peer_count=2, conditions=cond)) as swarm:
            swarm.place(imported, [0, 1])
            return await swarm.retrieve("accelerated", imported.root, swarm.holders(imported.root),
                                        keep_data=True, timeout_s=30)  # fmt: skip

    got = run(scenario())
    assert got.success and got.data == content
    assert 8 < got.throughput_mbps < 16.5  # both providers together stay under the client's 16 Mbit/s


def test_leeches_in_namespaces_fetch_from_each_other(run):
    # One seed whose upload is the bottleneck; four leeches, each in its own namespace, fetch at once
    # into their own blockstores and serve what they hold. (Before slow peers were kept as a last
    # resort, a leech whose hedge beat the seed dropped it and then failed on a block no leech had.)
    content = random.Random(8).randbytes(4 * 1024 * 1024)
    imported = import_file(content, "legacy-cidv1")
    cond = LinkConditions(upload_bps=40e6, shaping="netns-tbf")

    async def scenario():
        async with NetnsSwarm(SwarmConfig(peer_count=5, conditions=cond)) as swarm:
            swarm.place(imported, [0])
            results = await swarm.distribute("accelerated", imported.root, seeds=[0], timeout_s=30)
            # a leech that finished now serves the file: fetch it from leech 1 alone, verifying every block
            again = await swarm.retrieve("standard", imported.root, [swarm.urls[1]], keep_data=True)
            return results, again, list(swarm._names), swarm._bridge

    results, again, names, bridge = run(scenario())
    assert len(results) == 4 and all(r.success for r in results), [r.error for r in results]
    assert all(r.payload_bytes == len(content) for r in results)
    assert again.success and again.data == content
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    links = subprocess.run(["ip", "link"], capture_output=True, text=True).stdout
    assert not any(name in listed for name in names) and bridge not in links  # cleaned up
