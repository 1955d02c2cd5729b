"""A gateway peer as its own process (run inside a network namespace by netns.py).

    python -m accelbench.ipfs.peer_process --host 10.0.0.2 --port 8080 [--latency-ms 20] [--admin]

It prints `ready <url>` once listening. With --admin it also accepts `POST /admin/car` (a CARv1
body; every block verified before it is stored): how content is placed on a peer in another
namespace. The admin route is for test namespaces only; it is off by default.
"""

from __future__ import annotations

import argparse
import asyncio

from accelbench.ipfs.car import CarError, read_car
from accelbench.ipfs.gateway import GatewayPeer
from accelbench.ipfs.shaping import LinkConditions


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

    extra = [("POST", "/admin/car", put_car)] if admin else []
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
