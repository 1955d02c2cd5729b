"""`ipfs bench`: retrieval scenarios over real loopback peers, each strategy measured, results stored.

For every peer count a swarm of that many gateway peers starts; for every content size a file of
seeded random bytes is imported and placed on `replication` peers (default: all of them); each
strategy then retrieves it `iterations` times from a fresh client (cold cache), strategies
interleaved per iteration so machine drift hits them alike.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from accelbench.errors import InputError
from accelbench.ipfs.metrics import Scenario, store_scenario, summarize
from accelbench.ipfs.shaping import LinkConditions
from accelbench.ipfs.swarm import Swarm, SwarmConfig
from accelbench.ipfs.unixfs import KIB, MIB, PROFILES, import_file

if TYPE_CHECKING:
    from accelbench.ipfs.retrieval import Retrieval
    from accelbench.storage import Store

CONTENT_SIZES = {"small": 256 * KIB, "medium": 4 * MIB, "large": 32 * MIB}


def parse_content_size(text: str, field: str = "--content-sizes") -> int:
    """'small' | 'medium' | 'large' | '16MiB' | '512KiB' | '1000000' -> bytes."""
    name = text.strip().lower()
    if name in CONTENT_SIZES:
        return CONTENT_SIZES[name]
    match = re.fullmatch(r"(\d+)\s*(b|kib|mib|gib)?", name)
    if not match:
        raise InputError(
            f"{text!r} is not a size: use small, medium, large or a size like 16MiB or 256KiB",
            item="command line", field=field,
        )  # fmt: skip
    scale = {None: 1, "b": 1, "kib": KIB, "mib": MIB, "gib": 1024 * MIB}[match.group(2)]
    return int(match.group(1)) * scale


def seeded_content(size_bytes: int, seed: int) -> bytes:
    """Deterministic incompressible bytes (so no two leaves share a CID by accident)."""
    return random.Random(seed).randbytes(size_bytes)


@dataclass
class BenchConfig:
    """The scenario matrix and network of one `ipfs bench`."""

    content_sizes: list[int] = field(default_factory=lambda: [CONTENT_SIZES["medium"]])
    strategies: list[str] = field(default_factory=lambda: ["standard", "accelerated"])
    peer_counts: list[int] = field(default_factory=lambda: [5])
    conditions: LinkConditions = field(default_factory=LinkConditions)
    iterations: int = 3
    replication: int | None = None  # peers holding the content; None: all
    profile: str = "unixfs-v1-2025"
    timeout_s: float = 30.0
    peer_urls: list[str] = field(default_factory=list)
    seed: int = 0
    shaping: str = "application"  # application | netns | auto (netns where possible)


@dataclass
class ScenarioResult:
    """One measured scenario: its description, its retrievals and their summary."""

    scenario: Scenario
    retrievals: list[Retrieval]
    metric_id: int | None = None

    @property
    def summary(self) -> dict:
        """summarize() of the retrievals."""
        return summarize(self.retrievals)


def run_bench(
    config: BenchConfig,
    *,
    store: Store | None = None,
    run_id: int | None = None,
    on_retrieval: Callable[[Retrieval], None] | None = None,
) -> list[ScenarioResult]:
    """Run every scenario; each is stored (one transaction) as soon as it is measured when `store` is given."""
    if config.profile not in PROFILES:
        raise InputError(f"unknown profile {config.profile!r}; expected one of {', '.join(PROFILES)}",
                         item="command line", field="--profile")  # fmt: skip
    return asyncio.run(_run(config, store, run_id, on_retrieval or (lambda r: None)))


async def _run(config, store, run_id, on_retrieval) -> list[ScenarioResult]:
    from accelbench.ipfs.strategies import get_strategy

    strategies = {name: get_strategy(name, timeout_s=config.timeout_s) for name in config.strategies}
    swarm_class, conditions = resolve_shaping(config)
    results: list[ScenarioResult] = []
    for peer_count in config.peer_counts:
        swarm_cfg = SwarmConfig(peer_count, conditions, peer_urls=config.peer_urls, seed=config.seed)
        async with swarm_class(swarm_cfg) as swarm:
            for size in config.content_sizes:
                imported = import_file(seeded_content(size, config.seed + size), config.profile)
                holders = list(range(min(config.replication or peer_count, peer_count)))
                swarm.place(imported, holders)
                providers = swarm.holders(imported.root)
                measured: dict[str, list[Retrieval]] = {name: [] for name in config.strategies}
                for _ in range(config.iterations):
                    for name in config.strategies:
                        r = await swarm.retrieve(name, imported.root, providers, timeout_s=config.timeout_s)
                        measured[name].append(r)
                        on_retrieval(r)
                for name, retrievals in measured.items():
                    scenario = Scenario(
                        strategy=name, content_size_bytes=size, peer_count=peer_count,
                        root_cid=str(imported.root), chunk_profile=config.profile,
                        shaping=conditions.shaping if _shaped(conditions) else "none",
                        tier="emulated" if conditions.shaping == "netns-tbf" else "real",
                        topology={"kind": "star", "peers": peer_count, "replication": len(holders),
                                  "external_peers": config.peer_urls, **conditions.to_dict()},
                        strategy_config=strategies[name].config.to_dict(),
                    )  # fmt: skip
                    result = ScenarioResult(scenario, retrievals)
                    if store is not None:
                        result.metric_id = store_scenario(store, run_id, scenario, retrievals)
                    results.append(result)
    return results


def resolve_shaping(config: BenchConfig) -> tuple[type[Swarm], LinkConditions]:
    """The swarm class and conditions for the requested shaping (netns only where it can run)."""
    from dataclasses import replace

    from accelbench.ipfs.netns import NetnsSwarm, netns_unavailable

    if config.shaping not in ("application", "netns", "auto"):
        raise InputError(f"{config.shaping!r}: expected application, netns or auto", item="command line",
                         field="--shaping")  # fmt: skip
    if config.shaping == "application":
        return Swarm, replace(config.conditions, shaping="application")
    why = netns_unavailable()
    if why is None:
        return NetnsSwarm, replace(config.conditions, shaping="netns-tbf")
    if config.shaping == "netns":
        raise InputError(
            f"--shaping netns is not possible here: {why}", item="command line", field="--shaping"
        )
    return Swarm, replace(config.conditions, shaping="application")


def _shaped(c: LinkConditions) -> bool:
    return bool(c.upload_bps or c.download_bps or c.latency_ms or c.jitter_ms)
