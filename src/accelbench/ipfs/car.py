"""CARv1 (https://ipld.io/specs/transport/car/carv1/): write and read, every block verified on read.

The header is the DAG-CBOR map {"roots": [CID...], "version": 1}; we encode and decode that one
shape by hand (keys in DAG-CBOR's length-first order) because libipld's decoder rejects the
non-DAG-CBOR blocks UnixFS CARs hold. Each section is varint(len) + binary CID + block bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from accelbench.ipfs.cids import cid_from_bytes, verify_block
from accelbench.ipfs.dagpb import DecodeError, decode_varint, encode_varint

if TYPE_CHECKING:
    from multiformats import CID

MAX_HEADER_BYTES = 1 << 20
MAX_SECTION_BYTES = 8 << 20  # larger than any block we accept (the importers cap blocks at 2 MiB)


class CarError(ValueError):
    """A CAR file or stream that is malformed or holds a block that does not match its CID."""


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise ValueError("CBOR value too large")


def encode_header(roots: list[CID]) -> bytes:
    """DAG-CBOR bytes of the CARv1 header."""
    out = bytearray(_cbor_head(5, 2))
    out += _cbor_head(3, 5) + b"roots" + _cbor_head(4, len(roots))
    for root in roots:
        raw = b"\x00" + bytes(root)  # tag 42 carries the binary CID behind a 0x00 multibase prefix
        out += b"\xd8\x2a" + _cbor_head(2, len(raw)) + raw
    out += _cbor_head(3, 7) + b"version" + _cbor_head(0, 1)
    return bytes(out)


def _cbor_read(buf: bytes, pos: int):
    """(value, next position) for the CBOR subset a CAR header uses."""
    if pos >= len(buf):
        raise CarError("truncated CAR header")
    first = buf[pos]
    major, info = first >> 5, first & 31
    pos += 1
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if pos + size > len(buf):
            raise CarError("truncated CAR header")
        value, pos = int.from_bytes(buf[pos : pos + size], "big"), pos + size
    else:
        raise CarError("CAR header uses indefinite-length or unsupported CBOR")
    if major == 0:
        return value, pos
    if major in (2, 3):
        if pos + value > len(buf):
            raise CarError("truncated CAR header")
        raw = bytes(buf[pos : pos + value])
        return (raw if major == 2 else raw.decode()), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = _cbor_read(buf, pos)
            items.append(item)
        return items, pos
    if major == 5:
        out = {}
        for _ in range(value):
            key, pos = _cbor_read(buf, pos)
            out[key], pos = _cbor_read(buf, pos)
        return out, pos
    if major == 6 and value == 42:
        raw, pos = _cbor_read(buf, pos)
        if not isinstance(raw, bytes) or not raw.startswith(b"\x00"):
            raise CarError("CID in CAR header is not a tag-42 byte string")
        return cid_from_bytes(raw[1:]), pos
    raise CarError(f"unsupported CBOR item (major type {major}) in CAR header")


def decode_header(buf: bytes) -> list[CID]:
    """The roots of a CARv1 header; CarError for anything but {roots, version: 1}."""
    try:
        header, end = _cbor_read(buf, 0)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CarError(f"malformed CAR header: {exc}") from None
    if end != len(buf) or not isinstance(header, dict):
        raise CarError("CAR header is not one CBOR map")
    if header.get("version") != 1:
        raise CarError(f"CAR version {header.get('version')!r} is not supported (only 1)")
    roots = header.get("roots")
    if not isinstance(roots, list):
        raise CarError("CAR header has no roots list")
    return roots


def encode_section(cid: CID, block: bytes) -> bytes:
    """One CAR section: varint length, binary CID, block."""
    raw = bytes(cid)
    return encode_varint(len(raw) + len(block)) + raw + block


def write_car(roots: list[CID], blocks: Iterable[tuple[CID, bytes]]) -> bytes:
    """A whole CARv1 file in memory."""
    header = encode_header(roots)
    parts = [encode_varint(len(header)), header]
    parts.extend(encode_section(cid, block) for cid, block in blocks)
    return b"".join(parts)


def _cid_length(buf: bytes, pos: int) -> int:
    """Length of the binary CID at `pos` (CIDv0 is a bare 34-byte sha2-256 multihash)."""
    if buf[pos : pos + 2] == b"\x12\x20":
        return 34
    p = pos
    for _ in range(2):  # version, codec
        _, p = decode_varint(buf, p)
    _, p = decode_varint(buf, p)  # multihash code
    length, p = decode_varint(buf, p)
    return p + length - pos


class CarStreamReader:
    """Incremental CARv1 parser: feed bytes as they arrive, get verified (cid, block) pairs back."""

    def __init__(self) -> None:
        self.roots: list[CID] | None = None
        self._buf = bytearray()
        self._need = 0  # bytes the next section needs; parsing waits until they are there

    def feed(self, data: bytes) -> list[tuple[CID, bytes]]:
        """Add bytes; return every complete section so far, each verified (CarError otherwise)."""
        self._buf += data
        if len(self._buf) < self._need:
            return []
        out, pos = [], 0
        buf = bytes(self._buf)
        try:
            while True:
                try:
                    length, start = decode_varint(buf, pos)
                except DecodeError:
                    if len(buf) - pos >= 10:
                        raise
                    self._need = 0
                    break  # the varint itself is still incomplete
                limit = MAX_HEADER_BYTES if self.roots is None else MAX_SECTION_BYTES
                if length > limit:
                    raise CarError(f"CAR section of {length} bytes exceeds the limit of {limit}")
                if start + length > len(buf):
                    self._need = start + length - pos
                    break
                section = buf[start : start + length]
                if self.roots is None:
                    self.roots = decode_header(section)
                else:
                    out.append(_section(section))
                pos = start + length
        except DecodeError as exc:
            raise CarError(f"malformed CAR: {exc}") from None
        del self._buf[:pos]
        return out

    def close(self) -> None:
        """CarError if the stream ended inside a section or before the header."""
        if self.roots is None:
            raise CarError("CAR stream ended before its header")
        if self._buf:
            raise CarError(f"CAR stream ended inside a section ({len(self._buf)} bytes left)")


def _section(section: bytes) -> tuple[CID, bytes]:
    try:
        n = _cid_length(section, 0)
        cid = cid_from_bytes(section[:n])
    except Exception as exc:
        raise CarError(f"CAR section with an invalid CID: {exc}") from None
    block = section[n:]
    try:
        verify_block(cid, block)
    except ValueError as exc:
        raise CarError(str(exc)) from None
    return cid, block


def read_car(data: bytes) -> tuple[list[CID], list[tuple[CID, bytes]]]:
    """Roots and verified blocks of a whole CARv1 file; CarError for anything malformed."""
    reader = CarStreamReader()
    blocks = reader.feed(data)
    reader.close()
    assert reader.roots is not None
    return reader.roots, blocks
