"""`standard`: one provider at a time, the DAG walked block by block depth first (a plain gateway client)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from accelbench.ipfs.cids import BlockVerificationError
from accelbench.ipfs.dagpb import DecodeError
from accelbench.ipfs.retrieval import Retrieval, RetrievalState
from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.transport import PeerFailed, PeerMissing

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import BlockCache, Blockstore
    from accelbench.ipfs.transport import Transport


@register
class StandardStrategy(Strategy):
    """Ask the first provider for each block in turn; move to the next provider only when one fails."""

    name = "standard"
    config_class = StrategyConfig

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
        """Depth-first walk from `root`; every block verified before its links are followed."""
        state = RetrievalState(self.name, root, store, cache)
        before = transport.stats.bytes_received
        stack: list[CID] = [root]
        candidates = list(providers)
        while stack and candidates:
            cid = stack.pop()
            children = state.local(cid)
            if children is None:
                children = await self._fetch(transport, state, candidates, cid)
                if children is None:
                    break
            stack.extend(reversed(children))
        if stack and not candidates:
            state.result.error = "no provider could serve the DAG"
        return state.finish(before, transport.stats, keep_data=keep_data)

    async def _fetch(self, transport: Transport, state: RetrievalState, candidates: list[str], cid: CID):
        """The verified block's children, switching providers on failure; None when none is left."""
        missing_at: set[str] = set()
        while candidates:
            peer = next((p for p in candidates if p not in missing_at), None)
            if peer is None:
                state.result.error = f"no provider has block {cid}"
                return None
            state.connected.add(peer)
            try:
                block = await asyncio.wait_for(transport.fetch_block(peer, cid), self.config.timeout_s)
                return state.accept(peer, cid, block)
            except PeerMissing:
                missing_at.add(peer)
            except (PeerFailed, TimeoutError) as exc:
                state.penalise(peer, f"failed: {exc}")
                candidates.remove(peer)
            except (BlockVerificationError, DecodeError) as exc:
                state.penalise(peer, f"corrupt block: {exc}")
                candidates.remove(peer)
        return None
