"""`accelbench recommend`: hardware ranking, best batch size and cost per million inferences, from predictions."""

from __future__ import annotations

import functools
import json
from typing import Any

import click

from accelbench.cli.options import db_option
from accelbench.cli.predict import _db, _table, json_option, query_options


@click.group()
def recommend() -> None:
    """Recommendations from the newest trained prediction models (see `accelbench predict train`).

    \b
    Example:
      accelbench recommend hardware --model bert --max-latency-ms 20
      accelbench recommend batch-size --model bert --max-latency-ms 50
      accelbench recommend cost --model bert
    """


@recommend.command()
@db_option
@click.option("--model", "model_name", required=True, help="Model family, e.g. bert.")
@click.option("--size", "model_size", default="tiny", show_default=True)
@click.option("--batch-size", default=1, show_default=True, type=int)
@click.option("--sequence-length", default=128, show_default=True, type=int)
@click.option("--precision", default=None, help="Only this precision (default: every measured one).")
@click.option("--max-latency-ms", type=float)
@click.option("--min-throughput", type=float, help="Items per second.")
@click.option("--max-memory-mb", type=float)
@click.option("--max-power-watts", type=float)
@click.option("--available", default=None, help="Comma list of hardware you have, e.g. cpu,cuda.")
@json_option
def hardware(
    db: str | None,
    model_name: str,
    model_size: str,
    batch_size: int,
    sequence_length: int,
    precision: str | None,
    available: str | None,
    as_json: bool,
    **limits: Any,
) -> None:
    """Rank hardware/runtime/precision options by predicted throughput under constraints.

    \b
    Example:
      accelbench recommend hardware --model bert --size tiny --max-latency-ms 20 --available cpu,openvino
    """
    from accelbench.cli.options import split_list
    from accelbench.prediction.recommend import Constraints, rank_hardware
    from accelbench.prediction.service import load_predictor

    result = rank_hardware(
        load_predictor(_db(db)),
        model_name,
        model_size,
        batch_size=batch_size,
        sequence_length=sequence_length,
        precision=precision,
        constraints=Constraints.from_dict({k: v for k, v in limits.items() if v is not None}),
        available=split_list(available) or None,
    )
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    rows = []
    for rank, o in enumerate(result["recommended"], 1):
        p = o["predicted"]
        rows.append(
            [
                rank,
                o["hardware_type"],
                o["device_name"],
                o["backend"],
                o["precision"],
                p["latency_ms"]["value"],
                p.get("throughput_items_per_second", {}).get("value"),
                p.get("memory_peak_mb", {}).get("value"),
                o["confidence_score"],
                "yes" if o["in_domain"] else ", ".join(o["out_of_domain"]),
            ]
        )
    _table(
        [
            "rank",
            "hw",
            "device",
            "backend",
            "prec",
            "latency ms",
            "items/s",
            "mem MB",
            "confidence",
            "in domain",
        ],
        rows,
        title=f"{model_name}-{model_size} batch {batch_size}, ranked by {result['ranked_by']}",
    )
    for hw, why in result["not_ranked"].items():
        click.echo(f"not ranked: {hw}: {why}")


@recommend.command("batch-size")
@db_option
@functools.partial(query_options, batch_size=False)
@click.option("--max-latency-ms", required=True, type=float)
@json_option
def batch_size_cmd(db: str | None, max_latency_ms: float, as_json: bool, **query: Any) -> None:
    """The batch size with the highest predicted throughput whose latency stays under a bound.

    \b
    Example:
      accelbench recommend batch-size --model bert --max-latency-ms 50
    """
    from accelbench.prediction.query import Query
    from accelbench.prediction.recommend import best_batch_size
    from accelbench.prediction.service import load_predictor

    result = best_batch_size(load_predictor(_db(db)), Query(**query), max_latency_ms)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    _table(
        ["batch", "latency ms", "upper ms", "items/s", "confidence", "out of domain"],
        [
            [
                r["batch_size"],
                r["latency_ms"],
                r["latency_upper_ms"],
                r["throughput_items_per_second"],
                r["confidence_score"],
                ", ".join(r["out_of_domain"]),
            ]
            for r in result["table"]
        ],
    )
    click.echo(
        f"best batch size: {result['batch_size']} (predicted latency <= {max_latency_ms} ms); "
        f"conservative (upper bound <= limit): {result['conservative_batch_size']}"
    )
    click.echo(f"note: {result['note']}")


@recommend.command()
@db_option
@click.option("--model", "model_name", required=True)
@click.option("--size", "model_size", default="tiny", show_default=True)
@click.option("--batch-size", default=1, show_default=True, type=int)
@click.option("--sequence-length", default=128, show_default=True, type=int)
@click.option("--max-latency-ms", type=float, default=None)
@click.option(
    "--prices",
    "prices_path",
    default="data/prices.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Price table (instance -> hourly USD, source, date).",
)
@json_option
def cost(
    db: str | None,
    model_name: str,
    model_size: str,
    batch_size: int,
    sequence_length: int,
    max_latency_ms: float | None,
    prices_path: str,
    as_json: bool,
) -> None:
    """Cost per million inferences per cloud instance: hourly price / predicted throughput.

    \b
    Example:
      accelbench recommend cost --model bert --batch-size 8 --prices data/prices.yaml
    """
    from accelbench.prediction.prices import cost_per_million, load_prices
    from accelbench.prediction.service import load_predictor

    result = cost_per_million(
        load_predictor(_db(db)),
        load_prices(prices_path),
        model_name,
        model_size,
        batch_size=batch_size,
        sequence_length=sequence_length,
        max_latency_ms=max_latency_ms,
    )
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    _table(
        [
            "instance",
            "USD/h",
            "backend",
            "prec",
            "items/s",
            "USD per 1M",
            "90% range",
            "price date",
            "verified",
        ],
        [
            [
                r["instance"],
                r["hourly_usd"],
                r["backend"],
                r["precision"],
                r["throughput_items_per_second"],
                r["usd_per_million"],
                f"{r['usd_per_million_lower']:.3g}-{r['usd_per_million_upper']:.3g}"
                if r["usd_per_million_lower"]
                else "-",
                r["price_date"],
                r["price_verified"],
            ]
            for r in result["priced"]
        ],
    )
    for name, why in result["not_priced"].items():
        click.echo(f"not priced: {name}: {why}")
