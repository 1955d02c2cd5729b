"""Namespace emulation, per member: the client's download limit holds, and leeches in their own namespaces
distribute a file among themselves (root + iproute2 only; skipped otherwise)."""

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
