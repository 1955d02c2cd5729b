"""An in-memory blockstore that only ever holds verified blocks."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from accelbench.ipfs.cids import verify_block

if TYPE_CHECKING:
    from multiformats import CID


class Blockstore:
    """Blocks by binary CID; `put` verifies every block against its CID before storing it."""

    def __init__(self, blocks: Iterable[tuple[bytes, bytes]] = ()) -> None:
        self._blocks: dict[bytes, bytes] = dict(blocks)

    def put(self, cid: CID, block: bytes, *, verified: bool = False) -> None:
        """Store a block; BlockVerificationError (nothing stored) when it does not match its CID."""
        if not verified:
            verify_block(cid, block)
        self._blocks[bytes(cid)] = block

    def get(self, cid: CID) -> bytes | None:
        """The block, or None when absent."""
        return self._blocks.get(bytes(cid))

    def has(self, cid: CID) -> bool:
        """Whether the block is here."""
        return bytes(cid) in self._blocks

    def __len__(self) -> int:
        return len(self._blocks)

    @property
    def size_bytes(self) -> int:
        """Total bytes of all blocks."""
        return sum(len(b) for b in self._blocks.values())


class BlockCache:
    """An LRU cache of verified blocks, bounded by a block count."""

    def __init__(self, max_blocks: int = 1024) -> None:
        self.max_blocks = max_blocks
        self._blocks: OrderedDict[bytes, bytes] = OrderedDict()

    def get(self, cid: CID) -> bytes | None:
        """The block (marked most recently used) or None."""
        key = bytes(cid)
        block = self._blocks.get(key)
        if block is not None:
            self._blocks.move_to_end(key)
        return block

    def put(self, cid: CID, block: bytes) -> None:
        """Insert a verified block, evicting the least recently used beyond `max_blocks`."""
        if self.max_blocks <= 0:
            return
        self._blocks[bytes(cid)] = block
        self._blocks.move_to_end(bytes(cid))
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
