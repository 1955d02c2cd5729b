"""Trustless Gateway peers: status codes, headers, raw blocks and CAR responses over real HTTP."""

from __future__ import annotations

import aiohttp
import pytest

from accelbench.ipfs.car import read_car
from accelbench.ipfs.gateway import GatewayPeer
from accelbench.ipfs.unixfs import KIB, decode_block, import_file

RAW = "application/vnd.ipld.raw"
CAR = "application/vnd.ipld.car"


async def _serve(imported):
    from accelbench.ipfs.cids import cid_from_bytes

    peer = GatewayPeer("p0")
    for key, block in imported.blocks.items():
        peer.blockstore.put(cid_from_bytes(key), block)
    await peer.start()
    return peer


async def _request(url, method="GET", accept=RAW):
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers={"Accept": accept}) as resp,
    ):
        return resp.status, dict(resp.headers), await resp.read()


def test_raw_block_with_trustless_headers(run, content_2mib):
    imported = import_file(content_2mib, "legacy-cidv1")

    async def scenario():
        peer = await _serve(imported)
        try:
            get = await _request(f"{peer.url}/ipfs/{imported.root}")
            head = await _request(f"{peer.url}/ipfs/{imported.root}", method="HEAD")
            return get, head
        finally:
            await peer.stop()

    (status, headers, body), (head_status, head_headers, head_body) = run(scenario())
    assert status == 200 and body == imported.blocks[bytes(imported.root)]
    assert headers["Content-Type"] == RAW
    assert headers["X-Ipfs-Path"] == f"/ipfs/{imported.root}"
    assert headers["Etag"] == f'"{imported.root}.raw"'
    assert "immutable" in headers["Cache-Control"]
    assert int(headers["Content-Length"]) == len(body)
    assert (
        head_status == 200
        and head_body == b""
        and head_headers["Content-Length"] == headers["Content-Length"]
    )


def test_car_scopes_and_entity_bytes(run, content_2mib):
    imported = import_file(content_2mib, "legacy-cidv1")
    root = imported.root
    leaves = decode_block(root, imported.blocks[bytes(root)]).children

    async def scenario():
        peer = await _serve(imported)
        try:
            base = f"{peer.url}/ipfs/{root}"
            return [
                await _request(base + "?dag-scope=all", accept=CAR),
                await _request(base + "?dag-scope=block", accept=CAR),
                await _request(base + f"?dag-scope=entity&entity-bytes={256 * KIB}:{512 * KIB}", accept=CAR),
                await _request(base + "?format=car&dag-scope=entity&entity-bytes=-10:*"),
            ]
        finally:
            await peer.stop()

    everything, block, middle, tail = run(scenario())
    assert everything[1]["Content-Type"].startswith(CAR + "; version=1")
    assert len(read_car(everything[2])[1]) == len(imported.blocks)
    assert [c for c, _ in read_car(block[2])[1]] == [root]
    # bytes 256 KiB .. 512 KiB touch leaf 1 and the first byte of leaf 2 (inclusive range)
    assert [c for c, _ in read_car(middle[2])[1]] == [root, leaves[1], leaves[2]]
    assert [c for c, _ in read_car(tail[2])[1]] == [root, leaves[-1]]


@pytest.mark.parametrize(
    ("path", "accept", "status"),
    [
        ("/ipfs/not-a-cid", RAW, 400),
        ("/ipfs/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", RAW, 404),
        ("/ipfs/{root}", "text/html", 406),
        ("/ipfs/{root}", "", 406),
        ("/ipfs/{root}/sub/path", RAW, 400),
        ("/ipfs/{root}?dag-scope=everything", CAR, 400),
        ("/ipfs/{root}?entity-bytes=abc", CAR, 400),
    ],
)
def test_error_statuses(run, path, accept, status):
    imported = import_file(b"x" * 300_000, "legacy-cidv1")

    async def scenario():
        peer = await _serve(imported)
        try:
            return await _request(peer.url + path.format(root=imported.root), accept=accept)
        finally:
            await peer.stop()

    got, _headers, body = run(scenario())
    assert got == status, body
    assert body.strip()  # every error says why
