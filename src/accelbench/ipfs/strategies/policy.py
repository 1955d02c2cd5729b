"""Sans-IO retrieval decisions, shared by the real tier (asyncio + HTTP) and the simulator (SimPy).

A policy never does I/O and never reads a clock: its driver reports what happened, with the time
in ms since the retrieval started, and asks what to do next. Blocks and peers are opaque hashable
keys: CIDs and gateway URLs in the real tier, block indices and node ids in the simulator. So a
change to a rule here changes both tiers.

`WindowPolicy` is the want-window scheduler behind `standard` and `accelerated`: a depth-first
queue of blocks (children queued as soon as their parent is verified), at most `want_window`
requests in flight, optional hedged duplicates, per-peer EWMA response times, and the rules for
dropping a peer. Subclasses override only the decisions: `provider_set`, `pick`, `hedge_after_ms`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.ipfs.strategies.base import StrategyConfig

# A block or a peer: any hashable key (a CID or a URL here, an index or a node id in the simulator).
Key = Any

_EPS_MS = 1e-6  # a simulator timer set for a hedge deadline may land a rounding error before it


class Request:
    """One request in flight: which block, from which peer, started when (ms), and whether a hedge."""

    __slots__ = ("block", "peer", "started_ms", "hedge", "no_hedge_version")

    def __init__(self, block: Key, peer: Key, started_ms: float, hedge: bool) -> None:
        self.block, self.peer, self.started_ms, self.hedge = block, peer, started_ms, hedge
        self.no_hedge_version = -1  # peer-set version at which no second peer could be found

    def __repr__(self) -> str:
        return f"Request({self.block!r} from {self.peer!r} at {self.started_ms:.1f} ms)"


class WindowPolicy:
    """Want-window block scheduling over a provider set; subclasses decide peers and hedges."""

    def __init__(self, config: StrategyConfig, providers: Sequence[Key]) -> None:
        self.config = config
        self.window = config.want_window
        self.peers, self.reserve = self.provider_set(list(dict.fromkeys(providers)))
        self.ewma_ms: dict[Key, float] = {}
        self.inflight: dict[Key, int] = {}
        self.queue: deque[Key] = deque()
        self.have: set[Key] = set()
        self.by_block: dict[Key, list[Request]] = {}
        self.missing: dict[Key, set[Key]] = {}
        self.requests = 0  # in flight, hedges included
        self.bad: dict[Key, str] = {}  # dropped peer -> why (first reason kept)
        self.slow_drops = 0  # peers dropped because a hedge beat them
        self.slow: list[Key] = []  # those peers, still asked for a block no usable peer has
        self.error: str | None = None
        self._version = 0  # bumped whenever the peer set changes

    # -- decisions (override these) ------------------------------------------------------------
    def provider_set(self, providers: list[Key]) -> tuple[list[Key], list[Key]]:
        """(peers used now, reserves promoted when one is dropped); default: the first `max_providers`."""
        n = self.config.max_providers
        return providers[:n], providers[n:]

    def pick(self, block: Key, exclude: Collection[Key] = ()) -> Key | None:
        """The peer to ask for `block`, or None when every peer is ruled out; default: the first."""
        return next(iter(self.usable(block, exclude)), None)

    def usable(self, block: Key, exclude: Collection[Key] = ()) -> list[Key]:
        """Peers that may be asked for `block`: in use, not excluded, not known to lack it.

        When none is left, the peers dropped only for being slow: a slow peer is better than none,
        e.g. the only seed of a swarm whose upload every leech shares.
        """
        ruled_out = self.missing.get(block, ())
        options = [p for p in self.peers if p not in exclude and p not in ruled_out]
        return options or [p for p in self.slow if p not in exclude and p not in ruled_out]

    def hedge_after_ms(self, peer: Key) -> float | None:
        """How long a request to `peer` may go unanswered before a second peer is asked; None: never."""
        return None

    def record_sample(self, peer: Key, elapsed_ms: float) -> None:
        """Fold a response time (ms) into the peer's EWMA (weight `ewma_alpha`, 1 before any setting)."""
        alpha = getattr(self.config, "ewma_alpha", 1.0)
        old = self.ewma_ms.get(peer)
        self.ewma_ms[peer] = elapsed_ms if old is None else alpha * elapsed_ms + (1 - alpha) * old

    # -- events and actions (the drivers call these) -------------------------------------------
    def start(self, root: Key) -> None:
        """Queue the root block."""
        self.queue.append(root)

    def launch(self, now_ms: float, local: Callable[[Any], list | None] | None = None) -> list[Request]:
        """New requests to send, filling the window; `local(block)` gives a held block's children."""
        out: list[Request] = []
        while self.queue and self.requests < self.window:
            block = self.queue.popleft()
            if block in self.have or block in self.by_block:
                continue
            children = local(block) if local is not None else None
            if children is not None:
                self.have.add(block)
                self.queue.extendleft(reversed(children))
                continue
            peer = self.pick(block)
            if peer is None:
                self.error = f"no provider has block {block}"
                self.queue.clear()
                break
            out.append(self._request(block, peer, now_ms, hedge=False))
        if not self.requests and self.queue and self.error is None:
            self.error = "no provider left for the remaining blocks"
        return out

    @property
    def finished(self) -> bool:
        """Nothing in flight and nothing more to launch."""
        return not self.requests and (not self.queue or self.error is not None)

    def on_block(self, req: Request, now_ms: float, children: Sequence[Key]) -> list[Request]:
        """A verified block arrived for `req`; returns the requests to cancel (losers of a hedge race).

        Only leaves (blocks without children) feed the EWMA: an inner node is a few KiB of links, so
        its quick answer would make a peer look faster for leaves than it is.
        """
        if not children:
            self.record_sample(req.peer, now_ms - req.started_ms)
        self._forget(req)
        self.have.add(req.block)
        cancel: list[Request] = []
        for loser in list(self.by_block.get(req.block, ())):
            self._forget(loser)
            cancel.append(loser)
            if loser.started_ms < req.started_ms:  # the first-asked peer was beaten by a hedge: too slow
                self.slow_drops += 1
                cancel += self._drop(loser.peer, f"too slow: no answer in {now_ms - loser.started_ms:.0f} ms")
                if loser.peer not in self.slow:
                    self.slow.append(loser.peer)
        self.queue.extendleft(reversed(children))
        return cancel

    def on_missing(self, req: Request) -> list[Request]:
        """The peer does not have the block (404): only that block is asked elsewhere."""
        self._forget(req)
        self.missing.setdefault(req.block, set()).add(req.peer)
        self._retry(req.block)
        return []

    def on_failure(self, req: Request, why: str) -> list[Request]:
        """Failed, timed out or sent a bad block: drop the peer; returns its other requests to cancel."""
        self._forget(req)
        cancel = self._drop(req.peer, why)
        self._retry(req.block)
        return cancel

    def hedges(self, now_ms: float) -> list[Request]:
        """Second requests for blocks whose only request has waited past its hedge delay."""
        out = []
        for block, reqs in list(self.by_block.items()):
            if len(reqs) != 1:
                continue
            first = reqs[0]
            due = self._hedge_due_ms(first)
            if due is None or now_ms + _EPS_MS < due:
                continue
            peer = self.pick(block, exclude=(first.peer,))
            if peer is None:
                first.no_hedge_version = self._version  # retried only when the peer set changes
            else:
                out.append(self._request(block, peer, now_ms, hedge=True))
        return out

    def next_hedge_ms(self) -> float | None:
        """When the earliest pending hedge falls due (ms), or None: lets a simulator set one timer."""
        dues = [self._hedge_due_ms(r[0]) for r in self.by_block.values() if len(r) == 1]
        known = [d for d in dues if d is not None]
        return min(known) if known else None

    # -- bookkeeping ---------------------------------------------------------------------------
    def _hedge_due_ms(self, req: Request) -> float | None:
        if req.no_hedge_version == self._version:
            return None
        delay = self.hedge_after_ms(req.peer)
        return None if delay is None else req.started_ms + delay

    def _request(self, block: Key, peer: Key, now_ms: float, *, hedge: bool) -> Request:
        req = Request(block, peer, now_ms, hedge)
        self.by_block.setdefault(block, []).append(req)
        self.inflight[peer] = self.inflight.get(peer, 0) + 1
        self.requests += 1
        return req

    def _forget(self, req: Request) -> None:
        siblings = self.by_block.get(req.block)
        if siblings is None or req not in siblings:
            return
        siblings.remove(req)
        if not siblings:
            del self.by_block[req.block]
        self.inflight[req.peer] -= 1
        self.requests -= 1

    def _drop(self, peer: Key, why: str) -> list[Request]:
        """Rule the peer out for this retrieval, promote a reserve, re-queue its other blocks."""
        self.bad.setdefault(peer, why)
        if peer in self.peers:
            self.peers.remove(peer)
            if self.reserve:
                self.peers.append(self.reserve.pop(0))
            self._version += 1
        cancel = [r for reqs in list(self.by_block.values()) for r in reqs if r.peer == peer]
        for req in cancel:
            self._forget(req)
            self._retry(req.block)
        return cancel

    def _retry(self, block: Key) -> None:
        if block not in self.have and block not in self.by_block:
            self.queue.appendleft(block)
