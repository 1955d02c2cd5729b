"""`range-split`: the file cut into one contiguous range of leaves per provider, fetched in parallel.

Decisions (`RangeSplitPolicy`, run by the real tier and by the simulator):
- the root is fetched once, from the first provider that serves it;
- an inner node whose subtree is larger than size / parts is fetched once as a single block and
  replaced by its children, until no unit is too big to balance (parts = providers in use);
- the remaining units are cut into contiguous runs of about equal bytes, one per provider; a
  leaf is one raw-block request, a small enough subtree one `dag-scope=entity` CAR request by its
  own CID; up to `range_window` requests of a range are in flight at once, in file order;
- no block is requested twice (the old per-range `entity-bytes` request on the root re-sent the
  root with every range); a provider that fails is dropped and the units it had not delivered are
  split again among the providers left once the round ends.
"""

from __future__ import annotations

import asyncio
import bisect
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.strategies.policy import Key

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import BlockCache, Blockstore
    from accelbench.ipfs.retrieval import Retrieval, RetrievalState
    from accelbench.ipfs.transport import Transport


@dataclass
class RangeSplitConfig(StrategyConfig):
    """Settings of `range-split`."""

    max_providers: int = 8
    want_window: int = 8  # ranges in flight (one per provider)
    range_window: int = 2  # requests in flight within one range (hides the round trip)


@dataclass(frozen=True)
class Unit:
    """A piece of the file one request fetches: a block, its file bytes, and whether a whole subtree."""

    block: Key
    size_bytes: int
    whole: bool = False  # True: the block and everything under it (one CAR); False: the block alone


class RangeSplitPolicy:
    """Which inner nodes to open, how units become per-provider ranges, and which peers are left."""

    def __init__(self, config: RangeSplitConfig, providers: Sequence[Key]) -> None:
        self.config = config
        self.range_window = config.range_window
        self.peers = list(dict.fromkeys(providers))[: config.max_providers]
        self.free = list(self.peers)  # in use by no range
        self.bad: dict[Key, str] = {}

    def to_open(self, units: Sequence[Unit]) -> list[Unit]:
        """Subtrees too big to balance over the providers (> total / parts bytes), as single blocks."""
        parts = min(len(self.free), self.config.want_window)
        target = sum(u.size_bytes for u in units) / max(1, parts)
        return [Unit(u.block, u.size_bytes) for u in units if u.whole and u.size_bytes > target]

    def assign(self, units: Sequence[Unit]) -> list[tuple[Key, list[Unit]]]:
        """Contiguous runs of about equal bytes, one per free provider (nearest first); [] if none is free."""
        parts = min(len(self.free), self.config.want_window, len(units))
        out = []
        for run in split_units(units, parts):
            out.append((self.free.pop(0), run))
        return out

    def release(self, peer: Key) -> None:
        """The peer finished its range and may take another."""
        self.free.append(peer)

    def on_failure(self, peer: Key, why: str) -> None:
        """The peer failed: it gets no further range in this retrieval."""
        self.bad.setdefault(peer, why)


def split_units(units: Sequence[Unit], parts: int) -> list[list[Unit]]:
    """`units` cut at the boundaries closest to k x total / parts bytes into `parts` non-empty runs."""
    if parts <= 0 or not units:
        return []
    prefix = [0]
    for u in units:
        prefix.append(prefix[-1] + max(1, u.size_bytes))
    cuts = [0]
    for k in range(1, parts):
        target = k * prefix[-1] / parts
        i = bisect.bisect_left(prefix, target)
        if i < len(prefix) and i > 0 and target - prefix[i - 1] < prefix[i] - target:
            i -= 1
        # keep every run non-empty: at least one unit behind, enough left for the runs still to come
        cuts.append(min(max(i, cuts[-1] + 1), len(units) - (parts - k)))
    cuts.append(len(units))
    return [list(units[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


@register
class RangeSplitStrategy(Strategy):
    """One contiguous run of leaves per provider, each block requested exactly once."""

    name = "range-split"
    config_class = RangeSplitConfig
    policy_class = RangeSplitPolicy
    config: RangeSplitConfig

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
        """Root, then inner nodes too big to balance, then the ranges in parallel; all verified."""
        from accelbench.ipfs.retrieval import RetrievalState

        state = RetrievalState(self.name, root, store, cache)
        before = transport.stats.bytes_received
        policy: RangeSplitPolicy = self.policy(providers)
        try:
            if await self._fetch(transport, state, policy, [Unit(root, 0)]):
                units = self._children(state, [Unit(root, 0)])
                while opened := policy.to_open(units):
                    if not await self._fetch(transport, state, policy, opened):
                        break
                    units = self._open(state, units, {u.block for u in opened})
                else:
                    await self._fetch(transport, state, policy, units)
        finally:
            for peer, why in policy.bad.items():
                state.penalise(peer, why)
        return state.finish(before, transport.stats, keep_data=keep_data)

    async def _fetch(
        self, transport, state: RetrievalState, policy: RangeSplitPolicy, units: list[Unit]
    ) -> bool:
        """Fetch `units` as ranges, re-splitting what failed among the peers left; False if some remain."""
        pending = [u for u in units if bytes(u.block) not in state.have]
        while pending:
            ranges = policy.assign(pending)
            if not ranges:
                if state.result.error is None:
                    state.result.error = (
                        f"no provider left for {len(pending)} units (first {pending[0].block})"
                    )
                return False
            left = await asyncio.gather(*(self._range(transport, state, policy, p, run) for p, run in ranges))
            pending = [u for run in left for u in run if bytes(u.block) not in state.have]
        return True

    async def _range(
        self, transport, state: RetrievalState, policy: RangeSplitPolicy, peer, units: list[Unit]
    ):
        """Fetch one run from `peer`, `range_window` requests at a time in order; returns what it did not deliver."""
        from accelbench.ipfs.cids import BlockVerificationError
        from accelbench.ipfs.dagpb import DecodeError
        from accelbench.ipfs.transport import PeerError

        state.connected.add(peer)
        todo: deque[Unit] = deque(units)
        running: deque[tuple[Unit, asyncio.Task]] = deque()
        try:
            while todo or running:
                while todo and len(running) < policy.range_window:
                    unit = todo.popleft()
                    task = asyncio.ensure_future(self._unit(transport, state, peer, unit))
                    task.add_done_callback(lambda t: t.cancelled() or t.exception())
                    running.append((unit, task))
                await running[0][1]
                running.popleft()
        except (PeerError, TimeoutError, BlockVerificationError, DecodeError) as exc:
            policy.on_failure(peer, f"range of {len(units)} units: {exc or 'timeout'}")
            for _, task in running:
                task.cancel()
            return [u for u, _ in running] + list(todo)
        policy.release(peer)
        return []

    async def _unit(self, transport, state: RetrievalState, peer, unit: Unit) -> None:
        """One request: the block alone (raw), or the whole subtree under it (CAR by its own CID)."""
        if not unit.whole:
            block = await asyncio.wait_for(transport.fetch_block(peer, unit.block), self.config.timeout_s)
            state.accept(peer, unit.block, block)
            return
        async with asyncio.timeout(self.config.timeout_s * 4):
            async for cid, block in transport.fetch_range(peer, unit.block, 0, max(0, unit.size_bytes - 1)):
                state.accept(peer, cid, block)

    @staticmethod
    def _children(state: RetrievalState, parents: list[Unit]) -> list[Unit]:
        """The units under held blocks, in file order (raw leaves alone, anything else as a subtree)."""
        from accelbench.ipfs.cids import RAW_CODE
        from accelbench.ipfs.unixfs import decode_block

        out = []
        for parent in parents:
            info = decode_block(parent.block, state.held(parent.block))
            sizes = info.child_sizes or (0,) * len(info.children)
            out += [Unit(c, s, c.codec.code != RAW_CODE) for c, s in zip(info.children, sizes, strict=True)]
        return out

    def _open(self, state: RetrievalState, units: list[Unit], opened: set) -> list[Unit]:
        """`units` with each opened inner node replaced by its children, order kept."""
        out = []
        for u in units:
            out += self._children(state, [u]) if u.block in opened else [u]
        return out
