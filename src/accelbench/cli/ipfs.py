"""`accelbench ipfs`: content addressing (cid, add, unpack) and retrieval benchmarks over real peers.

`simulate` and `visualize` come from accelbench.cli.ipfs_sim (the simulator) and are attached
only when that module exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import click

from accelbench.cli.options import db_option, int_list, split_list
from accelbench.errors import InputError

SIM_MODULE = "accelbench.cli.ipfs_sim"
SIM_COMMANDS = ("simulate", "visualize", "calibrate")


class _IpfsGroup(click.Group):
    """The ipfs group, with the simulator's commands attached lazily when their module exists."""

    def _sim_available(self) -> bool:
        return importlib.util.find_spec(SIM_MODULE) is not None

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        if self._sim_available():
            module = importlib.import_module(SIM_MODULE)
            names |= {n for n in SIM_COMMANDS if isinstance(getattr(module, n, None), click.Command)}
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and cmd_name in SIM_COMMANDS and self._sim_available():
            found = getattr(importlib.import_module(SIM_MODULE), cmd_name, None)
            cmd = found if isinstance(found, click.Command) else None
        return cmd


@click.group(cls=_IpfsGroup)
def ipfs() -> None:
    """IPFS content addressing, retrieval benchmarks over real gateway peers, and simulation."""


def _profile(profile: str, chunk_size: str | None, links: int | None):
    from accelbench.ipfs.bench import parse_content_size
    from accelbench.ipfs.unixfs import PROFILES, ImportProfile

    if profile not in PROFILES:
        raise InputError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}",
                         item="command line", field="--profile")  # fmt: skip
    base = PROFILES[profile]
    chunk = parse_content_size(chunk_size, "--chunk-size") if chunk_size else base.chunk_bytes
    if not 1 <= chunk <= 2 * 1024 * 1024:
        raise InputError("chunk size must be 1 B to 2 MiB (peers refuse bigger blocks)",
                         item="command line", field="--chunk-size")  # fmt: skip
    if links is not None and links < 2:
        raise InputError("links per node must be >= 2", item="command line", field="--links-per-node")
    custom = chunk_size is not None or links is not None
    name = f"{profile}+custom" if custom else profile
    return ImportProfile(name, chunk, links or base.links_per_node, base.raw_leaves)


_profile_options = [
    click.option("--profile", default="unixfs-v1-2025", show_default=True,
                 help="unixfs-v1-2025 (1 MiB chunks, 1024 links) or legacy-cidv1 (256 KiB, 174 links)."),
    click.option("--chunk-size", default=None, help="Override the profile's chunk size, e.g. 256KiB."),
    click.option("--links-per-node", type=int, default=None, help="Override the profile's links per node."),
]  # fmt: skip


def _with_profile_options(fn):
    for option in reversed(_profile_options):
        fn = option(fn)
    return fn


def _import(path: str, profile):
    from accelbench.ipfs.unixfs import import_file

    with open(path, "rb") as fh:
        return import_file(fh, profile)


@ipfs.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_with_profile_options
def cid(file: str, profile: str, chunk_size: str | None, links_per_node: int | None) -> None:
    """Print the root CID a file gets as UnixFS (CIDv1, raw leaves, sha2-256, balanced DAG).

    \b
    Example:
      accelbench ipfs cid model.safetensors
      accelbench ipfs cid model.safetensors --profile legacy-cidv1
    """
    click.echo(str(_import(file, _profile(profile, chunk_size, links_per_node)).root))


@ipfs.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--car", "car_path", default=None, metavar="OUT", help="Write the DAG as a CARv1 file.")
@_with_profile_options
def add(
    file: str, car_path: str | None, profile: str, chunk_size: str | None, links_per_node: int | None
) -> None:
    """Chunk a file into UnixFS blocks, print its root CID and block count, optionally export a CAR.

    \b
    Example:
      accelbench ipfs add weights.bin --car weights.car
    """
    from accelbench.ipfs.car import write_car
    from accelbench.ipfs.unixfs import dfs_order

    imported = _import(file, _profile(profile, chunk_size, links_per_node))
    if car_path:
        data = write_car([imported.root], dfs_order(imported.blocks, imported.root))
        tmp = Path(car_path).with_suffix(Path(car_path).suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(car_path)  # never leave a half-written CAR behind
    click.echo(f"{imported.root}  {imported.size_bytes} bytes in {len(imported.blocks)} blocks")


@ipfs.command()
@click.argument("car_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", default=None, help="Write the file's bytes here (default: only verify).")
def unpack(car_file: str, output: str | None) -> None:
    """Verify every block of a CARv1 file against its CID and rebuild the UnixFS file of its root.

    \b
    Example:
      accelbench ipfs unpack weights.car --output weights.bin
    """
    from accelbench.ipfs.car import CarError, read_car
    from accelbench.ipfs.dagpb import DecodeError
    from accelbench.ipfs.unixfs import read_file

    try:
        roots, blocks = read_car(Path(car_file).read_bytes())
        if len(roots) != 1:
            raise CarError(f"expected one root, found {len(roots)}")
        store = {bytes(c): b for c, b in blocks}
        data = read_file(lambda c: _need(store, c), roots[0])
    except (CarError, DecodeError, KeyError) as exc:
        raise InputError(f"not a valid UnixFS CAR: {exc}", file=car_file) from None
    if output:
        Path(output).write_bytes(data)
    click.echo(f"{roots[0]}  {len(data)} bytes, {len(blocks)} blocks verified")


def _need(store: dict[bytes, bytes], cid: Any) -> bytes:
    if bytes(cid) not in store:
        raise KeyError(f"block {cid} is missing from the CAR")
    return store[bytes(cid)]


@ipfs.command()
@click.option(
    "--content-sizes",
    default="small,medium,large",
    show_default=True,
    help="small (256 KiB), medium (4 MiB), large (32 MiB) or sizes such as 64MiB.",
)
@click.option(
    "--strategies",
    default="standard,accelerated",
    show_default=True,
    help="Comma list of: standard, accelerated, range-split.",
)
@click.option("--peer-counts", default="5,10,20", show_default=True, help="Swarm sizes to measure.")
@click.option("--bandwidth", default=None, help="Upload limit of every peer, e.g. 50mbit (default: none).")
@click.option("--download", default=None, help="Download limit of the client, e.g. 200mbit.")
@click.option("--latency", default="0ms", show_default=True, help="Added per-request latency, e.g. 20ms.")
@click.option("--jitter", default="0ms", show_default=True, help="Uniform jitter around the latency.")
@click.option("--iterations", type=int, default=3, show_default=True, help="Retrievals per scenario.")
@click.option("--replication", type=int, default=None, help="Peers holding the content (default: all).")
@click.option("--profile", default="unixfs-v1-2025", show_default=True, help="Chunking profile.")
@click.option("--peer-url", "peer_urls", multiple=True, help="An existing gateway joining as a peer.")
@click.option(
    "--timeout", "timeout_s", type=float, default=30.0, show_default=True, help="Per-request timeout, s."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the content and jitter.")
@click.option("--shaping", type=click.Choice(["application", "netns", "auto"]), default="application",
              show_default=True, help="Where bandwidth is shaped: in the peers, or by tbf in network namespaces "
              "(root only; auto falls back to application).")  # fmt: skip
@db_option
def bench(content_sizes, strategies, peer_counts, bandwidth, download, latency, jitter, iterations, replication,
          profile, peer_urls, timeout_s, seed, shaping, db) -> None:  # fmt: skip
    """Measure retrieval strategies over real gateway peers on 127.0.0.1 and store the figures.

    Every retrieval verifies every block. Results go to ipfs_acceleration_metrics (one row per
    scenario) and ipfs_retrievals (one row per retrieval).

    \b
    Example:
      accelbench ipfs bench --content-sizes small,medium --strategies standard,accelerated \\
          --peer-counts 5,10 --bandwidth 50mbit --latency 20ms --db ipfs.duckdb
    """
    from accelbench.ipfs.bench import BenchConfig, parse_content_size, resolve_shaping, run_bench
    from accelbench.ipfs.shaping import LinkConditions, parse_bandwidth, parse_latency_ms
    from accelbench.ipfs.strategies import get_strategy
    from accelbench.storage import Store, resolve_db_path

    names = split_list(strategies)
    for name in names:
        get_strategy(name)  # unknown names fail here, before anything is written
    if iterations < 1:
        raise InputError("must be >= 1", item="command line", field="--iterations")
    conditions = LinkConditions(
        latency_ms=parse_latency_ms(latency), jitter_ms=parse_latency_ms(jitter, field="--jitter"),
        upload_bps=parse_bandwidth(bandwidth) if bandwidth else None,
        download_bps=parse_bandwidth(download, field="--download") if download else None,
    )  # fmt: skip
    config = BenchConfig(
        content_sizes=[parse_content_size(s) for s in split_list(content_sizes)], strategies=names,
        peer_counts=int_list(peer_counts, "--peer-counts"), conditions=conditions, iterations=iterations,
        replication=replication, profile=profile, timeout_s=timeout_s, peer_urls=list(peer_urls), seed=seed,
        shaping=shaping,
    )  # fmt: skip
    if not config.content_sizes or not names or not config.peer_counts:
        raise InputError("content sizes, strategies and peer counts must not be empty", item="command line")
    resolve_shaping(config)  # --shaping netns without root fails here, before the database is touched
    store = Store(resolve_db_path(db))
    run_id = store.create_run("ipfs bench", test_type="ipfs", config={"cli": "ipfs bench"})
    total = len(config.content_sizes) * len(names) * len(config.peer_counts) * iterations
    status = "failed"
    try:
        with click.progressbar(length=total, label="retrievals", file=sys.stderr) as bar:
            results = run_bench(config, store=store, run_id=run_id, on_retrieval=lambda r: bar.update(1))
        status = "completed"
    finally:
        store.finish_run(run_id, status)
    _print_table(results, run_id)


def _print_table(results, run_id: int) -> None:
    from rich.console import Console
    from rich.table import Table

    from accelbench.cli.render import fmt

    shaping = results[0].scenario.shaping if results else "none"
    table = Table(title=f"ipfs bench, run {run_id} (measured on real peers; shaping: {shaping})")
    # ms and Mbit/s; ok = success rate, eff = payload / all bytes received, contrib = peers that delivered
    for head in ("strategy", "size", "peers", "ok", "ttfb50", "ttlb50", "ttlb95", "Mbps50", "dup%", "eff",
                 "contrib", "bad"):  # fmt: skip
        table.add_column(head, justify="left" if head == "strategy" else "right")
    for res in results:
        s, sc = res.summary, res.scenario
        dup = s["duplicate_block_ratio"]
        table.add_row(
            sc.strategy, _size(sc.content_size_bytes), str(sc.peer_count), fmt(s["success_rate"]),
            fmt(s["ttfb_p50_ms"]), fmt(s["ttlb_p50_ms"]), fmt(s["ttlb_p95_ms"]), fmt(s["throughput_p50_mbps"]),
            fmt(dup * 100 if dup is not None else None), fmt(s["bandwidth_efficiency_ratio"]),
            fmt(s["peers_contributing"]), str(len(s["bad_peers"])),
        )  # fmt: skip
    Console().print(table)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


@ipfs.command()
@click.argument("cid_text", metavar="CID")
@click.option(
    "--peer-url", "peer_urls", multiple=True, required=True, help="A Trustless Gateway to fetch from."
)
@click.option(
    "--strategy", default="accelerated", show_default=True, help="standard, accelerated or range-split."
)
@click.option("--output", "-o", default=None, help="Write the verified file here (default: only verify).")
@click.option(
    "--timeout", "timeout_s", type=float, default=30.0, show_default=True, help="Per-request timeout, s."
)
def get(
    cid_text: str, peer_urls: tuple[str, ...], strategy: str, output: str | None, timeout_s: float
) -> None:
    """Fetch a UnixFS file by CID from gateway peers, verifying every block, and print what it cost.

    \b
    Example:
      accelbench ipfs get bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e \\
          --peer-url http://127.0.0.1:8080 --output hello.txt
    """
    import asyncio

    from accelbench.ipfs.cids import parse_cid
    from accelbench.ipfs.strategies import get_strategy
    from accelbench.ipfs.transport import HttpTransport

    root = parse_cid(cid_text, field="CID")
    strat = get_strategy(strategy, timeout_s=timeout_s)

    async def fetch():
        async with HttpTransport(timeout_s=timeout_s) as transport:
            return await strat.retrieve(transport, root, [u.rstrip("/") for u in peer_urls], keep_data=True)

    result = asyncio.run(fetch())
    for peer, why in result.bad_peers.items():
        click.echo(f"bad peer {peer}: {why}", err=True)
    if not result.success or result.data is None:
        raise click.ClickException(f"retrieval of {root} failed: {result.error}")
    if output:
        Path(output).write_bytes(result.data)
    click.echo(
        f"{root}  {result.payload_bytes} bytes in {result.ttlb_ms:.1f} ms from {result.peers_contributing} peer(s)"
    )
