"""`accelbench models`: the model zoo with parameter counts and expected backend/precision support."""

from __future__ import annotations

import json
from typing import Any

import click


def zoo_rows(families: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """One row per family x size: parameters (meta-device count), reference, memory fit, support."""
    import psutil

    from accelbench.backends.names import BACKENDS
    from accelbench.errors import InputError
    from accelbench.models.features import parameter_count
    from accelbench.models.support import expected_precisions, support_note
    from accelbench.models.zoo import FP32_BYTES, MEMORY_HEADROOM, SPECS, get_spec

    available = psutil.virtual_memory().available
    rows = []
    for family in families or tuple(SPECS):
        spec = get_spec(family)
        for size, size_spec in spec.sizes.items():
            params = parameter_count(family, size)
            backends = {
                b: {"precisions": list(expected_precisions(family, b)), "note": support_note(family, b)}
                for b in BACKENDS
            }
            rows.append(
                {
                    "family": family,
                    "size": size,
                    "modality": spec.modality,
                    "parameters": params,
                    "published_parameters": size_spec.published_parameters,
                    "reference_checkpoint": size_spec.reference_checkpoint,
                    "weights_fp32_bytes": params * FP32_BYTES,
                    "fits_in_memory": params * FP32_BYTES * MEMORY_HEADROOM <= available,
                    "backends": backends,
                }
            )
    if not rows:
        raise InputError("no model family selected", field="family")
    return rows


def human_count(n: int) -> str:
    """1234567 -> '1.23M'."""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= scale:
            return f"{n / scale:.2f}{suffix}"
    return str(n)


@click.command("models")
@click.option("--family", "families", multiple=True, help="Only this family (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def models(families: tuple[str, ...], as_json: bool) -> None:
    """List model families, sizes, parameter counts and expected backend/precision support.

    Parameter counts are counted on the meta device (nothing is allocated). "fits" says whether
    the fp32 weights, with build headroom, fit in this machine's free memory; sizes that do not fit
    are refused by `accelbench run`. Support is what each runtime is expected to run, not a measurement.

    \b
    Example:
      accelbench models
      accelbench models --family bert --family llava --json
    """
    rows = zoo_rows(families)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    table = Table(title="accelbench model zoo (random weights unless --model-path)")
    for column in ("family", "size", "modality", "parameters", "fits", "reference checkpoint"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["family"],
            row["size"],
            row["modality"],
            human_count(row["parameters"]),
            "yes" if row["fits_in_memory"] else "no",
            row["reference_checkpoint"],
        )
    console.print(table)
    support = Table(title="expected precisions per runtime (expectations; `accelbench run` measures)")
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["family"], row)
    backends = list(rows[0]["backends"])
    for column in ("family", *backends):
        support.add_column(column)
    for family, row in first.items():
        support.add_row(family, *(",".join(row["backends"][b]["precisions"]) or "none" for b in backends))
    console.print(support)
    notes = {(r["family"], b, v["note"]) for r in rows for b, v in r["backends"].items() if v["note"]}
    for family, backend, note in sorted(notes):
        click.echo(f"note: {family} on {backend}: {note}")
