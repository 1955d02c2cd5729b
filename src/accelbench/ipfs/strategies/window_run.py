"""The real tier's driver for a `WindowPolicy`: asyncio tasks over a Transport, the clock, verification.

The policy decides who is asked for what and when to hedge or drop; this module only sends the
requests it returns, cancels the ones it gives up, verifies what arrives and reports back.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from accelbench.ipfs.cids import BlockVerificationError
from accelbench.ipfs.dagpb import DecodeError
from accelbench.ipfs.transport import PeerFailed, PeerMissing

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.retrieval import RetrievalState
    from accelbench.ipfs.strategies.policy import Request, WindowPolicy
    from accelbench.ipfs.transport import Transport

TICK_S = 0.02  # how often outstanding requests are checked for hedging


async def run_window(
    policy: WindowPolicy, transport: Transport, state: RetrievalState, root: CID, timeout_s: float
) -> None:
    """Drive `policy` until the DAG under `root` is held or no provider is left; results land in `state`."""
    tasks: dict[asyncio.Task, Request] = {}
    live: dict[Request, asyncio.Task] = {}

    def now_ms() -> float:
        return (time.perf_counter() - state.started) * 1000

    def send(req: Request) -> None:
        state.connected.add(req.peer)
        task = asyncio.ensure_future(asyncio.wait_for(transport.fetch_block(req.peer, req.block), timeout_s))
        # outcomes of abandoned requests are read here, so asyncio never warns about them
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        tasks[task], live[req] = req, task

    def cancel(reqs: list[Request]) -> None:
        for req in reqs:
            task = live.pop(req)
            tasks.pop(task, None)
            _discard(task)

    policy.start(root)
    try:
        while True:
            for req in policy.launch(now_ms(), local=state.local):
                send(req)
            if not live:
                break
            done, _ = await asyncio.wait(
                list(live.values()), timeout=TICK_S, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                req = tasks.pop(task, None)  # type: ignore[arg-type]
                if req is None:  # given up earlier in this same round (a hedge loser, a dropped peer)
                    continue
                del live[req]
                cancel(_complete(policy, state, req, task, now_ms()))
            for req in policy.hedges(now_ms()):
                send(req)
    finally:
        for task in live.values():
            _discard(task)
        for peer, why in policy.bad.items():
            state.penalise(peer, why)
        if policy.error is not None and state.result.error is None:
            state.result.error = policy.error


def _complete(policy: WindowPolicy, state: RetrievalState, req: Request, task: asyncio.Task, now_ms: float):
    """Verify the outcome of one request and report it; returns the requests the policy gave up."""
    try:
        block = task.result()
    except PeerMissing:
        return policy.on_missing(req)
    except (PeerFailed, TimeoutError) as exc:
        return policy.on_failure(req, f"failed: {exc or 'timeout'}")
    try:
        children = state.accept(req.peer, req.block, block)
    except (BlockVerificationError, DecodeError) as exc:
        return policy.on_failure(req, f"corrupt block: {exc}")
    return policy.on_block(req, now_ms, children)


def _discard(task: asyncio.Task) -> None:
    """Cancel a request nobody waits for; if it already finished, consume its outcome (no asyncio warning)."""
    if not task.done():
        task.cancel()
    elif not task.cancelled():
        task.exception()
