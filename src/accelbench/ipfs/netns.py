"""Real network emulation: each peer in its own Linux network namespace behind a veth pair with tbf.

Needs root and iproute2 (`ip netns add`, veth, `tc qdisc ... tbf`); `netns_unavailable()` says why
not otherwise, and callers fall back to application-layer shaping. `tc netem` does not exist on
these kernels, so latency is still added in user space by the peer. The peer's upload is shaped
by a tbf on its namespace-side veth (egress towards the client), the client's download by a tbf
on the host-side veth of each link. Namespaces are named `abipfs<pid>n<i>` and removed on exit.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from accelbench.ipfs.car import write_car
from accelbench.ipfs.swarm import Swarm, SwarmConfig
from accelbench.ipfs.unixfs import dfs_order

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.unixfs import ImportedFile

PEER_PORT = 8080


def netns_unavailable() -> str | None:
    """Why namespaces cannot be used here (None when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None or shutil.which("tc") is None:
        return "iproute2 (ip, tc) is not installed"
    probe = f"abprobe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")


def _tbf(dev: str, rate_bps: float, ns: str | None = None) -> None:
    burst = max(16_000, int(rate_bps / 8 / 100))  # >= 10 ms of traffic, so tbf can reach its rate
    _ip("tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{int(rate_bps)}bit", "burst", f"{burst}b",
        "latency", "200ms", ns=ns)  # fmt: skip


class NetnsSwarm(Swarm):
    """Peers as processes in their own namespaces; same surface as Swarm (retrieve, place, holders)."""

    def __init__(self, config: SwarmConfig) -> None:
        super().__init__(config)
        tag = os.getpid() % 100000
        self._names = [f"abipfs{tag}n{i}" for i in range(config.peer_count)]
        self._procs: list[subprocess.Popen] = []
        self._urls: list[str] = []
        self._holding: dict[bytes, set[int]] = {}
        self._subnet = 64 + tag % 128  # second octet, so parallel runs rarely collide

    async def __aenter__(self) -> NetnsSwarm:
        try:
            for i, ns in enumerate(self._names):
                self._urls.append(self._link(i, ns))
                self._procs.append(self._spawn(i, ns))
            await asyncio.gather(*(asyncio.to_thread(self._wait_ready, p) for p in self._procs))
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self._procs:
            proc.kill()
            proc.wait()
        for ns in self._names:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # deletes its veth too

    def _link(self, i: int, ns: str) -> str:
        host_if, ns_if = f"{ns}h"[-15:], f"{ns}p"[-15:]
        host_ip, peer_ip = f"10.{self._subnet}.{i}.1", f"10.{self._subnet}.{i}.2"
        _ip("ip", "netns", "add", ns)
        _ip("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("ip", "link", "set", ns_if, "netns", ns)
        _ip("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
        _ip("ip", "link", "set", host_if, "up")
        _ip("ip", "addr", "add", f"{peer_ip}/30", "dev", ns_if, ns=ns)
        _ip("ip", "link", "set", ns_if, "up", ns=ns)
        _ip("ip", "link", "set", "lo", "up", ns=ns)
        cond = self.config.conditions
        if cond.upload_bps:
            _tbf(ns_if, cond.upload_bps, ns=ns)
        if cond.download_bps:
            _tbf(host_if, cond.download_bps)
        return f"http://{peer_ip}:{PEER_PORT}"

    def _spawn(self, i: int, ns: str) -> subprocess.Popen:
        cond = self.config.conditions
        cmd = ["ip", "netns", "exec", ns, sys.executable, "-m", "accelbench.ipfs.peer_process",
               "--host", f"10.{self._subnet}.{i}.2", "--port", str(PEER_PORT), "--admin",
               "--latency-ms", str(cond.latency_ms), "--jitter-ms", str(cond.jitter_ms)]  # fmt: skip
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)

    @staticmethod
    def _wait_ready(proc: subprocess.Popen) -> None:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("ready"):
            raise RuntimeError(f"peer process did not start (exit {proc.poll()})")

    @property
    def urls(self) -> list[str]:
        """Base URLs of the namespace peers, then the external ones."""
        return self._urls + list(self.config.peer_urls)

    def place(self, imported: ImportedFile, on: list[int]) -> None:
        """Upload the file as a CAR to the peers at `on` (they verify every block)."""
        import urllib.request

        car = write_car([imported.root], dfs_order(imported.blocks, imported.root))
        for i in on:
            req = urllib.request.Request(f"{self._urls[i]}/admin/car", data=car, method="POST")
            with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (our own namespace peer)
                resp.read()
        self._holding.setdefault(bytes(imported.root), set()).update(on)

    def holders(self, root: CID) -> list[str]:
        """URLs of the namespace peers given this root, then every external peer."""
        held = sorted(self._holding.get(bytes(root), set()))
        return [self._urls[i] for i in held] + list(self.config.peer_urls)

    async def distribute(self, *args, **kwargs):
        """Not available: leeches would have to run inside namespaces too."""
        raise NotImplementedError("distribution runs with application-layer shaping only (see docs/ipfs.md)")
