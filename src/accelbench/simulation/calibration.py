"""Calibration: fit the simulator's per-request overhead and bandwidth factor to real-peer timings.

A calibration scenario is a small network that exists both for real (gateway peers on loopback,
with upload limits) and in the simulator (a star: the client linked to each provider, same
limits, loopback latency). Each request in the simulator costs RTT + overhead, and its bytes move
at capacity × bandwidth_factor; so for a standard (one block in flight) retrieval

    time_ms = requests × (rtt_ms + overhead_ms) + 8 × bytes / (factor × Mbit/s × 1000)

is linear in (overhead, 1 / factor). fit_calibration() solves that by least squares over the
scenarios' measured medians, then re-runs every scenario in the simulator and reports the error
of the simulated median against the measured one; `within_tolerance` is true only if every
scenario agrees within the tolerance (15 %).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.simulation.engine import RetrievalRecord

TOLERANCE = 0.15


@dataclass(frozen=True)
class Calibration:
    """Simulator parameters fitted to real peers; id is the stored calibration_id (None: not stored)."""

    per_request_overhead_ms: float = 0.0
    bandwidth_factor: float = 1.0
    calibration_id: int | None = None
    source: str = "uncalibrated defaults"
    within_tolerance: bool = True

    def reason(self) -> str:
        """The simulation_reason stored with every simulated row."""
        if self.calibration_id is None:
            return (
                "simulated (SimPy fluid model, max-min fair); uncalibrated: no calibration stored "
                "(run `accelbench ipfs calibrate`)"
            )
        verdict = "" if self.within_tolerance else " (outside the calibration tolerance)"
        return (
            f"simulated (SimPy fluid model, max-min fair); calibration #{self.calibration_id}{verdict}: "
            f"overhead {self.per_request_overhead_ms:.2f} ms/request, bandwidth x{self.bandwidth_factor:.3f}"
        )


UNCALIBRATED = Calibration()


@dataclass
class CalibrationScenario:
    """One scenario measured on real peers: providers' upload Mbit/s, content size, strategy, times."""

    name: str
    strategy: str
    content_size_bytes: int
    provider_upload_mbps: list[float]
    chunk_size_bytes: int
    measured_ms: list[float]  # time to last block of each real retrieval
    rtt_ms: float = 0.2  # loopback round trip incl. the peer's added latency
    requests: int | None = None  # requests one retrieval made (from the real tier), if known
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the calibration."""
        return asdict(self)


DEFAULT_SCENARIOS = (
    # name, strategy, size, provider uploads (Mbit/s), chunk bytes, added latency ms
    ("standard-1x40mbit-2MiB-256KiB", "standard", 2 * 1024 * 1024, [40.0], 256 * 1024, 2.0),
    ("accelerated-4x10mbit-2MiB-256KiB", "accelerated", 2 * 1024 * 1024, [10.0] * 4, 256 * 1024, 2.0),
    ("range-split-4x10mbit-2MiB-256KiB", "range-split", 2 * 1024 * 1024, [10.0] * 4, 256 * 1024, 2.0),
    ("standard-1x80mbit-4MiB-1MiB", "standard", 4 * 1024 * 1024, [80.0], 1024 * 1024, 2.0),
    # many small requests at 10 ms each: separates the per-request overhead from the bandwidth
    ("standard-1x200mbit-1MiB-64KiB-10ms", "standard", 1024 * 1024, [200.0], 64 * 1024, 10.0),
)
LOOPBACK_MBPS = 10_000.0  # loopback links and an unshaped client download: never the bottleneck


def default_scenarios() -> list[CalibrationScenario]:
    """The calibration scenarios `ipfs calibrate` measures, not yet measured."""
    return [
        CalibrationScenario(n, s, size, ups, chunk, [], rtt_ms=lat)
        for n, s, size, ups, chunk, lat in DEFAULT_SCENARIOS
    ]


def simulate_scenario(cs: CalibrationScenario, calibration: Calibration) -> float:
    """The simulator's time to last block (ms) for one retrieval of the scenario (a star network)."""
    return simulate_star(cs, calibration).ttlb_ms


def simulate_star(cs: CalibrationScenario, calibration: Calibration) -> RetrievalRecord:
    """The simulator's record of one retrieval of the scenario: a client linked to each provider."""
    import networkx as nx

    from accelbench.ipfs.strategies.base import get_strategy
    from accelbench.simulation.engine import Scenario, default_blocks, run_strategy
    from accelbench.simulation.topology import Topology

    n = len(cs.provider_upload_mbps)
    graph = nx.star_graph(n)  # node 0 is the client, 1..n the providers
    for _, _, data in graph.edges(data=True):
        data["latency_ms"], data["capacity_mbps"] = cs.rtt_ms / 2, LOOPBACK_MBPS
    import numpy as np

    access = {0: (LOOPBACK_MBPS, LOOPBACK_MBPS)}
    access.update({p + 1: (up, LOOPBACK_MBPS) for p, up in enumerate(cs.provider_upload_mbps)})
    topo = Topology("star", 0, graph, np.zeros((n + 1, 2)), ["datacenter"] * (n + 1), access_mbps=access)
    providers = list(range(1, n + 1))
    scenario = Scenario(
        topo,
        providers,
        [0],
        [0.0],
        [providers],
        [0.0],
        ["given"],
        [0],
        default_blocks(
            cs.content_size_bytes, cs.chunk_size_bytes, 1024 if cs.chunk_size_bytes >= 1024 * 1024 else 174
        ),
        {p: {0: [p, 0]} for p in providers},
        {p: {0: cs.rtt_ms} for p in providers},
    )
    records, _, _ = run_strategy(scenario, get_strategy(cs.strategy), calibration)
    return records[0]


def _median(values: list[float]) -> float:
    vals = sorted(values)
    mid = len(vals) // 2
    return vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2


def errors_percent(scenarios: list[CalibrationScenario], calibration: Calibration) -> list[float]:
    """Per scenario, (simulated - measured median) / measured median, in percent."""
    out = []
    for cs in scenarios:
        real = _median(cs.measured_ms)
        out.append(100 * (simulate_scenario(cs, calibration) - real) / real)
    return out


def fit_calibration(
    scenarios: list[CalibrationScenario], *, tolerance: float = TOLERANCE
) -> tuple[Calibration, dict[str, Any]]:
    """Least-squares fit of (overhead ms, bandwidth factor) on log time ratios, by refined grid search.

    Returns the calibration (not yet stored: calibration_id None) and a report with the per
    scenario measured/simulated medians and errors, the median absolute error and the verdict.
    The errors are in-sample: the same scenarios fitted and checked.
    """
    import math

    def loss(overhead: float, factor: float) -> float:
        cal = Calibration(overhead, factor)
        return sum(math.log1p(e / 100) ** 2 for e in errors_percent(scenarios, cal))

    lo_o, hi_o, lo_f, hi_f = 0.0, 20.0, 0.3, 1.5
    best = (0.0, 1.0)
    for _ in range(4):  # 9 x 9 grid, then zoom in around the best point
        grid = [
            (lo_o + (hi_o - lo_o) * i / 8, lo_f + (hi_f - lo_f) * j / 8) for i in range(9) for j in range(9)
        ]
        best = min(grid, key=lambda p: loss(*p))
        step_o, step_f = (hi_o - lo_o) / 8, (hi_f - lo_f) / 8
        lo_o, hi_o = max(0.0, best[0] - step_o), best[0] + step_o
        lo_f, hi_f = max(0.05, best[1] - step_f), best[1] + step_f
    cal = Calibration(round(best[0], 4), round(best[1], 4), source="loopback gateway peers")
    errs = errors_percent(scenarios, cal)
    report = {
        "scenarios": [
            {
                "name": cs.name,
                "strategy": cs.strategy,
                "measured_median_ms": _median(cs.measured_ms),
                "simulated_ms": _median(cs.measured_ms) * (1 + e / 100),
                "error_percent": e,
            }
            for cs, e in zip(scenarios, errs, strict=True)
        ],
        "median_abs_error_percent": _median([abs(e) for e in errs]),
        "max_abs_error_percent": max(abs(e) for e in errs),
        "tolerance": tolerance,
        "within_tolerance": all(abs(e) <= 100 * tolerance for e in errs),
        "in_sample": True,
    }
    return cal, report
