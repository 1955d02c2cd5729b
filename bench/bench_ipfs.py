"""IPFS retrieval over real loopback gateway peers: parallel speed-up and swarm distribution time.

Goals (issue 5):
- with N equal bandwidth-limited seeds (N = 2, 4, 8), `accelerated` reaches >= 0.8*N x the
  throughput of `standard`, with duplicate blocks <= 5 %;
- `range-split` (and every strategy) with duplicate blocks <= 5 %;
- 20 peers distributing 64 MiB (1 seed, 19 leeches fetching at once and serving what they hold)
  in <= 60 s wall time on 2 cores.
Usage: .venv/bin/python bench/bench_ipfs.py [--seed-mbit 40] [--size-mib 16] [--iterations 3]
       [--strategies standard,accelerated,range-split] [--ns 2,4,8] [--skip-distribution]
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


async def speedup(
    n: int, size_mib: int, seed_mbit: float, iterations: int, profile: str, strategies: list[str]
) -> dict[str, dict]:
    """Per strategy: median throughput from n equal seeds, speed-up over `standard`, duplicate ratio."""
    imported = import_file(seeded_content(size_mib * MIB, n), profile)
    conditions = LinkConditions(upload_bps=seed_mbit * 1e6)
    names = list(dict.fromkeys(["standard", *strategies]))
    runs: dict[str, list] = {name: [] for name in names}
    async with Swarm(SwarmConfig(peer_count=n, conditions=conditions)) as swarm:
        swarm.place(imported, list(range(n)))
        providers = swarm.holders(imported.root)
        for _ in range(iterations):
            for name in runs:
                r = await swarm.retrieve(name, imported.root, providers, timeout_s=60)
                assert r.success, r.error
                runs[name].append(r)
    out = {}
    for name, rs in runs.items():
        mbps = statistics.median(r.throughput_mbps for r in rs)
        dup = sum(r.duplicate_blocks for r in rs) / sum(r.blocks_received for r in rs)
        out[name] = {"mbps": mbps, "dup": dup, "blocks": rs[0].blocks_received}
    for row in out.values():
        row["speedup"] = row["mbps"] / out["standard"]["mbps"]
    return out


async def distribution(peers: int, size_mib: int, profile: str, shaping: str, mbit: float | None) -> dict:
    """Wall time for every non-seed peer to hold the whole file, fetching at once from the swarm.

    shaping "application": peers in this process on loopback; "netns": every peer a process in
    its own network namespace (the emulated tier), `mbit` limiting each one's upload and download.
    """
    imported = import_file(seeded_content(size_mib * MIB, 99), profile)
    limit = mbit * 1e6 if mbit else None
    if shaping == "netns":
        from accelbench.ipfs.netns import NetnsSwarm

        swarm_class = NetnsSwarm
        conditions = LinkConditions(upload_bps=limit, download_bps=limit, shaping="netns-tbf")
    else:
        swarm_class = Swarm
        conditions = LinkConditions(upload_bps=limit, download_bps=limit)
    async with swarm_class(SwarmConfig(peer_count=peers, conditions=conditions)) as swarm:
        swarm.place(imported, [0])
        start = time.perf_counter()
        results = await swarm.distribute("accelerated", imported.root, seeds=[0], timeout_s=60)
        wall = time.perf_counter() - start
        if shaping == "netns":  # a leech stores every block it verified, in its own namespace
            complete = 1 + sum(r.success and r.dag_bytes > 0 for r in results)
        else:
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
    parser.add_argument("--strategies", default="accelerated,range-split", help="compared with standard")
    parser.add_argument("--ns", default="2,4,8", help="seed counts of the speed-up runs")
    parser.add_argument("--dist-peers", type=int, default=20)
    parser.add_argument("--dist-mib", type=int, default=64)
    parser.add_argument("--dist-shaping", choices=("application", "netns"), default="application",
                        help="netns: every peer in its own network namespace (root)")  # fmt: skip
    parser.add_argument(
        "--dist-mbit", type=float, default=None, help="upload and download limit of every peer"
    )
    parser.add_argument("--skip-distribution", action="store_true")
    args = parser.parse_args()
    strategies = [s for s in args.strategies.split(",") if s]

    print(f"speed-up: {args.size_mib} MiB ({args.profile}), each seed {args.seed_mbit:g} Mbit/s upload, "
          f"median of {args.iterations}; goal >= 0.8 N x standard, duplicate blocks <= 5 %")  # fmt: skip
    print(f"{'N':>3} {'strategy':<12} {'Mbit/s':>8} {'speed-up':>9} {'dup %':>6} {'blocks':>7}")
    for n in (int(x) for x in args.ns.split(",")):
        rows = asyncio.run(
            speedup(n, args.size_mib, args.seed_mbit, args.iterations, args.profile, strategies)
        )
        for name, r in rows.items():
            met = (
                ""
                if name == "standard"
                else ("ok" if r["speedup"] >= 0.8 * n and r["dup"] <= 0.05 else "MISSED")
            )
            print(f"{n:>3} {name:<12} {r['mbps']:>8.1f} {r['speedup']:>8.2f}x {100 * r['dup']:>5.1f} "
                  f"{r['blocks']:>7}  {met}")  # fmt: skip

    if args.skip_distribution:
        return
    d = asyncio.run(
        distribution(args.dist_peers, args.dist_mib, "unixfs-v1-2025", args.dist_shaping, args.dist_mbit)
    )
    met = "ok" if d["wall_s"] <= 60 and d["leeches_ok"] == d["leeches"] else "MISSED"
    limits = f"{args.dist_mbit:g} Mbit/s up and down per peer" if args.dist_mbit else "no limits"
    print(f"distribution ({args.dist_shaping}, {limits}): {args.dist_peers} peers, {args.dist_mib} MiB "
          f"from 1 seed: {d['wall_s']:.1f} s wall "
          f"(goal <= 60 s) {met}; {d['leeches_ok']}/{d['leeches']} leeches complete, "
          f"{d['peers_complete']} peers hold every block, dup {100 * d['dup']:.1f} %, "
          f"{d['leeches_served_only_by_seed']} leeches served by the seed alone")  # fmt: skip


if __name__ == "__main__":
    main()
