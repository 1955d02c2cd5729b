"""One retrieval's measured figures and the bookkeeping every strategy shares (verify, walk, count)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.ipfs.blockstore import BlockCache, Blockstore
from accelbench.ipfs.cids import BlockVerificationError, verify_block
from accelbench.ipfs.dagpb import DecodeError
from accelbench.ipfs.unixfs import decode_block, iter_range

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.transport import TransportStats


@dataclass
class Retrieval:
    """The measured outcome of retrieving one DAG: times in ms, sizes in bytes, peer counts."""

    strategy: str
    root: str
    success: bool
    error: str | None = None
    payload_bytes: int = 0  # file bytes delivered (the content size on success)
    dag_bytes: int = 0  # unique verified block bytes
    ttfb_ms: float | None = None  # time to the first verified byte of the file (offset 0)
    ttlb_ms: float | None = None  # time to the last verified block
    bytes_received: int = 0  # all bytes from all peers: bodies, headers, duplicates, failures
    blocks_received: int = 0  # blocks that arrived over the network, duplicates included
    duplicate_blocks: int = 0
    cache_hit_blocks: int = 0
    cache_hit_bytes: int = 0
    network_unique_bytes: int = 0  # verified new block bytes that came over the network
    blocks_needed: int = 0
    peers_connected: int = 0
    peers_contributing: int = 0
    bad_peers: dict[str, str] = field(default_factory=dict)  # peer -> why it was penalised
    data: bytes | None = field(default=None, repr=False)

    @property
    def throughput_mbps(self) -> float | None:
        """Payload megabits per second over the time to the last block."""
        if not self.success or not self.ttlb_ms:
            return None
        return self.payload_bytes * 8 / 1e6 / (self.ttlb_ms / 1000)

    @property
    def bandwidth_efficiency(self) -> float | None:
        """Useful bytes (the payload) / all bytes received."""
        return self.payload_bytes / self.bytes_received if self.bytes_received else None

    def to_row(self) -> dict[str, Any]:
        """A dict of the measured figures (without the data)."""
        row = asdict(self)
        row.pop("data")
        row["throughput_mbps"] = self.throughput_mbps
        row["bandwidth_efficiency"] = self.bandwidth_efficiency
        return row


class RetrievalState:
    """Verifies arriving blocks, tracks what the DAG still needs, and counts everything measured."""

    def __init__(self, strategy: str, root: CID, store: Blockstore | None, cache: BlockCache | None) -> None:
        self.strategy, self.root = strategy, root
        self.store = store if store is not None else Blockstore()
        self.cache = cache
        self.started = time.perf_counter()
        self.offsets: dict[bytes, int] = {bytes(root): 0}
        self.have: set[bytes] = set()
        self.needed: set[bytes] = {bytes(root)}
        self.contributors: set[str] = set()
        self.connected: set[str] = set()
        self.bad: dict[str, str] = {}
        self.result = Retrieval(strategy, str(root), success=False)

    def elapsed_ms(self) -> float:
        """Milliseconds since the retrieval started."""
        return (time.perf_counter() - self.started) * 1000

    def local(self, cid: CID) -> list[CID] | None:
        """If the block is already held (store or LRU cache): count a cache hit and return its children."""
        key = bytes(cid)
        block = self.store.get(cid)
        if block is None and self.cache is not None:
            block = self.cache.get(cid)
        if block is None:
            return None
        self.result.cache_hit_blocks += 1
        self.result.cache_hit_bytes += len(block)
        if key not in self.have:
            return self._accept_verified(cid, block)
        return []

    def accept(self, peer: str, cid: CID, block: bytes) -> list[CID]:
        """Verify and keep a block from `peer`; return its children. Raises BlockVerificationError/DecodeError."""
        self.result.blocks_received += 1
        if bytes(cid) in self.have:
            self.result.duplicate_blocks += 1
            return []
        verify_block(cid, block)
        children = self._accept_verified(cid, block)
        self.result.network_unique_bytes += len(block)
        self.contributors.add(peer)
        return children

    def _accept_verified(self, cid: CID, block: bytes) -> list[CID]:
        key = bytes(cid)
        info = decode_block(cid, block)
        self.store.put(cid, block, verified=True)
        if self.cache is not None:
            self.cache.put(cid, block)
        self.have.add(key)
        self.result.dag_bytes += len(block)
        offset = self.offsets.get(key, 0)
        if info.data and offset == 0 and self.result.ttfb_ms is None:
            self.result.ttfb_ms = self.elapsed_ms()
        child_offset = offset + len(info.data)
        for child, size in zip(info.children, info.child_sizes or (0,) * len(info.children), strict=True):
            self.offsets.setdefault(bytes(child), child_offset)
            self.needed.add(bytes(child))
            child_offset += size
        return list(info.children)

    def held(self, cid: CID) -> bytes:
        """A block this retrieval holds (verified); KeyError if it does not."""
        block = self.store.get(cid)
        if block is None:
            raise KeyError(str(cid))
        return block

    def penalise(self, peer: str, why: str) -> None:
        """Record a bad peer (kept for this retrieval and reported)."""
        self.bad.setdefault(peer, why)

    @property
    def complete(self) -> bool:
        """Whether every block of the DAG is held."""
        return self.needed <= self.have

    def finish(self, stats_before: int, stats: TransportStats, *, keep_data: bool) -> Retrieval:
        """Fill in the totals; assemble the file (verified blocks only) when complete."""
        res = self.result
        res.bytes_received = stats.bytes_received - stats_before
        res.peers_connected = len(self.connected)
        res.peers_contributing = len(self.contributors)
        res.bad_peers = dict(self.bad)
        res.blocks_needed = len(self.needed)
        if self.complete and res.error is None:
            res.ttlb_ms = self.elapsed_ms()
            try:
                parts = [decode_block(c, b).data for c, b, _ in iter_range(self.held, self.root)]
            except (DecodeError, BlockVerificationError, KeyError) as exc:
                res.error = f"cannot assemble the file: {exc}"
                return res
            res.success = True
            res.payload_bytes = sum(len(p) for p in parts)
            if res.ttfb_ms is None:  # an empty file: its first byte is its last
                res.ttfb_ms = res.ttlb_ms
            res.data = b"".join(parts) if keep_data else None
        elif res.error is None:
            res.error = "incomplete: some blocks were not retrieved"
        return res
