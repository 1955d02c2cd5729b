"""A peer: a real HTTP server speaking the IPFS Trustless Gateway protocol from its own blockstore.

GET/HEAD /ipfs/{cid} with `Accept: application/vnd.ipld.raw` (one block) or
`application/vnd.ipld.car` (`dag-scope=block|entity|all`, `entity-bytes=from:to`); 400 for a
malformed CID or parameter, 404 for missing blocks, 406 for any other Accept. Many peers run in one
asyncio loop, each on its own 127.0.0.1 port, with its own upload token bucket, added latency and
optional misbehaviour (corrupt blocks, stall, disconnect mid-transfer) for robustness tests.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accelbench.errors import InputError, require
from accelbench.ipfs.blockstore import Blockstore
from accelbench.ipfs.car import encode_header, encode_section
from accelbench.ipfs.cids import parse_cid
from accelbench.ipfs.dagpb import DecodeError, encode_varint
from accelbench.ipfs.shaping import LinkConditions, TokenBucket
from accelbench.ipfs.unixfs import decode_block, iter_range

if TYPE_CHECKING:
    from multiformats import CID

RAW_TYPE, CAR_TYPE = "application/vnd.ipld.raw", "application/vnd.ipld.car"
IMMUTABLE = "public, max-age=29030400, immutable"
WRITE_PIECE_BYTES = 64 * 1024


@dataclass
class Misbehaviour:
    """How a bad peer misbehaves: corrupt every block, stall before answering, or cut the connection."""

    corrupt: bool = False
    stall_s: float = 0.0
    disconnect_after_bytes: int | None = None


@dataclass
class PeerCounters:
    """What a peer served: requests, response body bytes, blocks."""

    requests: int = 0
    bytes_sent: int = 0
    blocks_sent: int = 0


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class GatewayPeer:
    """One gateway peer on 127.0.0.1; `await start()` returns its base URL."""

    def __init__(
        self,
        name: str,
        blockstore: Blockstore | None = None,
        conditions: LinkConditions | None = None,
        misbehaviour: Misbehaviour | None = None,
        seed: int = 0,
    ) -> None:
        self.name = name
        self.blockstore = blockstore or Blockstore()
        self.conditions = conditions or LinkConditions()
        self.misbehaviour = misbehaviour or Misbehaviour()
        self.counters = PeerCounters()
        self.url = ""
        self._bucket = TokenBucket(
            self.conditions.upload_bps if self.conditions.shaping == "application" else None
        )
        self._rng = random.Random(seed)
        self._runner: Any = None

    async def start(self, host: str = "127.0.0.1", port: int = 0, extra_routes: list | None = None) -> str:
        """Listen on host:port (0: any free port) and return the base URL."""
        web = require("aiohttp.web", "ipfs")
        app = web.Application(client_max_size=1 << 30)
        app.router.add_route("GET", "/ipfs/{rest:.*}", self._handle)
        app.router.add_route("HEAD", "/ipfs/{rest:.*}", self._handle)
        for method, path, handler in extra_routes or []:
            app.router.add_route(method, path, handler)
        # a short shutdown: stalled handlers of a misbehaving peer must not hold up stop()
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{host}:{bound[1]}"
        return self.url

    async def stop(self) -> None:
        """Close the server and its connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- request handling ----------------------------------------------------------------------
    async def _handle(self, request):
        web = require("aiohttp.web", "ipfs")
        self.counters.requests += 1
        try:
            cid, kind, params = self._parse(request)
            blocks = self._select(cid, kind, params)
        except _BadRequest as exc:
            return web.Response(status=exc.status, text=str(exc) + "\n")
        if self.misbehaviour.stall_s:
            await _stall(request, self.misbehaviour.stall_s)
        delay = self.conditions.delay_s(self._rng)
        if delay:
            await asyncio.sleep(delay)
        return await self._respond(request, cid, kind, params, blocks)

    def _parse(self, request) -> tuple[CID, str, dict[str, str]]:
        rest = request.match_info["rest"]
        text, _, subpath = rest.partition("/")
        if subpath:
            raise _BadRequest(400, "paths inside a DAG are not supported by this gateway; ask for the CID")
        try:
            cid = parse_cid(text)
        except InputError as exc:
            raise _BadRequest(400, exc.detail) from None
        params = dict(request.query)
        fmt = params.get("format")
        accept = request.headers.get("Accept", "")
        kind = {"raw": RAW_TYPE, "car": CAR_TYPE}.get(fmt or "") or _negotiate(accept)
        if kind is None:
            raise _BadRequest(406, f"Accept {accept!r} not supported: use {RAW_TYPE} or {CAR_TYPE}")
        if kind == CAR_TYPE and params.get("dag-scope", "all") not in ("block", "entity", "all"):
            raise _BadRequest(400, f"dag-scope {params['dag-scope']!r}: expected block, entity or all")
        return cid, kind, params

    def _select(self, cid: CID, kind: str, params: dict[str, str]) -> list[tuple[CID, bytes]]:
        root = self.blockstore.get(cid)
        if root is None:
            raise _BadRequest(404, f"block {cid} not found")
        if kind == RAW_TYPE or params.get("dag-scope") == "block":
            return [(cid, root)]
        start, end = 0, None
        if "entity-bytes" in params:
            size = decode_block(cid, root).filesize
            start, end = _entity_bytes(params["entity-bytes"], size)
        out = []
        try:
            for child, block, _offset in iter_range(self._require, cid, start, end):
                out.append((child, block))
        except KeyError as exc:
            # answer 404 up front instead of a truncated 200: this peer lacks part of the DAG
            raise _BadRequest(404, f"block {exc.args[0]} of the DAG not found") from None
        except DecodeError as exc:
            raise _BadRequest(400, f"cannot traverse {cid}: {exc}") from None
        return out

    def _require(self, cid: CID) -> bytes:
        block = self.blockstore.get(cid)
        if block is None:
            raise KeyError(str(cid))
        return block

    async def _respond(self, request, cid: CID, kind: str, params: dict[str, str], blocks):
        web = require("aiohttp.web", "ipfs")
        if kind == RAW_TYPE:
            body_parts = [self._maybe_corrupt(blocks[0][1])]
            etag = f'"{cid}.raw"'
        else:
            header = encode_header([cid])
            body_parts = [encode_varint(len(header)), header]
            body_parts += [encode_section(c, self._maybe_corrupt(b)) for c, b in blocks]
            scope, rng = params.get("dag-scope", "all"), params.get("entity-bytes", "")
            etag = f'"{cid}.car.{scope}.{rng}"' if rng else f'"{cid}.car.{scope}"'
        length = sum(len(p) for p in body_parts)
        resp = web.StreamResponse(status=200)
        resp.content_type = RAW_TYPE if kind == RAW_TYPE else CAR_TYPE
        if kind == CAR_TYPE:
            resp.headers["Content-Type"] = f"{CAR_TYPE}; version=1; order=dfs; dups=n"
        resp.headers.update(
            {
                "X-Ipfs-Path": f"/ipfs/{cid}",
                "X-Ipfs-Roots": str(cid),
                "Etag": etag,
                "Cache-Control": IMMUTABLE,
                "X-Content-Type-Options": "nosniff",
                "Vary": "Accept",
            }
        )
        resp.content_length = length
        try:
            await resp.prepare(request)
            if request.method == "HEAD":
                return resp
            body = b"".join(body_parts) if len(body_parts) > 1 else body_parts[0]
            if await self._send(request, resp, body):
                self.counters.blocks_sent += len(blocks)
                await resp.write_eof()
        except ConnectionError:  # reset, broken pipe, aiohttp's "Connection lost"
            pass  # the client gave up on us (a timeout or a hedge it won elsewhere): nothing to answer
        return resp

    async def _send(self, request, resp, body: bytes) -> bool:
        """Write the body through the upload bucket; False when this peer cut the connection on purpose."""
        limit = self.misbehaviour.disconnect_after_bytes
        view = memoryview(body)
        for start in range(0, len(view), WRITE_PIECE_BYTES):
            piece = view[start : start + WRITE_PIECE_BYTES]
            if limit is not None and start + len(piece) > limit:
                await resp.write(bytes(piece[: max(0, limit - start)]))
                request.transport.close()  # mid-transfer disconnect, as a crashing peer would
                return False
            await self._bucket.consume(len(piece))
            await resp.write(bytes(piece))
            self.counters.bytes_sent += len(piece)
        return True

    def _maybe_corrupt(self, block: bytes) -> bytes:
        if not self.misbehaviour.corrupt or not block:
            return block
        return bytes([block[0] ^ 0xFF]) + block[1:]


async def _stall(request, seconds: float) -> None:
    """Hold the request unanswered for `seconds`, or until the client hangs up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(0.05)


def _negotiate(accept: str) -> str | None:
    """The first supported media type in an Accept header (parameters ignored), or None."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in (RAW_TYPE, CAR_TYPE):
            return media
    return None


def _entity_bytes(text: str, size: int) -> tuple[int, int | None]:
    """`from:to` (inclusive; `to` may be `*`; negatives count from the end) -> (start, end)."""
    try:
        first, _, last = text.partition(":")
        start = int(first)
        end = None if last == "*" else int(last)
    except ValueError:
        raise _BadRequest(400, f"entity-bytes {text!r}: expected from:to, e.g. 0:1048575 or 0:*") from None
    start = max(0, size + start) if start < 0 else start
    if end is not None and end < 0:
        end = size + end
    if end is not None and end < start:
        raise _BadRequest(400, f"entity-bytes {text!r}: 'to' is before 'from'")
    return start, end
