"""`accelbench worker`: join a Ray cluster as a node that offers this machine's hardware."""

from __future__ import annotations

import click


@click.group()
def worker() -> None:
    """Benchmark workers on Ray (install the extra: pip install 'accelbench[ray]').

    \b
    Example:
      accelbench worker start --ray-address 10.0.0.5:6379
    """


@worker.command()
@click.option("--ray-address", required=True, help="Address of the Ray head (host:port).")
@click.option(
    "--cpu-slots",
    type=int,
    default=1,
    show_default=True,
    help="CPU-bound benchmarks this node runs at once (each gets its own CPU set).",
)
@click.option("--node-ip-address", default=None, help="Address this node advertises (default: Ray's choice).")
@click.option("--show", is_flag=True, help="Print the resources this node would advertise and exit.")
def start(ray_address: str, cpu_slots: int, node_ip_address: str | None, show: bool) -> None:
    """Join the Ray cluster at --ray-address as a node advertising this machine's detected hardware.

    Ray custom resources `accelbench:<platform>` carry one unit per task slot (CPU sets, each GPU,
    openvino), plus memory and compute capability; the detected hardware and a load heartbeat go
    to Ray's key-value store for the coordinator. Runs until interrupted (Ctrl-C).

    \b
    Examples:
      accelbench worker start --ray-address 10.0.0.5:6379 --cpu-slots 2
      accelbench worker start --ray-address 10.0.0.5:6379 --show
    """
    import json

    from accelbench.errors import InputError
    from accelbench.execution.node import detect_hardware, node_resources, start_worker

    if cpu_slots < 1:
        raise InputError(f"{cpu_slots} must be >= 1", item="command line", field="--cpu-slots")
    if show:
        click.echo(json.dumps(node_resources(detect_hardware(), cpu_slots), indent=2, sort_keys=True))
        return
    raise SystemExit(start_worker(ray_address, cpu_slots=cpu_slots, node_ip_address=node_ip_address))
