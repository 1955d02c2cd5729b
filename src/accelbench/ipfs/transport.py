"""How strategies reach peers: the `Transport` interface and its HTTP (Trustless Gateway) implementation.

Strategies only call `fetch_block` and `fetch_range`; the simulator can provide its own transport.
Transports count every byte they receive (bodies and headers, duplicates included) so the
bandwidth-efficiency ratio is measured, not estimated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from accelbench.errors import require
from accelbench.ipfs.car import CarError, CarStreamReader

if TYPE_CHECKING:
    from multiformats import CID

RAW_ACCEPT = "application/vnd.ipld.raw"
CAR_ACCEPT = "application/vnd.ipld.car; version=1; order=dfs; dups=n"
READ_PIECE_BYTES = 256 * 1024


class PeerError(Exception):
    """A request to a peer that did not yield what was asked."""

    def __init__(self, peer: str, message: str) -> None:
        super().__init__(f"{peer}: {message}")
        self.peer = peer


class PeerMissing(PeerError):
    """The peer does not have the block (HTTP 404): not its fault."""


class PeerFailed(PeerError):
    """Timeout, reset, bad status or bad bytes: the peer is penalised."""


@dataclass
class PeerTraffic:
    """Bytes and requests exchanged with one peer."""

    requests: int = 0
    bytes_received: int = 0
    failures: int = 0


@dataclass
class TransportStats:
    """Everything a transport received, per peer."""

    peers: dict[str, PeerTraffic] = field(default_factory=dict)

    def peer(self, url: str) -> PeerTraffic:
        """The counters of one peer (created on first use)."""
        return self.peers.setdefault(url, PeerTraffic())

    @property
    def bytes_received(self) -> int:
        """All bytes received from all peers (bodies, headers, duplicates, failed transfers)."""
        return sum(p.bytes_received for p in self.peers.values())


class Transport(Protocol):
    """What a retrieval strategy needs from the network."""

    stats: TransportStats

    async def fetch_block(self, peer: str, cid: CID) -> bytes:
        """One block's bytes, unverified; PeerMissing or PeerFailed otherwise."""
        ...

    def fetch_range(self, peer: str, root: CID, start: int, end: int) -> AsyncIterator[tuple[CID, bytes]]:
        """Verified blocks of the file's bytes [start, end] (a CAR stream); PeerError otherwise."""
        ...


class HttpTransport:
    """Transport over HTTP to Trustless Gateway peers (aiohttp); use `async with`."""

    def __init__(
        self, timeout_s: float = 30.0, connections_per_peer: int = 8, download_bps: float | None = None
    ) -> None:
        from accelbench.ipfs.shaping import TokenBucket

        self.timeout_s = timeout_s
        self.connections_per_peer = connections_per_peer
        self._download = TokenBucket(download_bps)
        self.stats = TransportStats()
        self._session: Any = None

    async def __aenter__(self) -> HttpTransport:
        aiohttp = require("aiohttp", "ipfs")
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=self.connections_per_peer)
        self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._session.close()

    async def fetch_block(self, peer: str, cid: CID) -> bytes:
        """GET /ipfs/{cid} as application/vnd.ipld.raw."""
        parts = []
        async for piece in self._get(peer, f"/ipfs/{cid}", RAW_ACCEPT):
            parts.append(piece)
        return b"".join(parts)

    async def fetch_range(
        self, peer: str, root: CID, start: int, end: int
    ) -> AsyncIterator[tuple[CID, bytes]]:
        """GET /ipfs/{root}?dag-scope=entity&entity-bytes=start:end as a CAR, blocks verified as they arrive."""
        reader = CarStreamReader()
        path = f"/ipfs/{root}?dag-scope=entity&entity-bytes={start}:{end}"
        try:
            async for piece in self._get(peer, path, CAR_ACCEPT):
                for item in reader.feed(piece):
                    yield item
            reader.close()
        except CarError as exc:
            self.stats.peer(peer).failures += 1
            raise PeerFailed(peer, f"bad CAR: {exc}") from None

    async def _get(self, peer: str, path: str, accept: str) -> AsyncIterator[bytes]:
        aiohttp = require("aiohttp", "ipfs")
        traffic = self.stats.peer(peer)
        traffic.requests += 1
        timeout = aiohttp.ClientTimeout(total=self.timeout_s, sock_read=self.timeout_s)
        try:
            async with self._session.get(peer + path, headers={"Accept": accept}, timeout=timeout) as resp:
                traffic.bytes_received += _header_bytes(resp)
                if resp.status == 404:
                    raise PeerMissing(peer, f"404 for {path}")
                if resp.status != 200:
                    raise PeerFailed(peer, f"HTTP {resp.status} for {path}")
                async for piece in resp.content.iter_chunked(READ_PIECE_BYTES):
                    traffic.bytes_received += len(piece)
                    await self._download.consume(len(piece))
                    yield piece
        except PeerError as exc:
            if isinstance(exc, PeerFailed):
                traffic.failures += 1
            raise
        except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
            traffic.failures += 1
            raise PeerFailed(peer, f"{type(exc).__name__}: {exc}") from None


def _header_bytes(resp: Any) -> int:
    """Bytes of the status line and headers as sent on the wire."""
    return 17 + sum(len(k) + len(v) + 4 for k, v in resp.raw_headers)
