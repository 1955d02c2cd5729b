"""`accelerated`: a want-window over several providers, EWMA peer choice, hedged duplicates, LRU cache.

Decisions (`AcceleratedPolicy`, run unchanged by the real tier and by the simulator):
- up to `want_window` block requests in flight over all providers, the first `max_providers` used;
- the next block goes to the provider with the lowest `ewma_ms * (1 + requests in flight to it)`;
  a provider with no sample yet is scored with the best known EWMA and wins ties, so each gets tried;
- a block is asked of a second provider only when the first has not answered within
  max(`duplicate_after` * its EWMA, `hedge_min_ms`) (`hedge_initial_ms` before any sample);
- the first-asked provider beaten by such a hedge is dropped and a reserve provider promoted; it is
  still asked for a block that no provider in use has (a slow seed beats none);
- only leaves' response times feed the EWMA (an inner node's quick answer says little about a leaf);
- the children of every verified node are queued at once, depth first (prefetch);
- a peer that fails, times out or sends a block that does not match its CID is dropped for the
  rest of the retrieval and reported; a 404 only rules that peer out for that block.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.strategies.policy import Key, WindowPolicy

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import BlockCache, Blockstore
    from accelbench.ipfs.retrieval import Retrieval
    from accelbench.ipfs.transport import Transport


@dataclass
class AcceleratedConfig(StrategyConfig):
    """Settings of `accelerated` (times in ms unless named _s)."""

    max_providers: int = 8
    want_window: int = 16
    ewma_alpha: float = 0.3
    duplicate_after: float = 4.0
    hedge_initial_ms: float = 2000.0  # hedge delay before the peer has an EWMA
    hedge_min_ms: float = 250.0  # never hedge sooner than this
    cache_blocks: int = 1024


class AcceleratedPolicy(WindowPolicy):
    """EWMA x load peer choice and hedged duplicates over the first `max_providers` providers."""

    config: AcceleratedConfig

    def pick(self, block: Key, exclude: Collection[Key] = ()) -> Key | None:
        """The usable peer with the lowest EWMA x (1 + in flight); ties go to a peer not yet sampled."""
        options = self.usable(block, exclude)
        if not options:
            return None
        ewma, inflight = self.ewma_ms, self.inflight
        fallback = min(ewma.values()) if ewma else 1.0
        return min(options, key=lambda p: (ewma.get(p, fallback) * (1 + inflight.get(p, 0)), p in ewma))

    def hedge_after_ms(self, peer: Key) -> float | None:
        """max(duplicate_after x the peer's EWMA, hedge_min_ms); hedge_initial_ms before a sample."""
        cfg = self.config
        ewma = self.ewma_ms.get(peer)
        limit_ms = cfg.hedge_initial_ms if ewma is None else cfg.duplicate_after * ewma
        return max(limit_ms, cfg.hedge_min_ms)


@register
class AcceleratedStrategy(Strategy):
    """Parallel, latency-aware retrieval from several providers with duplicate suppression."""

    name = "accelerated"
    config_class = AcceleratedConfig
    policy_class = AcceleratedPolicy
    config: AcceleratedConfig

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
        """Fetch the DAG under `root` from up to `max_providers` providers at once (own LRU cache)."""
        from accelbench.ipfs.blockstore import BlockCache

        return await super().retrieve(
            transport,
            root,
            providers,
            store=store,
            cache=cache or BlockCache(self.config.cache_blocks),
            keep_data=keep_data,
        )
