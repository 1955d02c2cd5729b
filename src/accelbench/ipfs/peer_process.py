"""A gateway peer as its own process (run inside a network namespace by netns.py).

    python -m accelbench.ipfs.peer_process --host 10.0.0.2 --port 8080 [--latency-ms 20] [--admin]

It prints `ready <url>` once listening. With --admin it also accepts two commands from the
process that set up the namespaces (netns.py); they are for test namespaces only, off by default:

- `POST /admin/car` (a CARv1 body; every block verified before it is stored): content placement;
- `POST /admin/retrieve` (JSON: strategy, root, providers, timeout_s, keep_data, own_store,
  overrides): run one retrieval from inside this namespace, into this peer's own blockstore when
  `own_store` (so it serves what it fetched, as a leech does) or a fresh one; the reply is the
  measured Retrieval as JSON (`retrieval`, and `data_b64` when keep_data).
"""

from __future__ import annotations

import argparse
import asyncio
import base64

from accelbench.errors import InputError
from accelbench.ipfs.car import CarError, read_car
from accelbench.ipfs.gateway import GatewayPeer
from accelbench.ipfs.shaping import LinkConditions


async def run_retrieval(peer: GatewayPeer, command: dict) -> dict:
    """Carry out one /admin/retrieve command; the reply body."""
    from multiformats import CID

    from accelbench.ipfs.swarm import fetch

    keep = bool(command.get("keep_data"))
    got = await fetch(  # no download_bps: the namespace's tbf shapes the link
        command["strategy"], CID.decode(command["root"]), command["providers"],
        timeout_s=float(command.get("timeout_s", 10.0)),
        store=peer.blockstore if command.get("own_store") else None, keep_data=keep,
        **command.get("overrides", {}),
    )  # fmt: skip
    data = base64.b64encode(got.data).decode() if keep and got.data is not None else None
    return {"retrieval": got.to_row(), "data_b64": data}


async def serve(host: str, port: int, latency_ms: float, jitter_ms: float, admin: bool) -> None:
    """Run one peer until killed."""
    from aiohttp import web

    conditions = LinkConditions(latency_ms=latency_ms, jitter_ms=jitter_ms, shaping="netns-tbf")
    peer = GatewayPeer(f"{host}:{port}", conditions=conditions)

    async def put_car(request):
        try:
            _roots, blocks = read_car(await request.read())
        except CarError as exc:
            return web.Response(status=400, text=f"{exc}\n")
        for cid, block in blocks:
            peer.blockstore.put(cid, block, verified=True)  # read_car verified each block
        return web.Response(text=f"{len(blocks)} blocks\n")

    async def retrieve(request):
        try:
            command = await request.json()
            return web.json_response(await run_retrieval(peer, command))
        except (KeyError, ValueError, TypeError, InputError) as exc:
            return web.Response(status=400, text=f"bad retrieve command: {exc!r}\n")

    extra = [("POST", "/admin/car", put_car), ("POST", "/admin/retrieve", retrieve)] if admin else []
    url = await peer.start(host, port, extra_routes=extra)
    print(f"ready {url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--admin", action="store_true")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port, args.latency_ms, args.jitter_ms, args.admin))


if __name__ == "__main__":
    main()
