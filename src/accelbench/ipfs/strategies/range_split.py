"""`range-split`: the file's bytes split into one contiguous range per provider, each one CAR request.

After the root block, the byte range [0, size) is cut at the root's child boundaries into
`min(max_providers, providers)` ranges of about equal size; each range is fetched as
`dag-scope=entity&entity-bytes=from:to` from a different provider, all at once. Blocks are verified
as the CAR streams in. A range whose provider fails is resumed from the first byte it did not
deliver by the next provider. Intermediate nodes that two ranges share arrive twice (counted as
duplicates).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accelbench.ipfs.cids import BlockVerificationError
from accelbench.ipfs.dagpb import DecodeError
from accelbench.ipfs.retrieval import Retrieval, RetrievalState
from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.strategies.standard import StandardStrategy
from accelbench.ipfs.transport import PeerError
from accelbench.ipfs.unixfs import decode_block

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import BlockCache, Blockstore
    from accelbench.ipfs.transport import Transport


@dataclass
class RangeSplitConfig(StrategyConfig):
    """Settings of `range-split`."""

    max_providers: int = 8
    want_window: int = 8  # ranges in flight (one per provider)


@register
class RangeSplitStrategy(Strategy):
    """One entity-bytes CAR request per provider, over contiguous byte ranges."""

    name = "range-split"
    config_class = RangeSplitConfig

    async def retrieve(
        self,
        transport: Transport,
        root: CID,
        providers: list[str],
        *,
        store: Blockstore | None = None,
        cache: BlockCache | None = None,
        keep_data: bool = False,
    ) -> Retrieval:
        """Root first, then the ranges in parallel; missing blocks at the end are walked one by one."""
        state = RetrievalState(self.name, root, store, cache)
        before = transport.stats.bytes_received
        peers = list(dict.fromkeys(providers))[: self.config.max_providers]
        block = await self._root(transport, state, peers, root)
        if block is not None and not state.complete:
            info = decode_block(root, block)
            ranges = _split(
                info.child_sizes, len(info.data), info.filesize, min(len(peers), self.config.want_window)
            )
            queue = list(peers)
            await asyncio.gather(*(self._range(transport, state, queue, root, s, e) for s, e in ranges))
            if not state.complete and queue:  # whatever no range delivered, walked block by block
                walker = StandardStrategy(timeout_s=self.config.timeout_s)
                await walker.retrieve(transport, root, queue, store=state.store)
                _adopt(state, root)
        return state.finish(before, transport.stats, keep_data=keep_data)

    async def _root(self, transport: Transport, state: RetrievalState, peers: list[str], root: CID):
        for peer in list(peers):
            state.connected.add(peer)
            try:
                block = await asyncio.wait_for(transport.fetch_block(peer, root), self.config.timeout_s)
                state.accept(peer, root, block)
                return block
            except (PeerError, TimeoutError, BlockVerificationError, DecodeError) as exc:
                state.penalise(peer, f"root: {exc or 'timeout'}")
                peers.remove(peer)
        state.result.error = "no provider served the root block"
        return None

    async def _range(
        self, transport, state: RetrievalState, queue: list[str], root: CID, start: int, end: int
    ):
        """Fetch bytes [start, end]; on failure resume from the first undelivered byte elsewhere."""
        while queue and start <= end:
            peer = queue.pop(0)
            state.connected.add(peer)
            delivered = 0
            try:
                async with asyncio.timeout(self.config.timeout_s * 4):
                    async for cid, block in transport.fetch_range(peer, root, start, end):
                        state.accept(peer, cid, block)
                        delivered = _delivered_up_to(state, start, end, delivered)
                queue.append(peer)  # done: the peer may take another range
                return
            except (PeerError, TimeoutError, BlockVerificationError, DecodeError) as exc:
                state.penalise(peer, f"range {start}:{end}: {exc or 'timeout'}")
                start += delivered


def _split(child_sizes: tuple[int, ...], head: int, size: int, parts: int) -> list[tuple[int, int]]:
    """Contiguous inclusive byte ranges, cut at child boundaries, about size/parts each."""
    if size == 0 or parts <= 1 or not child_sizes:
        return [(0, max(0, size - 1))]
    target, start, offset = size / parts, 0, head
    ranges: list[tuple[int, int]] = []
    for child in child_sizes:
        offset += child
        if offset - start >= target and len(ranges) < parts - 1:
            ranges.append((start, offset - 1))
            start = offset
    if start < size:
        ranges.append((start, size - 1))
    return ranges


def _delivered_up_to(state: RetrievalState, start: int, end: int, delivered: int) -> int:
    """Contiguous bytes from `start` already held as leaf data (DFS order makes it a prefix)."""
    # leaves arrive in file order, so the held prefix is the largest offset whose data is held
    best = delivered
    for key in state.have:
        offset = state.offsets.get(key)
        if offset is not None and start <= offset <= end and offset - start >= best:
            best = offset - start
    return best


def _adopt(state: RetrievalState, root: CID) -> None:
    """After a fallback walk into the same store, mark every block reachable from root as held."""
    from accelbench.ipfs.unixfs import iter_range

    try:
        for cid, block, _ in iter_range(lambda c: state.store.get(c) or b"", root):
            if bytes(cid) not in state.have:
                state._accept_verified(cid, block)
    except DecodeError:
        pass  # a block is still missing: finish() reports the retrieval incomplete
