"""UnixFS import, DAG-PB and CAR: root CIDs equal those of the reference importers, round trips hold."""

from __future__ import annotations

import random

import pytest

from accelbench.ipfs.car import CarError, CarStreamReader, encode_header, read_car, write_car
from accelbench.ipfs.cids import make_cid
from accelbench.ipfs.dagpb import (
    DecodeError,
    PBLink,
    PBNode,
    UnixFSData,
    decode_node,
    decode_unixfs,
    encode_node,
    encode_unixfs,
)
from accelbench.ipfs.unixfs import KIB, ImportProfile, decode_block, dfs_order, import_file, read_file

# Non-raw-leaf fixtures come from ipld/js-unixfs test/file.spec.js, whose importer is checked against
# go-ipfs (kubo) by its convergence tests; "--chunker=size-65535 --trickle=false --raw-leaves=false
# --cid-version=1" is the exact kubo command line that test names.
DAG_PB_LEAVES = ImportProfile("js-unixfs-default", 262144, 174, raw_leaves=False)


def test_hello_world_raw_leaf_matches_the_spec_fixture():
    assert (
        str(import_file(b"hello world").root) == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    )


def test_empty_file_is_the_raw_block_of_no_bytes():
    # sha2-256 of b"" as a raw CIDv1: what `ipfs add --cid-version 1` prints for an empty file
    assert str(import_file(b"").root) == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


@pytest.mark.parametrize(
    ("content", "expected", "dag_bytes"),
    [
        (
            b"this file does not have much content\n",
            "bafybeidequ5soq6smzafv4lb76i5dkvl5fzgvrxz4bmlc2k4dkikklv2j4",
            45,
        ),
        (b"", "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y", 6),
        (
            bytes([1]) * 262144 + bytes([2]) * 262144 + bytes([3]) * 262144,
            "bafybeiegda62p2cdi5sono3h3hqjnxwc56z4nocynrj44rz7rtc2p246cy",
            786632,
        ),
    ],
)
def test_dag_pb_leaf_fixtures_of_js_unixfs(content, expected, dag_bytes):
    imported = import_file(content, DAG_PB_LEAVES)
    assert str(imported.root) == expected
    assert imported.dag_bytes == dag_bytes


def test_kubo_size_65535_balanced_fixture():
    size = round(65535 * 2.2)
    frame = round(size / 10)
    content = b"".join(
        bytes([n + 1]) * min(frame, size - n * frame) for n in range((size + frame - 1) // frame)
    )
    imported = import_file(content, ImportProfile("kubo-65535", 65535, 174, raw_leaves=False))
    assert len(content) == 144177
    assert str(imported.root) == "bafybeiduffmtppi4cwa6olo3ggmoehvtdtcd47y6ddoodhyvcv7y3zvgnq"
    assert imported.dag_bytes == 144372


def test_multi_block_raw_leaf_file_has_the_balanced_shape_and_round_trips():
    content = random.Random(1).randbytes(3 * 256 * KIB + 5)
    imported = import_file(content, "legacy-cidv1")
    root_block = imported.blocks[bytes(imported.root)]
    info = decode_block(imported.root, root_block)
    assert imported.root.codec.name == "dag-pb" and imported.root.version == 1
    assert [c.codec.name for c in info.children] == ["raw"] * 4
    assert info.child_sizes == (262144, 262144, 262144, 5) and info.filesize == len(content)
    assert read_file(lambda c: imported.blocks[bytes(c)], imported.root) == content


def test_links_per_node_builds_a_deeper_balanced_tree():
    content = bytes(range(256)) * 4  # 1024 bytes -> 64 leaves of 16 bytes, 4 links per node: depth 3
    imported = import_file(content, ImportProfile("tiny", 16, 4))
    # the pattern repeats every 256 bytes: 16 distinct leaves, 4 distinct level-1 nodes, 1 level-2, root
    assert len(imported.blocks) == 16 + 4 + 1 + 1
    depth, cid = 0, imported.root
    while cid.codec.name == "dag-pb":
        cid = decode_block(cid, imported.blocks[bytes(cid)]).children[0]
        depth += 1
    assert depth == 3
    assert read_file(lambda c: imported.blocks[bytes(c)], imported.root) == content


def test_dag_pb_writes_links_before_data_and_round_trips():
    link = PBLink(bytes(make_cid("raw", b"x")), "", 1)
    node = PBNode((link,), encode_unixfs(UnixFSData(2, None, 1, (1,))))
    encoded = encode_node(node)
    assert encoded[0] == 0x12  # field 2 (Links), wire type 2, comes first on the wire
    assert decode_node(encoded) == node
    assert decode_unixfs(node.data or b"") == UnixFSData(2, None, 1, (1,))


@pytest.mark.parametrize("bad", [b"\x12\xff", b"\x0a\x05ab", b"\x1a\x00", b"\xff" * 11])
def test_malformed_dag_pb_is_rejected(bad):
    with pytest.raises(DecodeError):
        decode_node(bad)


def test_car_round_trip_streamed_in_small_pieces():
    imported = import_file(random.Random(2).randbytes(600 * KIB), "legacy-cidv1")
    car = write_car([imported.root], dfs_order(imported.blocks, imported.root))
    roots, blocks = read_car(car)
    assert roots == [imported.root] and {bytes(c): b for c, b in blocks} == imported.blocks
    reader, streamed = CarStreamReader(), []
    for i in range(0, len(car), 777):
        streamed += reader.feed(car[i : i + 777])
    reader.close()
    assert [c for c, _ in streamed] == [c for c, _ in blocks]


def test_car_header_is_canonical_dag_cbor():
    root = make_cid("raw", b"hello world")
    header = encode_header([root])
    assert header.startswith(b"\xa2\x65roots\x81\xd8\x2a\x58\x25\x00")
    assert header.endswith(b"\x67version\x01")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda car: car[:-3], "ended inside a section"),
        (lambda car: car[:-1] + bytes([car[-1] ^ 1]), "does not match"),
        (lambda car: b"\x05hello" + car, "header"),
        (lambda car: b"", "before its header"),
    ],
)
def test_bad_car_files_are_rejected_with_a_reason(mutate, message):
    imported = import_file(b"some bytes for a car file")
    car = write_car([imported.root], dfs_order(imported.blocks, imported.root))
    with pytest.raises(CarError, match=message):
        read_car(mutate(car))
