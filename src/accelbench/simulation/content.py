"""The shape of a UnixFS DAG for a given file size: block sizes and parent/child links, no bytes.

The simulator moves block sizes, not data. The layout follows the balanced UnixFS importer:
leaves are `chunk_bytes` raw blocks (the last one shorter), parents hold up to `links_per_node`
links, and a one-chunk file is a single raw block. Parent sizes are estimated from the DAG-PB
encoding of a link (36-byte CIDv1 + name + size varints + framing, about 46 bytes) plus the
UnixFS data field with one blocksize per link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MIB = 1024 * 1024
LINK_BYTES = 46  # DAG-PB PBLink: CID 36 B + Tsize varint + field framing
BLOCKSIZE_BYTES = 4  # UnixFS Data.blocksizes varint per child


@dataclass
class Block:
    """One block of the DAG: its index, size in bytes and children (indices)."""

    index: int
    size_bytes: int
    children: list[int] = field(default_factory=list)


def dag_layout(size_bytes: int, *, chunk_bytes: int = MIB, links_per_node: int = 1024) -> list[Block]:
    """Blocks of a balanced UnixFS DAG for `size_bytes`, root first (index 0)."""
    if size_bytes < 0 or chunk_bytes <= 0 or links_per_node < 2:
        raise ValueError("size must be >= 0, chunk > 0 and links_per_node >= 2")
    leaves = max(1, math.ceil(size_bytes / chunk_bytes))
    if leaves == 1:
        return [Block(0, size_bytes)]
    leaf_sizes = [min(chunk_bytes, size_bytes - i * chunk_bytes) for i in range(leaves)]
    tree: list[list[tuple[int, list[int]]]] = [[(s, []) for s in leaf_sizes]]  # levels, leaves first
    while len(tree[-1]) > 1:
        below = tree[-1]
        parents = []
        for start in range(0, len(below), links_per_node):
            kids = list(range(start, min(len(below), start + links_per_node)))
            parents.append((14 + len(kids) * (LINK_BYTES + BLOCKSIZE_BYTES), kids))
        tree.append(parents)
    # number blocks level by level from the root, so index order is the order a walker learns them
    levels = list(reversed(tree))
    starts = [0]
    for nodes in levels:
        starts.append(starts[-1] + len(nodes))
    blocks: list[Block] = []
    for depth, nodes in enumerate(levels):
        for size, kids in nodes:
            blocks.append(Block(len(blocks), size, [starts[depth + 1] + k for k in kids]))
    return blocks


def payload_bytes(blocks: list[Block]) -> int:
    """Total bytes of every block (what a full retrieval moves, before duplicates and overhead)."""
    return sum(b.size_bytes for b in blocks)


def leaves(blocks: list[Block], roots: list[int]) -> list[int]:
    """Leaf indices under `roots`, in file order (depth first, left to right)."""
    out, stack = [], list(reversed(roots))
    while stack:
        b = stack.pop()
        if blocks[b].children:
            stack.extend(reversed(blocks[b].children))
        else:
            out.append(b)
    return out


def subtree_totals(blocks: list[Block]) -> tuple[list[int], list[int]]:
    """Per block: bytes and number of blocks in its subtree, itself included."""
    size = [b.size_bytes for b in blocks]
    count = [1] * len(blocks)
    for b in reversed(blocks):  # children have higher indices than their parent
        for c in b.children:
            size[b.index] += size[c]
            count[b.index] += count[c]
    return size, count
