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
@click.option(
    "--node-ip-address",
    default=None,
    help="Address this node advertises (default: this machine's address on the route to the head).",
)
@click.option(
    "--object-store-mb",
    type=int,
    default=None,
    help="Size of this node's Ray object store in MB (default: Ray's, 30% of memory).",
)
@click.option("--show", is_flag=True, help="Print the resources this node would advertise and exit.")
def start(
    ray_address: str, cpu_slots: int, node_ip_address: str | None, object_store_mb: int | None, show: bool
) -> None:
    """Join the Ray cluster at --ray-address as a node advertising this machine's detected hardware.

    Ray custom resources `accelbench:<platform>` carry one unit per task slot (CPU sets, each GPU,
    openvino), plus memory and compute capability; the detected hardware and a load heartbeat go
    to Ray's key-value store, from which the coordinator registers the node in `benchmark_workers`.
    Runs until stopped: SIGTERM or Ctrl-C drains the node, it leaves the cluster, exit code 0.
    If the head uses token authentication, set RAY_AUTH_MODE=token and give this machine the
    head's token (~/.ray/auth_token or RAY_AUTH_TOKEN).

    \b
    Examples:
      accelbench worker start --ray-address 10.0.0.5:6379 --cpu-slots 2
      RAY_AUTH_MODE=token accelbench worker start --ray-address 10.0.0.5:6379
      accelbench worker start --ray-address 10.0.0.5:6379 --show
    """
    import json

    from accelbench.errors import InputError
    from accelbench.execution.node import detect_hardware, node_resources, start_worker

    if cpu_slots < 1:
        raise InputError(f"{cpu_slots} must be >= 1", item="command line", field="--cpu-slots")
    if object_store_mb is not None and object_store_mb < 79:
        raise InputError(
            f"{object_store_mb} is below Ray's minimum of 79 MB (75 MiB)",
            item="command line",
            field="--object-store-mb",
        )
    if show:
        click.echo(json.dumps(node_resources(detect_hardware(), cpu_slots), indent=2, sort_keys=True))
        return
    code = start_worker(
        ray_address, cpu_slots=cpu_slots, node_ip_address=node_ip_address, object_store_mb=object_store_mb
    )
    raise SystemExit(code)
