"""Real network emulation: every peer, and the client, in its own Linux network namespace.

Needs root and iproute2 (`ip netns add`, veth, bridge, `tc qdisc ... tbf`); `netns_unavailable()`
says why not otherwise, and callers fall back to application-layer shaping.

Topology: a star. Each namespace (peer i, plus one `client` namespace that runs `retrieve()`)
hangs off one Linux bridge in the host namespace by a veth pair, so namespaces reach each other
through the bridge (layer 2, no IP forwarding) and the host reaches all of them on the bridge's
address. A member's upload is shaped by a tbf on its namespace-side veth (egress towards the
bridge); its download by a tbf on the bridge-side veth (egress towards the member), which holds
everything sent to it by every peer together, as an access link does. `tc netem` does not exist on
these kernels, so latency is added in user space by each peer. Namespaces are named
`abipfs<pid>n<i>` (client: `abipfs<pid>c`), the bridge `abbr<pid>`; all are removed on exit.

Retrievals and distributions run inside the namespaces (peer_process's admin routes): the host
only sends the command and reads back the measured `Retrieval`. Content is placed before any
shaping is applied, so placement does not pay the emulated bandwidth.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import sys
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from accelbench.ipfs.car import write_car
from accelbench.ipfs.retrieval import Retrieval
from accelbench.ipfs.swarm import Swarm, SwarmConfig, leech_providers
from accelbench.ipfs.unixfs import dfs_order

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.shaping import LinkConditions
    from accelbench.ipfs.unixfs import ImportedFile

PEER_PORT = 8080
ADMIN_CONNECT_S = 10.0  # a member process that does not accept the command within this is broken


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
    _ip("tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", f"{int(rate_bps)}bit", "burst",
        f"{burst}b", "latency", "200ms", ns=ns)  # fmt: skip


def _untbf(dev: str, ns: str | None = None) -> None:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + ["tc", "qdisc", "del", "dev", dev, "root"]
    subprocess.run(cmd, capture_output=True)  # "no qdisc" is fine


def retrieval_from_reply(reply: dict[str, Any]) -> Retrieval:
    """The Retrieval a namespace process measured, from its JSON reply (see peer_process)."""
    row = reply["retrieval"]
    known = {f.name for f in fields(Retrieval)}
    out = Retrieval(**{k: v for k, v in row.items() if k in known and k != "data"})
    if reply.get("data_b64") is not None:
        out.data = base64.b64decode(reply["data_b64"])
    return out


class NetnsSwarm(Swarm):
    """Peers and the client as processes in their own namespaces; same surface as Swarm."""

    def __init__(self, config: SwarmConfig) -> None:
        super().__init__(config)
        tag = os.getpid() % 100000
        self._names = [f"abipfs{tag}n{i}" for i in range(config.peer_count)] + [f"abipfs{tag}c"]
        self._bridge = f"abbr{tag}"
        self._subnet = 64 + tag % 128  # second octet, so parallel runs rarely collide
        self._procs: list[subprocess.Popen] = []
        self._holding: dict[bytes, set[int]] = {}
        self._shaped = False

    # -- life cycle ----------------------------------------------------------------------------
    async def __aenter__(self) -> NetnsSwarm:
        try:
            _ip("ip", "link", "add", self._bridge, "type", "bridge")
            _ip("ip", "addr", "add", f"10.{self._subnet}.0.1/16", "dev", self._bridge)
            _ip("ip", "link", "set", self._bridge, "up")
            for k, ns in enumerate(self._names):
                self._link(k, ns)
                self._procs.append(self._spawn(k, ns))
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
            # Deleting the veth now frees its name at once; the kernel frees a namespace's devices
            # only later, so a swarm started right after this one would find the names taken.
            subprocess.run(["ip", "link", "del", self._ifs(ns)[0]], capture_output=True)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", self._bridge], capture_output=True)

    def _addr(self, k: int) -> str:
        return f"10.{self._subnet}.{1 + k // 250}.{2 + k % 250}"

    def _ifs(self, ns: str) -> tuple[str, str]:
        return f"{ns}h"[-15:], f"{ns}p"[-15:]

    def _link(self, k: int, ns: str) -> None:
        host_if, ns_if = self._ifs(ns)
        _ip("ip", "netns", "add", ns)
        _ip("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("ip", "link", "set", ns_if, "netns", ns)
        _ip("ip", "link", "set", host_if, "master", self._bridge)
        _ip("ip", "link", "set", host_if, "up")
        _ip("ip", "addr", "add", f"{self._addr(k)}/16", "dev", ns_if, ns=ns)
        _ip("ip", "link", "set", ns_if, "up", ns=ns)
        _ip("ip", "link", "set", "lo", "up", ns=ns)

    def _conditions(self, k: int) -> LinkConditions:
        return self.config.conditions_by_peer.get(k, self.config.conditions)

    def _spawn(self, k: int, ns: str) -> subprocess.Popen:
        cond = self._conditions(k)
        cmd = ["ip", "netns", "exec", ns, sys.executable, "-m", "accelbench.ipfs.peer_process",
               "--host", self._addr(k), "--port", str(PEER_PORT), "--admin",
               "--latency-ms", str(cond.latency_ms), "--jitter-ms", str(cond.jitter_ms)]  # fmt: skip
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)

    @staticmethod
    def _wait_ready(proc: subprocess.Popen) -> None:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("ready"):
            raise RuntimeError(f"peer process did not start (exit {proc.poll()})")

    def _shape(self, on: bool) -> None:
        """Install (or remove) every member's upload and download tbf."""
        if on == self._shaped:
            return
        for k, ns in enumerate(self._names):
            host_if, ns_if = self._ifs(ns)
            cond = self._conditions(k)
            if on and cond.upload_bps:
                _tbf(ns_if, cond.upload_bps, ns=ns)
            if on and cond.download_bps:
                _tbf(host_if, cond.download_bps)
            if not on:
                _untbf(ns_if, ns=ns)
                _untbf(host_if)
        self._shaped = on

    # -- Swarm surface -------------------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        """Base URLs of the namespace peers (not the client), then the external ones."""
        return self._peer_urls + list(self.config.peer_urls)

    @property
    def _peer_urls(self) -> list[str]:
        return [f"http://{self._addr(k)}:{PEER_PORT}" for k in range(self.config.peer_count)]

    @property
    def _client_url(self) -> str:
        return f"http://{self._addr(self.config.peer_count)}:{PEER_PORT}"

    def place(self, imported: ImportedFile, on: list[int]) -> None:
        """Upload the file as a CAR to the peers at `on` (they verify every block), unshaped."""
        import urllib.request

        self._shape(False)
        car = write_car([imported.root], dfs_order(imported.blocks, imported.root))
        for i in on:
            url = f"{self._peer_urls[i]}/admin/car"
            req = urllib.request.Request(url, data=car, method="POST")
            with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (our own namespace peer)
                resp.read()
        self._holding.setdefault(bytes(imported.root), set()).update(on)

    def holders(self, root: CID) -> list[str]:
        """URLs of the namespace peers given this root, then every external peer."""
        held = sorted(self._holding.get(bytes(root), set()))
        return [self._peer_urls[i] for i in held] + list(self.config.peer_urls)

    async def retrieve(
        self,
        strategy: str,
        root: CID,
        providers: list[str],
        *,
        timeout_s: float = 10.0,
        keep_data: bool = False,
        **overrides: Any,
    ) -> Retrieval:
        """One retrieval run by the client namespace (fresh blockstore, cold cache, shaped links)."""
        self._shape(True)
        return await self._command(
            self._client_url, strategy, root, providers, timeout_s, keep_data, own_store=False, **overrides
        )

    async def distribute(
        self, strategy: str, root: CID, seeds: list[int], *, timeout_s: float = 30.0, **overrides: Any
    ) -> list[Retrieval]:
        """Every non-seed peer fetches `root` at once into its own blockstore, serving what it holds."""
        self._shape(True)
        urls = self._peer_urls
        leeches = [i for i in range(len(urls)) if i not in seeds]
        results = await asyncio.gather(
            *(
                self._command(
                    urls[i],
                    strategy,
                    root,
                    leech_providers(i, urls, seeds),
                    timeout_s,
                    False,
                    own_store=True,
                    **overrides,
                )  # fmt: skip
                for i in leeches
            )
        )
        for i, r in zip(leeches, results, strict=True):
            if r.success:
                self._holding.setdefault(bytes(root), set()).add(i)
        return list(results)

    async def _command(
        self,
        member_url: str,
        strategy: str,
        root: CID,
        providers: list[str],
        timeout_s: float,
        keep_data: bool,
        *,
        own_store: bool,
        **overrides: Any,
    ) -> Retrieval:
        import aiohttp

        body = {
            "strategy": strategy,
            "root": str(root),
            "providers": providers,
            "timeout_s": timeout_s,
            "keep_data": keep_data,
            "own_store": own_store,
            "overrides": overrides,
        }
        # No overall limit: the retrieval inside the namespace ends by its own per-request timeouts
        # (a large file may take long); a member process that dies closes the connection.
        limit = aiohttp.ClientTimeout(total=None, connect=ADMIN_CONNECT_S)
        url = f"{member_url}/admin/retrieve"
        async with aiohttp.ClientSession(timeout=limit) as session, session.post(url, json=body) as resp:
            if resp.status != 200:
                raise RuntimeError(f"{url}: HTTP {resp.status}: {await resp.text()}")
            return retrieval_from_reply(await resp.json())
