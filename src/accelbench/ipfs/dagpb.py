"""DAG-PB and UnixFS protobuf encoding, by hand, in the canonical form the reference importers write.

DAG-PB (https://ipld.io/specs/codecs/dag-pb/spec/): a PBNode is its Links (field 2, repeated) and
then its Data (field 1): Links come first on the wire although their field number is higher.
A PBLink is Hash (1), Name (2), Tsize (3). kubo and js-unixfs write an empty Name for file links,
so we do too (it changes the CID). UnixFS Data: Type (1), Data (2), filesize (3), blocksizes (4,
repeated and not packed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNIXFS_RAW, UNIXFS_DIRECTORY, UNIXFS_FILE = 0, 1, 2


class DecodeError(ValueError):
    """Bytes that are not valid DAG-PB / UnixFS protobuf."""


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128 varint."""
    if value < 0:
        raise ValueError("varint must be >= 0")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """(value, next position) of the varint at `pos`; DecodeError if truncated or longer than 9 bytes."""
    value = shift = 0
    for i in range(pos, min(pos + 10, len(buf))):
        byte = buf[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    raise DecodeError("truncated or over-long varint")


def _bytes_field(number: int, payload: bytes) -> bytes:
    return encode_varint(number << 3 | 2) + encode_varint(len(payload)) + payload


def _varint_field(number: int, value: int) -> bytes:
    return encode_varint(number << 3) + encode_varint(value)


def _fields(buf: bytes) -> list[tuple[int, int, bytes | int]]:
    """(field number, wire type, value) for every field of a protobuf message (types 0 and 2 only)."""
    view, pos = memoryview(buf), 0
    out: list[tuple[int, int, bytes | int]] = []
    while pos < len(view):
        key, pos = decode_varint(view, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = decode_varint(view, pos)
            out.append((number, wire, value))
        elif wire == 2:
            length, pos = decode_varint(view, pos)
            if pos + length > len(view):
                raise DecodeError(f"field {number} runs past the end of the block")
            out.append((number, wire, bytes(view[pos : pos + length])))
            pos += length
        else:
            raise DecodeError(f"unsupported protobuf wire type {wire} (field {number})")
    return out


@dataclass(frozen=True)
class PBLink:
    """A DAG-PB link: the child's CID bytes, its name and its cumulative DAG size in bytes."""

    hash: bytes
    name: str = ""
    tsize: int = 0


@dataclass(frozen=True)
class PBNode:
    """A DAG-PB node: links then optional data."""

    links: tuple[PBLink, ...] = ()
    data: bytes | None = None


def encode_node(node: PBNode) -> bytes:
    """Canonical DAG-PB bytes of `node`."""
    out = bytearray()
    for link in node.links:
        body = _bytes_field(1, link.hash) + _bytes_field(2, link.name.encode()) + _varint_field(3, link.tsize)
        out += _bytes_field(2, body)
    if node.data is not None:
        out += _bytes_field(1, node.data)
    return bytes(out)


def decode_node(buf: bytes) -> PBNode:
    """Parse DAG-PB bytes; DecodeError for anything malformed."""
    links, data = [], None
    for number, wire, value in _fields(buf):
        if number == 2 and wire == 2 and isinstance(value, bytes):
            links.append(_decode_link(value))
        elif number == 1 and wire == 2 and isinstance(value, bytes):
            data = value
        else:
            raise DecodeError(f"unexpected field {number} in PBNode")
    return PBNode(tuple(links), data)


def _decode_link(buf: bytes) -> PBLink:
    hash_, name, tsize = None, "", 0
    for number, _wire, value in _fields(buf):
        if number == 1 and isinstance(value, bytes):
            hash_ = value
        elif number == 2 and isinstance(value, bytes):
            name = value.decode("utf-8", errors="strict")
        elif number == 3 and isinstance(value, int):
            tsize = value
        else:
            raise DecodeError(f"unexpected field {number} in PBLink")
    if hash_ is None:
        raise DecodeError("PBLink without Hash")
    return PBLink(hash_, name, tsize)


@dataclass(frozen=True)
class UnixFSData:
    """The UnixFS Data message of a file node: type, inline data, file size and child block sizes."""

    type: int = UNIXFS_FILE
    data: bytes | None = None
    filesize: int | None = None
    blocksizes: tuple[int, ...] = field(default_factory=tuple)


def encode_unixfs(msg: UnixFSData) -> bytes:
    """Protobuf bytes of a UnixFS Data message (field order 1, 2, 3, 4 as the importers write it)."""
    out = bytearray(_varint_field(1, msg.type))
    if msg.data is not None:
        out += _bytes_field(2, msg.data)
    if msg.filesize is not None:
        out += _varint_field(3, msg.filesize)
    for size in msg.blocksizes:
        out += _varint_field(4, size)
    return bytes(out)


def decode_unixfs(buf: bytes) -> UnixFSData:
    """Parse a UnixFS Data message (fields 5-8, hash type, fanout, mode and mtime, are ignored)."""
    type_, data, filesize, sizes = None, None, None, []
    for number, _wire, value in _fields(buf):
        if number == 1 and isinstance(value, int):
            type_ = value
        elif number == 2 and isinstance(value, bytes):
            data = value
        elif number == 3 and isinstance(value, int):
            filesize = value
        elif number == 4 and isinstance(value, int):
            sizes.append(value)
    if type_ is None:
        raise DecodeError("UnixFS Data without Type")
    return UnixFSData(type_, data, filesize, tuple(sizes))
