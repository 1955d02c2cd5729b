"""`accelbench ipfs simulate | visualize | calibrate`: the topology simulator's commands.

Attached to the `ipfs` group by accelbench.cli.ipfs. Parsing only; the work is in
accelbench.simulation. Kept light: importing this module loads click and nothing heavy.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from accelbench.cli.options import db_option, split_list
from accelbench.errors import InputError

_UNITS = {None: 1, "b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


def _size(text: str, option: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*(b|kib|mib|gib)?\s*", text.lower())
    if not match or int(match.group(1)) <= 0:
        raise InputError(f"{text!r} is not a size like 4MiB or 256KiB", item="command line", field=option)
    return int(match.group(1)) * _UNITS[match.group(2)]


def _calibration(store: Any, choice: str) -> Any:
    from accelbench.simulation.calibration import UNCALIBRATED
    from accelbench.simulation.storage import load_calibration

    if choice == "none":
        return UNCALIBRATED
    if choice == "latest":
        return load_calibration(store)
    if not choice.isdigit():
        raise InputError(
            f"{choice!r}: expected latest, none or a calibration id",
            item="command line",
            field="--calibration",
        )
    return load_calibration(store, int(choice))


@click.command()
@click.option(
    "--topology",
    default="barabasi-albert",
    show_default=True,
    type=click.Choice(["barabasi-albert", "watts-strogatz", "random-geometric", "waxman"]),
)
@click.option(
    "--nodes", default=1000, show_default=True, type=click.IntRange(2), help="Peers in the network."
)
@click.option(
    "--seeds", default=3, show_default=True, type=click.IntRange(1), help="Peers holding the content."
)
@click.option("--leeches", default=100, show_default=True, type=click.IntRange(1), help="Peers fetching it.")
@click.option(
    "--strategy",
    "--strategies",
    "strategies",
    default="standard,accelerated",
    show_default=True,
    help="Comma list: standard, accelerated, range-split.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed (same seed, same figures).")
@click.option("--content-size", default="4MiB", show_default=True, help="File size, e.g. 4MiB.")
@click.option("--chunk-size", default="1MiB", show_default=True, help="UnixFS chunk size.")
@click.option(
    "--arrival-window",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Leeches start at seeded uniform times within this many seconds.",
)
@click.option(
    "--seed-class",
    default="datacenter",
    show_default=True,
    type=click.Choice(["datacenter", "broadband", "mobile", "drawn"]),
    help="Capacity class of the seeds ('drawn': like any node).",
)
@click.option(
    "--calibration",
    default="latest",
    show_default=True,
    help="Calibration to apply: latest (newest within tolerance), none, or an id.",
)
@click.option(
    "--reprovide/--no-reprovide",
    default=False,
    show_default=True,
    help="Leeches that finished serve the leeches that come after them.",
)
@db_option
def simulate(
    topology: str,
    nodes: int,
    seeds: int,
    leeches: int,
    strategies: str,
    seed: int,
    content_size: str,
    chunk_size: str,
    arrival_window: float,
    seed_class: str,
    calibration: str,
    reprovide: bool,
    db: str | None,
) -> None:
    """Simulate content distribution from seeds to leeches on a seeded topology; store simulated rows.

    Every figure is simulated (SimPy fluid model, max-min fair link sharing), stored with
    is_simulated = true and the calibration it used.

    \b
    Example:
      accelbench ipfs simulate --topology barabasi-albert --nodes 1000 --seeds 3 --leeches 100
    """
    from accelbench.simulation.simulator import SimulationConfig
    from accelbench.simulation.simulator import simulate as run_simulation
    from accelbench.simulation.storage import store_simulation
    from accelbench.storage import Store, resolve_db_path

    config = SimulationConfig(
        topology=topology,
        nodes=nodes,
        seeds=seeds,
        leeches=leeches,
        strategies=tuple(split_list(strategies)),
        seed=seed,
        content_size_bytes=_size(content_size, "--content-size"),
        chunk_size_bytes=_size(chunk_size, "--chunk-size"),
        arrival_window_s=arrival_window,
        seed_class=None if seed_class == "drawn" else seed_class,
        reprovide=reprovide,
    )
    if not config.strategies:
        raise InputError("give at least one strategy", item="command line", field="--strategy")
    config.validate()
    store = Store(resolve_db_path(db))
    cal = _calibration(store, calibration)
    result = run_simulation(config, cal)
    run_id = store_simulation(store, result, command_line=" ".join(sys.argv))
    _print(result, run_id)


def _print(result: Any, run_id: int) -> None:
    from accelbench.cli.render import fmt

    g = result.graph
    click.echo(f"SIMULATED (not measured) - benchmark id {run_id}; {result.calibration.reason()}")
    click.echo(
        f"{result.config.topology}: {g['node_count']} nodes, avg degree {fmt(g['average_node_degree'])}, "
        f"diameter {g['network_diameter']}, avg path {fmt(g['average_path_length'])} hops "
        f"({g['path_method']['method']}, LCC {g['largest_component_size']} nodes), "
        f"clustering {fmt(g['clustering_coefficient'])}, simulated in {result.duration_s:.1f} s"
    )
    d = result.discovery
    click.echo(
        f"discovery: {d['via_neighbour']} leeches found a seed among their neighbours, {d['via_dht']} walked "
        f"the DHT (k={d['dht_k']}, alpha={d['dht_alpha']}, mean hops {fmt(d['dht_hops_mean'])}); "
        f"discovery p50 {fmt(d['discovery_p50_ms'])} ms"
    )
    cols = [
        ("strategy", "strategy"),
        ("ttfb_p50_ms", "ttfb p50 ms"),
        ("ttlb_p50_ms", "ttlb p50 ms"),
        ("ttlb_p95_ms", "ttlb p95 ms"),
        ("per_retrieval_throughput_p50_mbps", "Mbit/s p50"),
        ("distribution_throughput_mbps", "total Mbit/s"),
        ("bandwidth_efficiency_ratio", "efficiency"),
        ("duplicate_block_ratio", "dup ratio"),
        ("hedged_request_ratio", "hedged"),
        ("success_rate", "success"),
    ]
    rows = [[o.strategy] + [fmt(o.summary.get(k)) for k, _ in cols[1:]] for o in result.outcomes]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, (_, h) in enumerate(cols)]
    click.echo("  ".join(h.ljust(w) for (_, h), w in zip(cols, widths, strict=True)))
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


@click.command()
@click.option("--benchmark-id", required=True, type=int, help="The id `ipfs simulate` printed.")
@click.option("--output", default="network.html", show_default=True, type=click.Path(dir_okay=False))
@click.option("--strategy", default=None, help="Which strategy's edge load to draw (default: the first).")
@db_option
def visualize(benchmark_id: int, output: str, strategy: str | None, db: str | None) -> None:
    """Write an interactive topology view of a stored simulation (one HTML file, works offline).

    Nodes are coloured by role (seed, leech, relay); edges by the bytes they carried.

    \b
    Example:
      accelbench ipfs visualize --benchmark-id 1 --output network.html
    """
    from accelbench.simulation.visualize import load_view, write_topology_html
    from accelbench.storage import Store, resolve_db_path

    store = Store(resolve_db_path(db), read_only=True)
    path = write_topology_html(load_view(store, benchmark_id, strategy), output)
    click.echo(f"wrote {path}")


@click.command()
@click.option(
    "--iterations", default=5, show_default=True, type=click.IntRange(1), help="Real retrievals per scenario."
)
@click.option("--seed", default=0, show_default=True, type=int)
@db_option
def calibrate(iterations: int, seed: int, db: str | None) -> None:
    """Measure the calibration scenarios on real loopback peers, fit the simulator, store the fit.

    Prints each scenario's measured and simulated median; the calibration is marked within
    tolerance only if every scenario agrees within 15 %.

    \b
    Example:
      accelbench ipfs calibrate --iterations 5
    """
    from accelbench.simulation.calibration import default_scenarios, fit_calibration
    from accelbench.simulation.realpeers import measure_scenarios
    from accelbench.simulation.storage import store_calibration
    from accelbench.storage import Store, resolve_db_path

    scenarios = measure_scenarios(default_scenarios(), iterations=iterations, seed=seed)
    cal, report = fit_calibration(scenarios)
    cal_id = store_calibration(Store(resolve_db_path(db)), cal, report, scenarios)
    for s in report["scenarios"]:
        click.echo(
            f"{s['name']:<40} measured {s['measured_median_ms']:8.1f} ms  simulated "
            f"{s['simulated_ms']:8.1f} ms  error {s['error_percent']:+6.1f} %"
        )
    verdict = "within" if report["within_tolerance"] else "NOT within"
    click.echo(
        f"calibration #{cal_id}: overhead {cal.per_request_overhead_ms:.2f} ms/request, bandwidth "
        f"x{cal.bandwidth_factor:.3f}; median |error| {report['median_abs_error_percent']:.1f} %, "
        f"{verdict} {report['tolerance']:.0%} (in-sample)"
    )
