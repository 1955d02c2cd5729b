"""IPFS retrieval over real loopback gateway peers: parallel speed-up and swarm distribution time.

Goals (issue 5):
- with N equal bandwidth-limited seeds (N = 2, 4, 8), `accelerated` reaches >= 0.8*N x the
  throughput of `standard`, with duplicate blocks <= 5 %;
- 20 peers distributing 64 MiB (1 seed, 19 leeches fetching at once and serving what they hold)
  in <= 60 s wall time on 2 cores.
Usage: .venv/bin/python bench/bench_ipfs.py [--seed-mbit 40] [--size-mib 16] [--iterations 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from accelbench.ipfs.bench import seeded_content
from accelbench.ipfs.shaping import LinkConditions
from accelbench.ipfs.swarm import Swarm, SwarmConfig
from accelbench.ipfs.unixfs import MIB, import_file


async def speedup(n: int, size_mib: int, seed_mbit: float, iterations: int, profile: str) -> dict:
    """Median throughput of standard and accelerated from n equal seeds, and accelerated's duplicate ratio."""
    imported = import_file(seeded_content(size_mib * MIB, n), profile)
    conditions = LinkConditions(upload_bps=seed_mbit * 1e6)
    runs: dict[str, list] = {"standard": [], "accelerated": []}
    async with Swarm(SwarmConfig(peer_count=n, conditions=conditions)) as swarm:
        swarm.place(imported, list(range(n)))
        providers = swarm.holders(imported.root)
        for _ in range(iterations):
            for name in runs:
                r = await swarm.retrieve(name, imported.root, providers, timeout_s=60)
                assert r.success, r.error
                runs[name].append(r)
    std = statistics.median(r.throughput_mbps for r in runs["standard"])
    acc = statistics.median(r.throughput_mbps for r in runs["accelerated"])
    dup = sum(r.duplicate_blocks for r in runs["accelerated"]) / sum(
        r.blocks_received for r in runs["accelerated"]
    )
    return {"n": n, "standard_mbps": std, "accelerated_mbps": acc, "speedup": acc / std, "dup": dup}


async def distribution(peers: int, size_mib: int, profile: str) -> dict:
    """Wall time for every non-seed peer to hold the whole file, fetching at once from the swarm."""
    imported = import_file(seeded_content(size_mib * MIB, 99), profile)
    async with Swarm(SwarmConfig(peer_count=peers)) as swarm:
        swarm.place(imported, [0])
        start = time.perf_counter()
        results = await swarm.distribute("accelerated", imported.root, seeds=[0], timeout_s=60)
        wall = time.perf_counter() - start
        complete = sum(len(p.blockstore) == len(imported.blocks) for p in swarm.peers)
    ok = sum(r.success for r in results)
    dup = sum(r.duplicate_blocks for r in results) / max(1, sum(r.blocks_received for r in results))
    from_seed = sum(1 for r in results if r.peers_contributing == 1)
    return {"wall_s": wall, "leeches_ok": ok, "leeches": len(results), "peers_complete": complete, "dup": dup,
            "leeches_served_only_by_seed": from_seed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed-mbit", type=float, default=40.0, help="upload limit of each seed")
    parser.add_argument("--size-mib", type=int, default=16, help="content for the speed-up runs")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--profile", default="legacy-cidv1", help="chunking profile of the speed-up runs")
    parser.add_argument("--dist-peers", type=int, default=20)
    parser.add_argument("--dist-mib", type=int, default=64)
    args = parser.parse_args()

    print(f"speed-up: {args.size_mib} MiB ({args.profile}), each seed {args.seed_mbit:g} Mbit/s upload, "
          f"median of {args.iterations}")  # fmt: skip
    print(
        f"{'N':>3} {'standard Mbit/s':>16} {'accelerated Mbit/s':>19} {'speed-up':>9} {'goal':>6} {'dup %':>6}"
    )
    for n in (2, 4, 8):
        r = asyncio.run(speedup(n, args.size_mib, args.seed_mbit, args.iterations, args.profile))
        met = "ok" if r["speedup"] >= 0.8 * n and r["dup"] <= 0.05 else "MISSED"
        print(f"{n:>3} {r['standard_mbps']:>16.1f} {r['accelerated_mbps']:>19.1f} {r['speedup']:>8.2f}x "
              f"{0.8 * n:>5.1f}x {100 * r['dup']:>5.1f}  {met}")  # fmt: skip

    d = asyncio.run(distribution(args.dist_peers, args.dist_mib, "unixfs-v1-2025"))
    met = "ok" if d["wall_s"] <= 60 and d["leeches_ok"] == d["leeches"] else "MISSED"
    print(f"distribution: {args.dist_peers} peers, {args.dist_mib} MiB from 1 seed: {d['wall_s']:.1f} s wall "
          f"(goal <= 60 s) {met}; {d['leeches_ok']}/{d['leeches']} leeches complete, "
          f"{d['peers_complete']} peers hold every block, dup {100 * d['dup']:.1f} %, "
          f"{d['leeches_served_only_by_seed']} leeches served by the seed alone")  # fmt: skip


if __name__ == "__main__":
    main()
