"""`accelerated`: a want-window over several providers, EWMA peer choice, hedged duplicates, LRU cache.

Decisions (the simulator reproduces the same ones from the config):
- up to `want_window` block requests in flight over all providers, the first `max_providers` used;
- the next block goes to the provider with the lowest `ewma_ms * (1 + requests in flight to it)`;
  a provider with no sample yet is scored with the best known EWMA and wins ties, so each gets tried;
- a block is asked of a second provider only when the first has not answered within
  `duplicate_after * its EWMA` (or `hedge_initial_ms` before any sample): duplicate suppression;
- the children of every verified node are queued at once, depth first (prefetch);
- a peer that fails, times out or sends a block that does not match its CID is dropped for the
  rest of the retrieval and reported; a 404 only rules that peer out for that block.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accelbench.ipfs.blockstore import BlockCache
from accelbench.ipfs.cids import BlockVerificationError
from accelbench.ipfs.dagpb import DecodeError
from accelbench.ipfs.retrieval import Retrieval, RetrievalState
from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.transport import PeerFailed, PeerMissing

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import Blockstore
    from accelbench.ipfs.transport import Transport

TICK_S = 0.02  # how often outstanding requests are checked for hedging


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


@dataclass
class _Request:
    cid: CID
    peer: str
    started: float


@register
class AcceleratedStrategy(Strategy):
    """Parallel, latency-aware retrieval from several providers with duplicate suppression."""

    name = "accelerated"
    config_class = AcceleratedConfig
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
        """Fetch the DAG under `root` from up to `max_providers` providers at once."""
        cfg = self.config
        run = _Run(
            self, transport, RetrievalState(self.name, root, store, cache or BlockCache(cfg.cache_blocks))
        )
        run.peers = list(dict.fromkeys(providers))[: cfg.max_providers]
        run.reserve = list(dict.fromkeys(providers))[cfg.max_providers :]
        before = transport.stats.bytes_received
        try:
            await run.loop(root)
        finally:
            for task in run.tasks:
                _discard(task)
        return run.state.finish(before, transport.stats, keep_data=keep_data)


class _Run:
    """The state of one accelerated retrieval."""

    def __init__(self, strategy: AcceleratedStrategy, transport: Transport, state: RetrievalState) -> None:
        self.cfg = strategy.config
        self.transport, self.state = transport, state
        self.peers: list[str] = []
        self.reserve: list[str] = []
        self.ewma: dict[str, float] = {}
        self.inflight: dict[str, int] = {}
        self.missing: dict[bytes, set[str]] = {}
        self.tasks: dict[asyncio.Task, _Request] = {}
        self.by_cid: dict[bytes, list[asyncio.Task]] = {}
        self.queue: deque[CID] = deque()

    async def loop(self, root: CID) -> None:
        self.queue.append(root)
        while True:
            self._launch()
            if not self.tasks:
                if self.queue and self.state.result.error is None:
                    self.state.result.error = "no provider left for the remaining blocks"
                return
            done, _ = await asyncio.wait(
                list(self.tasks), timeout=TICK_S, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                if task in self.tasks:
                    self._complete(task)
                else:  # already forgotten (a hedge loser, or its peer was dropped) in this same round
                    _discard(task)
            self._hedge()

    def _launch(self) -> None:
        while self.queue and len(self.tasks) < self.cfg.want_window:
            cid = self.queue.popleft()
            key = bytes(cid)
            if key in self.state.have or key in self.by_cid:
                continue
            children = self.state.local(cid)
            if children is not None:
                self.queue.extendleft(reversed(children))
                continue
            peer = self._pick(key, exclude=set())
            if peer is None:
                self.state.result.error = f"no provider has block {cid}"
                self.queue.clear()
                return
            self._request(cid, peer)

    def _pick(self, key: bytes, exclude: set[str]) -> str | None:
        ruled_out = self.missing.get(key, set()) | exclude
        options = [p for p in self.peers if p not in ruled_out]
        if not options:
            return None
        known = [v for v in self.ewma.values()]
        fallback = min(known) if known else 1.0

        def score(p: str) -> tuple[float, bool]:
            # ties go to a peer without a sample yet, so every provider gets tried
            return self.ewma.get(p, fallback) * (1 + self.inflight.get(p, 0)), p in self.ewma

        return min(options, key=score)

    def _request(self, cid: CID, peer: str) -> None:
        self.state.connected.add(peer)
        coro = asyncio.wait_for(self.transport.fetch_block(peer, cid), self.cfg.timeout_s)
        task = asyncio.ensure_future(coro)
        # outcomes of abandoned requests are read here, so asyncio never warns about them
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        self.tasks[task] = _Request(cid, peer, time.perf_counter())
        self.by_cid.setdefault(bytes(cid), []).append(task)
        self.inflight[peer] = self.inflight.get(peer, 0) + 1

    def _forget(self, task: asyncio.Task) -> _Request:
        req = self.tasks.pop(task)
        self.inflight[req.peer] -= 1
        siblings = self.by_cid.get(bytes(req.cid), [])
        if task in siblings:
            siblings.remove(task)
        if not siblings:
            self.by_cid.pop(bytes(req.cid), None)
        return req

    def _complete(self, task: asyncio.Task) -> None:
        req = self._forget(task)
        key = bytes(req.cid)
        try:
            block = task.result()
            sample_ms = (time.perf_counter() - req.started) * 1000
            old = self.ewma.get(req.peer)
            a = self.cfg.ewma_alpha
            self.ewma[req.peer] = sample_ms if old is None else a * sample_ms + (1 - a) * old
            children = self.state.accept(req.peer, req.cid, block)
        except PeerMissing:
            self.missing.setdefault(key, set()).add(req.peer)
            return self._retry(req.cid)
        except (PeerFailed, TimeoutError) as exc:
            return self._drop(req, f"failed: {exc or 'timeout'}")
        except (BlockVerificationError, DecodeError) as exc:
            return self._drop(req, f"corrupt block: {exc}")
        for loser in list(self.by_cid.get(key, [])):  # the other copy lost: cancel it
            slow = self._forget(loser)
            _discard(loser)
            if slow.started < req.started:  # the first-asked peer was beaten by a hedge: too slow
                self._drop(
                    slow, f"too slow: no answer in {(time.perf_counter() - slow.started) * 1000:.0f} ms"
                )
        self.queue.extendleft(reversed(children))

    def _drop(self, req: _Request, why: str) -> None:
        self.state.penalise(req.peer, why)
        if req.peer in self.peers:
            self.peers.remove(req.peer)
            if self.reserve:
                self.peers.append(self.reserve.pop(0))
        for task, other in list(self.tasks.items()):  # its other requests will not be answered either
            if other.peer == req.peer:
                self._forget(task)
                _discard(task)
                self._retry(other.cid)
        self._retry(req.cid)

    def _retry(self, cid: CID) -> None:
        key = bytes(cid)
        if key not in self.state.have and key not in self.by_cid:
            self.queue.appendleft(cid)

    def _hedge(self) -> None:
        now = time.perf_counter()
        for key, tasks in list(self.by_cid.items()):
            if len(tasks) != 1:
                continue
            req = self.tasks[tasks[0]]
            ewma = self.ewma.get(req.peer)
            limit_ms = self.cfg.hedge_initial_ms if ewma is None else self.cfg.duplicate_after * ewma
            if (now - req.started) * 1000 > max(limit_ms, self.cfg.hedge_min_ms):
                peer = self._pick(key, exclude={req.peer})
                if peer is not None:
                    self._request(req.cid, peer)


def _discard(task: asyncio.Task) -> None:
    """Cancel a request nobody waits for; if it already finished, consume its outcome (no asyncio warning)."""
    if not task.done():
        task.cancel()
    elif not task.cancelled():
        task.exception()
