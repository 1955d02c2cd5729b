"""`accelbench hardware`: what the plan's 8 platforms look like on this machine."""

from __future__ import annotations

import json

import click


@click.command("hardware")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (one object per platform) instead of a table."
)
@click.option("--refresh", is_flag=True, help="Run the detectors again instead of using the cache.")
@click.option("--specs", "with_specs", is_flag=True, help="Add each available platform's peak figures.")
def hardware(as_json: bool, refresh: bool, with_specs: bool) -> None:
    """Detect cpu, cuda, rocm, mps, openvino, qnn, webnn and webgpu on this machine.

    Each platform is shown as available or not, with the reason, device, memory, compute
    units and versions. Results are cached for a few minutes; --refresh detects again.

    \b
    Example:
      accelbench hardware
      accelbench hardware --json --refresh | jq '.cpu.isa_flags'
    """
    from accelbench.hardware import detect_all, spec_for

    detected = detect_all(refresh=refresh)
    specs = {n: spec_for(i) for n, i in detected.items() if i.available} if with_specs else {}
    if as_json:
        payload = {name: info.to_dict() for name, info in detected.items()}
        for name, spec in specs.items():
            payload[name]["spec"] = spec.to_dict()
        click.echo(json.dumps(payload, indent=2))
        return
    _print_table(detected, specs)


def _print_table(detected, specs) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Hardware platforms on this machine")
    for column in ("platform", "available", "device", "memory GB", "units", "versions"):
        table.add_column(column)
    for name, info in detected.items():
        versions = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("runtime", info.runtime_version),
                ("driver", info.driver_version),
                ("cc", info.compute_capability),
            )
            if v
        )
        table.add_row(
            name,
            "[green]yes[/green]" if info.available else "[red]no[/red]",
            info.device_name,
            f"{info.memory_gb:g}" if info.memory_gb else "",
            str(info.compute_units or ""),
            versions,
        )
    console = Console()
    console.print(table)
    cpu = detected.get("cpu")
    if cpu is not None and cpu.isa_flags:
        console.print(f"cpu ISA flags: {' '.join(cpu.isa_flags)}")
    for name, info in detected.items():
        if not info.available:
            console.print(f"[bold]{name}[/bold] unavailable: {info.reason}", highlight=False)
    for name, spec in specs.items():
        peaks = ", ".join(
            f"{p} {v:g}"
            for p, v in (
                ("fp32 TFLOP/s", spec.fp32_tflops),
                ("fp16", spec.fp16_tflops),
                ("bf16", spec.bf16_tflops),
                ("int8 TOPS", spec.int8_tops),
                ("GB/s", spec.memory_bandwidth_gbps),
            )
            if v is not None
        )
        console.print(
            f"{name} peak: {spec.name}: {peaks or 'no peak figures'} ({spec.source})", highlight=False
        )
