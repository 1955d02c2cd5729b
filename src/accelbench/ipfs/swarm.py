"""A swarm: N gateway peers on loopback in one asyncio loop, content placed on chosen peers, retrievals run.

`Swarm` starts the peers; `place()` puts a file's blocks on the peers named; `retrieve()` runs one
strategy from a fresh client; `distribute()` makes every non-seed peer fetch the content at once,
each storing verified blocks in its own blockstore so it serves them to the others as it goes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.ipfs.gateway import GatewayPeer, Misbehaviour
from accelbench.ipfs.shaping import LinkConditions
from accelbench.ipfs.strategies import get_strategy
from accelbench.ipfs.transport import HttpTransport

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import Blockstore
    from accelbench.ipfs.retrieval import Retrieval
    from accelbench.ipfs.unixfs import ImportedFile


@dataclass
class SwarmConfig:
    """Peers to start, their network conditions, misbehaving peers by index, and external gateways."""

    peer_count: int = 5
    conditions: LinkConditions = field(default_factory=LinkConditions)
    misbehaviour: dict[int, Misbehaviour] = field(default_factory=dict)
    conditions_by_peer: dict[int, LinkConditions] = field(default_factory=dict)  # per-link overrides
    peer_urls: list[str] = field(default_factory=list)  # existing gateways (kubo, helia) joining as peers
    seed: int = 0


class Swarm:
    """Running peers; use `async with Swarm(config) as swarm`."""

    def __init__(self, config: SwarmConfig) -> None:
        self.config = config
        self.peers: list[GatewayPeer] = []

    async def __aenter__(self) -> Swarm:
        cfg = self.config
        for i in range(cfg.peer_count):
            peer = GatewayPeer(
                f"peer-{i}",
                conditions=cfg.conditions_by_peer.get(i, cfg.conditions),
                misbehaviour=cfg.misbehaviour.get(i),
                seed=cfg.seed * 1000 + i,
            )
            self.peers.append(peer)
        try:
            await asyncio.gather(*(p.start() for p in self.peers))
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(p.stop() for p in self.peers), return_exceptions=True)

    @property
    def urls(self) -> list[str]:
        """Base URLs of the local peers, then the external ones."""
        return [p.url for p in self.peers] + list(self.config.peer_urls)

    def place(self, imported: ImportedFile, on: list[int]) -> None:
        """Give the peers at indices `on` every block of the file (the blocks were made here, verified)."""
        from accelbench.ipfs.cids import cid_from_bytes

        for index in on:
            store = self.peers[index].blockstore
            for key, block in imported.blocks.items():
                store.put(cid_from_bytes(key), block, verified=True)

    def holders(self, root: CID) -> list[str]:
        """URLs of the local peers holding the root block, then every external peer."""
        return [p.url for p in self.peers if p.blockstore.has(root)] + list(self.config.peer_urls)

    async def retrieve(
        self,
        strategy: str,
        root: CID,
        providers: list[str],
        *,
        timeout_s: float = 10.0,
        keep_data: bool = False,
        **overrides,
    ) -> Retrieval:
        """One retrieval by a fresh client (own connections, cold cache)."""
        return await fetch(
            strategy, root, providers, timeout_s=timeout_s, download_bps=self._app_download_bps,
            keep_data=keep_data, **overrides,
        )  # fmt: skip

    @property
    def _app_download_bps(self) -> float | None:
        """The client's download limit when shaped here (not when a qdisc already shapes it)."""
        cond = self.config.conditions
        return cond.download_bps if cond.shaping == "application" else None

    async def distribute(
        self, strategy: str, root: CID, seeds: list[int], *, timeout_s: float = 30.0, **overrides
    ) -> list[Retrieval]:
        """Every non-seed peer fetches `root` at once into its own blockstore (so it serves what it has)."""
        urls = [p.url for p in self.peers]
        leeches = [i for i in range(len(self.peers)) if i not in seeds]
        fetches = (
            fetch(
                strategy,
                root,
                leech_providers(i, urls, seeds),
                timeout_s=timeout_s,
                download_bps=self._app_download_bps,
                store=self.peers[i].blockstore,
                **overrides,
            )  # fmt: skip
            for i in leeches
        )
        return list(await asyncio.gather(*fetches))


def leech_providers(index: int, urls: list[str], seeds: list[int]) -> list[str]:
    """Whom leech `index` asks during a distribution: the seeds, then the other leeches.

    The other leeches (they answer 404 for what they lack yet) are rotated by the leech's index so
    that leeches do not all ask the same one first.
    """
    others = [u for j, u in enumerate(urls) if j != index and j not in seeds]
    turn = index % max(1, len(others))
    return [urls[i] for i in seeds] + others[turn:] + others[:turn]


async def fetch(
    strategy: str,
    root: CID,
    providers: list[str],
    *,
    timeout_s: float,
    download_bps: float | None = None,
    store: Blockstore | None = None,
    keep_data: bool = False,
    **overrides: Any,
) -> Retrieval:
    """One client retrieval over HTTP: the named strategy on fresh connections, into `store` if given.

    Every tier that retrieves from gateway peers goes through here: a swarm's client, its leeches,
    and a namespace member carrying out a command (peer_process).
    """
    strat = get_strategy(strategy, timeout_s=timeout_s, **overrides)
    async with HttpTransport(timeout_s=timeout_s, download_bps=download_bps) as transport:
        return await strat.retrieve(transport, root, providers, store=store, keep_data=keep_data)
