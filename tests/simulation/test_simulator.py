"""Whole simulations: reproducible, strategies compared, rows stored as simulated."""

from __future__ import annotations

import json

import pytest

from accelbench.cli.main import cli
from accelbench.simulation.simulator import SimulationConfig, simulate
from accelbench.simulation.storage import store_simulation


def _small(**kw):
    base = dict(
        topology="barabasi-albert",
        nodes=300,
        seeds=3,
        leeches=40,
        seed=7,
        strategies=("standard", "accelerated"),
    )
    base.update(kw)
    return SimulationConfig(**base)


def _figures(result):
    return [
        (o.strategy, o.summary, [(r.leech, r.ttlb_ms, r.received_bytes) for r in o.records])
        for o in result.outcomes
    ]


@pytest.mark.parametrize("topology", ["barabasi-albert", "waxman"])
def test_same_seed_gives_exactly_the_same_metrics(topology):
    a, b = simulate(_small(topology=topology)), simulate(_small(topology=topology))
    assert json.dumps(_figures(a)) == json.dumps(_figures(b))
    assert a.graph == b.graph
    c = simulate(_small(topology=topology, seed=8))
    assert json.dumps(_figures(c)) != json.dumps(_figures(a))


def test_accelerated_beats_standard_when_seeds_are_bandwidth_limited():
    # 4 broadband seeds (20 Mbit/s up each), leeches on faster downlinks: one provider is the bottleneck
    result = simulate(
        _small(
            seeds=4,
            leeches=30,
            seed_class="broadband",
            arrival_window_s=30.0,
            strategies=("standard", "accelerated", "range-split"),
        )
    )
    s = {o.strategy: o.summary for o in result.outcomes}
    assert all(v["success_rate"] == 1.0 for v in s.values())
    assert s["accelerated"]["ttlb_p50_ms"] < 0.75 * s["standard"]["ttlb_p50_ms"]
    assert s["range-split"]["ttlb_p50_ms"] < 0.75 * s["standard"]["ttlb_p50_ms"]
    assert s["accelerated"]["providers_contributing_p50"] > 1 == s["standard"]["providers_contributing_p50"]


def test_rows_are_stored_as_simulated_with_their_reason(store):
    result = simulate(_small())
    run_id = store_simulation(store, result)
    rows = store.query("SELECT * FROM ipfs_acceleration_metrics WHERE benchmark_id = ? ORDER BY id", [run_id])
    assert [r["strategy"] for r in rows] == ["standard", "accelerated"]
    assert all(r["is_simulated"] and r["tier"] == "simulated" for r in rows)
    assert all("uncalibrated" in r["simulation_reason"] and r["calibration_id"] is None for r in rows)
    assert all(r["cache_hit_ratio"] is None and r["peers_connected"] is None for r in rows)  # not modelled
    topo = store.query("SELECT * FROM network_topology_simulation WHERE ipfs_metric_id = ?", [rows[0]["id"]])[
        0
    ]
    assert topo["node_count"] == 300 and topo["content_replication_factor"] == 3.0
    assert topo["average_node_degree"] == pytest.approx(result.graph["average_node_degree"])
    assert json.loads(topo["simulation_results"])["graph"]["largest_component_size"] == 300
    raw = store.query(
        "SELECT count(*) AS n, bool_and(is_simulated) AS sim FROM ipfs_retrievals WHERE run_id = ?", [run_id]
    )[0]
    assert raw == {"n": 80, "sim": True}


def test_cli_simulate_prints_a_table_marked_simulated(db_path, cli_runner):
    out = cli_runner.invoke(
        cli,
        [
            "ipfs",
            "simulate",
            "--topology",
            "watts-strogatz",
            "--nodes",
            "200",
            "--seeds",
            "2",
            "--leeches",
            "20",
            "--db",
            str(db_path),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "SIMULATED (not measured) - benchmark id 1" in out.output
    assert "standard" in out.output and "accelerated" in out.output


def test_cli_rejects_more_peers_than_nodes_and_writes_nothing(db_path, cli_runner):
    out = cli_runner.invoke(
        cli, ["ipfs", "simulate", "--nodes", "10", "--seeds", "3", "--leeches", "8", "--db", str(db_path)]
    )
    assert out.exit_code == 2 and "seeds + leeches (11) exceed nodes (10)" in out.output
    assert not db_path.exists()


def test_cli_rejects_an_unknown_strategy(db_path, cli_runner):
    out = cli_runner.invoke(cli, ["ipfs", "simulate", "--strategy", "turbo", "--db", str(db_path)])
    assert out.exit_code == 2 and "unknown strategy 'turbo'" in out.output


@pytest.mark.slow
def test_ten_thousand_nodes_and_a_thousand_retrievals_complete():
    # the bench scenario (bench/bench_simulator.py prints its wall time; target <= 60 s)
    config = SimulationConfig(
        nodes=10_000, seeds=10, leeches=1000, strategies=("accelerated",), arrival_window_s=60.0
    )
    result = simulate(config)
    summary = result.outcomes[0].summary
    assert summary["retrievals"] == 1000 and summary["success_rate"] == 1.0
    assert result.graph["path_method"]["method"] == "sampled-bfs"


def test_leeches_that_reprovide_speed_up_later_leeches():
    # 2 broadband seeds cannot keep up with 60 leeches over 60 s; finished leeches can
    base = dict(seeds=2, leeches=60, seed_class="broadband", arrival_window_s=60.0, strategies=("standard",))
    alone = simulate(_small(**base)).outcomes[0].summary
    swarm = simulate(_small(reprovide=True, **base))
    summary = swarm.outcomes[0].summary
    assert summary["success_rate"] == 1.0
    assert summary["ttlb_p50_ms"] < 0.5 * alone["ttlb_p50_ms"]
