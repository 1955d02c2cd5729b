"""Measure calibration scenarios on real gateway peers (accelbench.ipfs) on loopback.

For each scenario a swarm of as many peers as providers starts with the scenario's upload limit
and added latency (application-layer shaping: a token bucket per peer, a sleep before each
answer); the content (seeded random bytes, imported with the scenario's chunk size) is placed on
every peer, and a fresh client retrieves it `iterations` times with the scenario's strategy. Only
successful retrievals' times to the last verified block are kept; a failed one raises.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from accelbench.errors import require
from accelbench.simulation.calibration import CalibrationScenario


def measure_scenarios(
    scenarios: list[CalibrationScenario], *, iterations: int = 5, seed: int = 0
) -> list[CalibrationScenario]:
    """The scenarios with `measured_ms` filled from real retrievals (ms to the last verified block)."""
    require("aiohttp", "ipfs")
    require("multiformats", "ipfs")
    return asyncio.run(_measure_all(scenarios, iterations, seed))


async def _measure_all(scenarios, iterations, seed):
    return [await _measure(cs, iterations, seed) for cs in scenarios]


async def _measure(cs: CalibrationScenario, iterations: int, seed: int) -> CalibrationScenario:
    from accelbench.ipfs.bench import seeded_content
    from accelbench.ipfs.shaping import LinkConditions
    from accelbench.ipfs.swarm import Swarm, SwarmConfig
    from accelbench.ipfs.unixfs import ImportProfile, import_file

    uploads = set(cs.provider_upload_mbps)
    if len(uploads) != 1:
        raise ValueError("the real swarm gives every peer the same conditions: use one upload per scenario")
    conditions = LinkConditions(latency_ms=cs.rtt_ms, upload_bps=uploads.pop() * 1e6)
    profile = ImportProfile(
        f"calibration-{cs.chunk_size_bytes}",
        cs.chunk_size_bytes,
        1024 if cs.chunk_size_bytes >= 1024 * 1024 else 174,
        True,
    )
    imported = import_file(seeded_content(cs.content_size_bytes, seed), profile)
    times, requests = [], None
    async with Swarm(SwarmConfig(len(cs.provider_upload_mbps), conditions, seed=seed)) as swarm:
        swarm.place(imported, list(range(len(cs.provider_upload_mbps))))
        providers = swarm.holders(imported.root)
        for _ in range(iterations):
            before = sum(p.counters.requests for p in swarm.peers)
            r = await swarm.retrieve(cs.strategy, imported.root, providers, timeout_s=60.0)
            if not r.success or r.ttlb_ms is None:
                raise RuntimeError(f"calibration retrieval {cs.name} failed: {r.error}")
            times.append(r.ttlb_ms)
            requests = sum(p.counters.requests for p in swarm.peers) - before
    return replace(
        cs,
        measured_ms=times,
        requests=requests,
        extra={"shaping": conditions.shaping, "root_cid": str(imported.root)},
    )
