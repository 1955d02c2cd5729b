"""UnixFS files: fixed-size chunking into a balanced DAG (kubo's layout), reading it back, byte ranges.

The balanced layout groups leaves left to right into parents of `links_per_node` links, then
groups those parents the same way, until one root remains; every leaf sits at the same depth.
This is what kubo's and helia's balanced builders produce for fixed-size chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from accelbench.ipfs.cids import DAG_PB, DAG_PB_CODE, RAW, RAW_CODE, cid_from_bytes, make_cid
from accelbench.ipfs.dagpb import (
    UNIXFS_FILE,
    UNIXFS_RAW,
    DecodeError,
    PBLink,
    PBNode,
    UnixFSData,
    decode_node,
    decode_unixfs,
    encode_node,
    encode_unixfs,
)

if TYPE_CHECKING:
    from multiformats import CID

KIB, MIB = 1024, 1024 * 1024


@dataclass(frozen=True)
class ImportProfile:
    """How a file becomes blocks: chunk size in bytes, links per node, raw leaves (CIDv1, sha2-256)."""

    name: str
    chunk_bytes: int = MIB
    links_per_node: int = 1024
    raw_leaves: bool = True


PROFILES = {
    # IPIP-499's recommended profile: 1 MiB chunks, 1024 links, CIDv1, raw leaves
    "unixfs-v1-2025": ImportProfile("unixfs-v1-2025", MIB, 1024, True),
    # kubo's long-standing default chunker and width, with CIDv1 raw leaves (`ipfs add --cid-version 1`)
    "legacy-cidv1": ImportProfile("legacy-cidv1", 256 * KIB, 174, True),
}
DEFAULT_PROFILE = "unixfs-v1-2025"


@dataclass
class ImportedFile:
    """The result of importing a file: root CID, content size and every block by binary CID."""

    root: CID
    size_bytes: int
    blocks: dict[bytes, bytes]  # binary CID -> block bytes

    @property
    def dag_bytes(self) -> int:
        """Total bytes of all blocks."""
        return sum(len(b) for b in self.blocks.values())


@dataclass(frozen=True)
class _Child:
    cid: CID
    tsize: int  # cumulative DAG bytes under the link
    content_bytes: int


def iter_chunks(source: bytes | BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Fixed-size chunks of bytes or a binary file (the last one shorter; one empty chunk for empty input)."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        if len(view) == 0:
            yield b""
        for start in range(0, len(view), chunk_bytes):
            yield bytes(view[start : start + chunk_bytes])
        return
    first = True
    while True:
        chunk = source.read(chunk_bytes)
        if not chunk:
            if first:
                yield b""
            return
        first = False
        while len(chunk) < chunk_bytes:  # short reads from pipes must not change chunk boundaries
            more = source.read(chunk_bytes - len(chunk))
            if not more:
                break
            chunk += more
        yield chunk


def import_file(source: bytes | BinaryIO, profile: ImportProfile | str = DEFAULT_PROFILE) -> ImportedFile:
    """Chunk `source` into a balanced UnixFS DAG; returns the root CID and all blocks."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    if prof.chunk_bytes <= 0 or prof.links_per_node < 2:
        raise ValueError("chunk_bytes must be > 0 and links_per_node >= 2")
    blocks: dict[bytes, bytes] = {}
    level = [_leaf(chunk, prof.raw_leaves, blocks) for chunk in iter_chunks(source, prof.chunk_bytes)]
    while len(level) > 1:
        width = prof.links_per_node
        level = [_parent(level[i : i + width], blocks) for i in range(0, len(level), width)]
    root = level[0]
    return ImportedFile(root.cid, root.content_bytes, blocks)


def _put(codec: str, block: bytes, blocks: dict[bytes, bytes]) -> CID:
    cid = make_cid(codec, block)
    blocks[bytes(cid)] = block
    return cid


def _leaf(chunk: bytes, raw: bool, blocks: dict[bytes, bytes]) -> _Child:
    if raw:
        return _Child(_put(RAW, chunk, blocks), len(chunk), len(chunk))
    # a dag-pb leaf; an empty file carries no Data field, only its size (as the importers write it)
    data = UnixFSData(UNIXFS_FILE, chunk or None, len(chunk))
    block = encode_node(PBNode((), encode_unixfs(data)))
    return _Child(_put(DAG_PB, block, blocks), len(block), len(chunk))


def _parent(children: list[_Child], blocks: dict[bytes, bytes]) -> _Child:
    sizes = tuple(c.content_bytes for c in children)
    data = encode_unixfs(UnixFSData(UNIXFS_FILE, None, sum(sizes), sizes))
    links = tuple(PBLink(bytes(c.cid), "", c.tsize) for c in children)
    block = encode_node(PBNode(links, data))
    return _Child(_put(DAG_PB, block, blocks), len(block) + sum(c.tsize for c in children), sum(sizes))


@dataclass(frozen=True)
class NodeInfo:
    """What a decoded block says: its file bytes (leaf data) and its children with their content sizes."""

    data: bytes
    children: tuple[CID, ...]
    child_sizes: tuple[int, ...]
    filesize: int


def decode_block(cid: CID, block: bytes) -> NodeInfo:
    """Interpret a verified UnixFS file block; DecodeError for other codecs or malformed nodes."""
    if cid.codec.code == RAW_CODE:
        return NodeInfo(block, (), (), len(block))
    if cid.codec.code != DAG_PB_CODE:
        raise DecodeError(f"codec {cid.codec.name} is not a UnixFS file block")
    node = decode_node(block)
    if node.data is None:
        raise DecodeError("dag-pb node without UnixFS data")
    fs = decode_unixfs(node.data)
    if fs.type not in (UNIXFS_FILE, UNIXFS_RAW):
        raise DecodeError(f"UnixFS type {fs.type} is not a file")
    children = tuple(cid_from_bytes(link.hash) for link in node.links)
    if fs.blocksizes and len(fs.blocksizes) != len(children):
        raise DecodeError("UnixFS blocksizes do not match the links")
    data = fs.data or b""
    size = fs.filesize if fs.filesize is not None else len(data) + sum(fs.blocksizes)
    return NodeInfo(data, children, fs.blocksizes, size)


def iter_range(
    get_block: Callable[[CID], bytes], root: CID, start: int = 0, end: int | None = None
) -> Iterator[tuple[CID, bytes, int]]:
    """(cid, block, file offset) depth first for every block needed for bytes [start, end] (inclusive)."""
    stack: list[tuple[CID, int]] = [(root, 0)]
    while stack:
        cid, offset = stack.pop()
        block = get_block(cid)
        yield cid, block, offset
        info = decode_block(cid, block)
        child_offset = offset + len(info.data)
        pending = []
        for child, size in zip(info.children, info.child_sizes or (None,) * len(info.children), strict=True):
            if size is None or _overlaps(child_offset, size, start, end):
                pending.append((child, child_offset))
            child_offset += size or 0
        stack.extend(reversed(pending))


def _overlaps(offset: int, size: int, start: int, end: int | None) -> bool:
    last = offset + size - 1
    return last >= start and (end is None or offset <= end) and size > 0


def read_file(get_block: Callable[[CID], bytes], root: CID) -> bytes:
    """The file's bytes, walking the DAG from `root` (blocks from `get_block`, already verified)."""
    parts: list[bytes] = []
    for cid, block, _offset in iter_range(get_block, root):
        parts.append(decode_block(cid, block).data)
    return b"".join(parts)


def dfs_order(blocks: dict[bytes, bytes], root: CID) -> Iterable[tuple[CID, bytes]]:
    """Blocks in depth-first pre-order from the root (the order of `ipfs dag export`), duplicates once."""
    seen: set[bytes] = set()
    for cid, block, _ in iter_range(lambda c: blocks[bytes(c)], root):
        key = bytes(cid)
        if key not in seen:
            seen.add(key)
            yield cid, block
