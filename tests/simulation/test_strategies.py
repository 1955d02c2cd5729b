"""The simulator and the real tier run the same strategy policy objects, from the same registry."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import pytest

from accelbench.ipfs.strategies import base
from accelbench.ipfs.strategies.accelerated import AcceleratedPolicy
from accelbench.ipfs.strategies.policy import WindowPolicy
from accelbench.simulation.calibration import UNCALIBRATED, CalibrationScenario, simulate_star
from accelbench.simulation.simulator import SimulationConfig, simulate

pytest.importorskip("simpy")


def _simulated(strategy: str, peers: int = 3, uploads_mbps: list[float] | None = None):
    """One simulated retrieval of 1 MiB in 256 KiB blocks from `peers` providers (40 Mbit/s up each)."""
    uploads = uploads_mbps or [40.0] * peers
    cs = CalibrationScenario("shared", strategy, 1024 * 1024, uploads, 256 * 1024, [])
    return simulate_star(cs, UNCALIBRATED)


def _real(strategy: str, peers: int = 3, *, counts: list[int] | None = None, **overrides):
    """One real retrieval of the same file over loopback gateway peers; `counts` gets requests per peer."""
    pytest.importorskip("aiohttp")
    from accelbench.ipfs.swarm import Swarm, SwarmConfig
    from accelbench.ipfs.unixfs import import_file

    imported = import_file(random.Random(5).randbytes(1024 * 1024), "legacy-cidv1")

    async def scenario():
        async with Swarm(SwarmConfig(peer_count=peers)) as swarm:
            swarm.place(imported, list(range(peers)))
            result = await swarm.retrieve(strategy, imported.root, swarm.holders(imported.root), **overrides)
            if counts is not None:
                counts.extend(p.counters.requests for p in swarm.peers)
            return result

    return asyncio.run(scenario())


def test_a_change_to_a_policy_rule_changes_both_tiers(monkeypatch):
    assert _real("accelerated").peers_contributing == 3
    assert _simulated("accelerated").providers_contributing == 3

    def first_usable_peer(self, block, exclude=()):  # the rule under test: never spread the load
        return next((p for p in self.peers if p not in exclude), None)

    monkeypatch.setattr(AcceleratedPolicy, "pick", first_usable_peer)
    real, simulated = _real("accelerated"), _simulated("accelerated")
    assert real.success and real.peers_contributing == 1
    assert simulated.success and simulated.providers_contributing == 1


def test_a_config_override_reaches_the_simulator_through_the_same_strategy_object(monkeypatch):
    from accelbench.ipfs.strategies.accelerated import AcceleratedStrategy

    strategy = base.get_strategy("accelerated", max_providers=2)
    monkeypatch.setattr(base, "get_strategy", lambda name, **kw: strategy)
    assert _simulated("accelerated", peers=4).providers_contributing == 2
    assert isinstance(strategy, AcceleratedStrategy) and strategy.policy([1, 2, 3, 4]).peers == [1, 2]


@dataclass
class _LastFirstConfig(base.StrategyConfig):
    want_window: int = 2


class _LastFirstPolicy(WindowPolicy):
    """Ask the providers in reverse order (a strategy that exists only in this test)."""

    def provider_set(self, providers):
        return list(reversed(providers)), []


class _LastFirst(base.Strategy):
    name = "last-first"
    config_class = _LastFirstConfig
    policy_class = _LastFirstPolicy


def test_a_strategy_registered_once_runs_in_both_tiers(monkeypatch):
    monkeypatch.setitem(base.STRATEGIES, "last-first", _LastFirst)
    counts: list[int] = []
    assert _real("last-first", peers=2, counts=counts).success
    assert counts == [0, 5]  # root + 4 leaves, all from the provider listed last
    # in the simulator, the provider listed last is the 10 Mbit/s one: 4x the standard's time
    slow, fast = (
        _simulated("last-first", uploads_mbps=[40.0, 10.0]),
        _simulated("standard", uploads_mbps=[40.0, 10.0]),
    )
    assert slow.ttlb_ms == pytest.approx(4 * fast.ttlb_ms, rel=0.05)
    result = simulate(SimulationConfig(nodes=60, seeds=2, leeches=5, strategies=("last-first",), seed=3))
    outcome = result.outcomes[0]
    assert outcome.summary["success_rate"] == 1.0 and outcome.parameters["want_window"] == 2


def test_every_registered_strategy_simulates_with_its_real_parameters():
    names = tuple(sorted(base.STRATEGIES))
    result = simulate(SimulationConfig(nodes=60, seeds=3, leeches=5, strategies=names, seed=1))
    for outcome in result.outcomes:
        assert outcome.summary["success_rate"] == 1.0, outcome.strategy
        assert outcome.parameters == base.get_strategy(outcome.strategy).config.to_dict()
