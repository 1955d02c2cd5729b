"""Calibration: the fit recovers known parameters, and the simulator agrees with real loopback peers."""

from __future__ import annotations

import pytest

from accelbench.cli.main import cli
from accelbench.simulation.calibration import (
    Calibration,
    CalibrationScenario,
    default_scenarios,
    fit_calibration,
    simulate_scenario,
)
from accelbench.simulation.storage import load_calibration, store_calibration


def test_fit_recovers_the_parameters_that_made_the_times():
    truth = Calibration(per_request_overhead_ms=3.0, bandwidth_factor=0.8)
    scenarios = []
    for cs in default_scenarios():
        cs.measured_ms = [simulate_scenario(cs, truth)]
        scenarios.append(cs)
    cal, report = fit_calibration(scenarios)
    assert cal.per_request_overhead_ms == pytest.approx(3.0, abs=0.3)
    assert cal.bandwidth_factor == pytest.approx(0.8, abs=0.02)
    assert report["within_tolerance"] and report["max_abs_error_percent"] < 1.0


def test_a_calibration_that_misses_is_stored_as_not_within_tolerance(store):
    # two scenarios no single (overhead, factor) can explain: same work, times 3x apart
    a = CalibrationScenario("a", "standard", 1024 * 1024, [40.0], 256 * 1024, [220.0])
    b = CalibrationScenario("b", "standard", 1024 * 1024, [40.0], 256 * 1024, [660.0])
    cal, report = fit_calibration([a, b])
    assert not report["within_tolerance"]
    cal_id = store_calibration(store, cal, report, [a, b])
    assert load_calibration(store).calibration_id is None  # "latest" only takes calibrations that agree
    loaded = load_calibration(store, cal_id)
    assert not loaded.within_tolerance and "outside the calibration tolerance" in loaded.reason()


def test_simulator_agrees_with_real_peers_within_15_percent(store, db_path, cli_runner):
    pytest.importorskip("aiohttp")
    from accelbench.simulation.realpeers import measure_scenarios

    chosen = [cs for cs in default_scenarios() if cs.name.startswith(("standard-1x40", "accelerated"))]
    measured = measure_scenarios(chosen, iterations=3)
    assert all(len(cs.measured_ms) == 3 and cs.requests for cs in measured)
    cal, report = fit_calibration(measured)
    assert report["within_tolerance"], report
    cal_id = store_calibration(store, cal, report, measured)
    out = cli_runner.invoke(
        cli, ["ipfs", "simulate", "--nodes", "100", "--seeds", "2", "--leeches", "5", "--db", str(db_path)]
    )
    assert out.exit_code == 0, out.output
    rows = store.query("SELECT DISTINCT calibration_id, simulation_reason FROM ipfs_acceleration_metrics")
    assert rows == [
        {
            "calibration_id": cal_id,
            "simulation_reason": cal.__class__(
                cal.per_request_overhead_ms, cal.bandwidth_factor, cal_id, cal.source
            ).reason(),
        }
    ]
