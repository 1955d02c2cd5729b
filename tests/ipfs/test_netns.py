"""Peers in real network namespaces with tbf shaping (root + iproute2 only; skipped otherwise)."""

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
