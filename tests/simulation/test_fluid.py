"""Max-min fair sharing: exact rates on small known networks, and flow completion times in SimPy."""

from __future__ import annotations

import pytest

from accelbench.simulation.fluid import FluidNetwork, max_min_fair_rates


def test_three_flows_on_one_link_with_one_capped():
    rates = max_min_fair_rates({"a": ["link"], "b": ["link"], "c": ["link"]}, {"link": 10.0}, {"a": 2.0})
    assert rates == {"a": 2.0, "b": 4.0, "c": 4.0}


def test_two_links_in_a_row_the_classic_example():
    # a crosses only l1 (10), c only l2 (4), b both: l2 saturates first at 2 each, a takes the rest of l1
    rates = max_min_fair_rates({"a": ["l1"], "b": ["l1", "l2"], "c": ["l2"]}, {"l1": 10.0, "l2": 4.0})
    assert rates == {"a": 8.0, "b": 2.0, "c": 2.0}


def test_identical_capacities_tie_without_starving_anyone():
    flows = {i: ["up", "down"] for i in range(7)}
    rates = max_min_fair_rates(flows, {"up": 7.0, "down": 7.0})
    assert rates == {i: 1.0 for i in range(7)}


def _run(env, gen):
    env.process(gen)
    env.run()


def test_flows_finish_when_their_fair_share_has_moved_their_bytes():
    simpy = pytest.importorskip("simpy")
    env = simpy.Environment()
    net = FluidNetwork(env, {"link": 1_000_000.0})  # 1 MB/s
    finished = {}

    def start(name, size, at):
        yield env.timeout(at)
        flow = net.start(["link"], size)
        yield flow.done
        finished[name] = env.now

    env.process(start("small", 1_000_000, 0.0))
    env.process(start("big", 2_000_000, 0.0))
    env.process(start("late", 500_000, 1.0))
    env.run()
    # 0-1 s: two flows at 0.5 MB/s; 1 s on: three at 1/3 MB/s. small has 0.5 MB left -> ends at 2.5 s;
    # late then has 0.5 - 1.5/3 = 0 left -> ends at 2.5 s too; big has 2 - 0.5 - 0.5 = 1 MB at 1 MB/s -> 3.5 s
    assert finished["small"] == pytest.approx(2.5, abs=1e-9)
    assert finished["late"] == pytest.approx(2.5, abs=1e-9)
    assert finished["big"] == pytest.approx(3.5, abs=1e-9)


def test_cancel_returns_bytes_delivered_and_frees_the_link():
    simpy = pytest.importorskip("simpy")
    env = simpy.Environment()
    net = FluidNetwork(env, {"link": 100.0})
    out = {}

    def run():
        a = net.start(["link"], 1000)
        b = net.start(["link"], 300)
        yield env.timeout(2.0)
        out["delivered"] = net.cancel(a)  # 2 s at 50 B/s
        yield b.done
        out["b_done"] = env.now  # 200 B left at the full 100 B/s

    _run(env, run())
    assert out["delivered"] == pytest.approx(100.0)
    assert out["b_done"] == pytest.approx(4.0)


def _random_groups(seed):
    import random

    from accelbench.simulation.fluid import _Group

    rng = random.Random(seed)
    n_res = rng.randint(2, 40)
    capacity = {r: rng.choice([1.0, 2.0, 10.0, rng.uniform(1, 20)]) for r in range(n_res)}
    groups = []
    for i in range(rng.randint(1, 60)):
        g = _Group(
            tuple(rng.sample(range(n_res), rng.randint(1, min(5, n_res)))),
            rng.choice([float("inf"), rng.uniform(0.1, 3)]),
        )
        g.flows.update({(i, k): 0.0 for k in range(rng.randint(1, 4))})
        groups.append(g)
    return groups, capacity


@pytest.mark.parametrize("seed", range(40))
def test_numpy_parallel_fill_gives_the_same_rates_as_progressive_filling(seed):
    from accelbench.simulation.fluid import _progressive_fill
    from accelbench.simulation.waterfill import parallel_fill

    a, capacity = _random_groups(seed)
    b, _ = _random_groups(seed)
    _progressive_fill(a, capacity)
    parallel_fill(b, capacity)
    assert [g.rate for g in b] == pytest.approx([g.rate for g in a], rel=1e-12)
    for r, cap in capacity.items():  # feasible: no resource carries more than its capacity
        assert sum(g.rate * len(g.flows) for g in b if r in g.resources) <= cap * (1 + 1e-12)
