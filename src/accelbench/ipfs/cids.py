"""CIDs through `multiformats`: make one for a block, parse user input, verify a block against its CID."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from accelbench.errors import InputError, require

if TYPE_CHECKING:
    from multiformats import CID

RAW, DAG_PB = "raw", "dag-pb"
RAW_CODE, DAG_PB_CODE = 0x55, 0x70
SHA2_256_CODE = 0x12


class BlockVerificationError(ValueError):
    """A block whose bytes do not hash to its CID (never stored, never used)."""


def _multiformats():
    return require("multiformats", "ipfs")


def make_cid(codec: str, block: bytes) -> CID:
    """CIDv1 (base32) of `block` with sha2-256 and the given codec ('raw' or 'dag-pb')."""
    mf = _multiformats()
    return mf.CID("base32", 1, codec, ("sha2-256", hashlib.sha256(block).digest()))


def parse_cid(text: str, *, field: str = "cid") -> CID:
    """A CID from its string form; InputError (exit 2 / HTTP 400) with the reason otherwise."""
    mf = _multiformats()
    try:
        cid = mf.CID.decode(text.strip())
        return cid.set(base="base32") if cid.version == 1 else cid
    except Exception as exc:  # multiformats raises several unrelated types for bad input
        raise InputError(f"{text!r} is not a valid CID ({exc})", item="command line", field=field) from None


def cid_from_bytes(raw: bytes) -> CID:
    """A CID from its binary form (as found in DAG-PB links and CAR sections)."""
    return _multiformats().CID.decode(raw).set(base="base32")


def verify_block(cid: CID, block: bytes) -> None:
    """Raise BlockVerificationError unless `block` hashes to `cid` (sha2-256, or identity)."""
    code = cid.hashfun.code
    if code == SHA2_256_CODE:
        ok = hashlib.sha256(block).digest() == bytes(cid.raw_digest)
    elif code == 0x00:  # identity multihash: the CID carries the bytes
        ok = bytes(cid.raw_digest) == block
    else:
        ok = cid.hashfun.digest(block) == cid.digest
    if not ok:
        raise BlockVerificationError(f"block does not match {cid}")


def cid_key(cid: CID) -> bytes:
    """The binary CID, used as a blockstore key (CIDv0 and v1 of the same block stay distinct)."""
    return bytes(cid)
