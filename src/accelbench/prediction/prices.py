"""The editable price table (data/prices.yaml) and cost per million inferences from predicted throughput."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.learner import InsufficientDataError
from accelbench.prediction.predictor import Predictor
from accelbench.prediction.query import Query, validate
from accelbench.prediction.recommend import rank_hardware

DEFAULT_PRICES = Path("data/prices.yaml")
_REQUIRED = ("name", "hardware_type", "hourly_usd", "source", "date")


def load_prices(path: str | Path = DEFAULT_PRICES) -> list[dict[str, Any]]:
    """Instances of a price table; InputError naming the entry and field when one is incomplete."""
    import yaml

    from accelbench.hardware.info import PLATFORMS

    path = Path(path)
    if not path.exists():
        raise InputError("no such price table", file=str(path))
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=str(path)) from None
    instances = data.get("instances") if isinstance(data, dict) else None
    if not isinstance(instances, list) or not instances:
        raise InputError(
            "expected a mapping with a non-empty 'instances' list", file=str(path), field="instances"
        )
    for i, inst in enumerate(instances):
        if not isinstance(inst, dict):
            raise InputError(
                f"expected a mapping with {', '.join(_REQUIRED)}, got {inst!r}",
                file=str(path),
                item=f"instance {i}",
            )
        item = f"instance {inst.get('name', i)}"
        for f in _REQUIRED:
            if inst.get(f) in (None, ""):
                raise InputError("missing", file=str(path), item=item, field=f)
        usd = inst["hourly_usd"]
        if isinstance(usd, bool) or not isinstance(usd, int | float) or not math.isfinite(usd) or usd <= 0:
            raise InputError("must be a finite number > 0", file=str(path), item=item, field="hourly_usd")
        if inst["hardware_type"] not in PLATFORMS:
            raise InputError(
                f"unknown hardware '{inst['hardware_type']}'; known: {', '.join(PLATFORMS)}",
                file=str(path),
                item=item,
                field="hardware_type",
            )
    return instances


def cost_per_million(
    predictor: Predictor,
    prices: list[dict[str, Any]],
    model_name: str,
    model_size: str = "tiny",
    *,
    batch_size: int = 1,
    sequence_length: int = 128,
    max_latency_ms: float | None = None,
) -> dict[str, Any]:
    """USD per million inferences per priced instance: hourly price / (predicted items/s x 3600) x 1e6.

    Uses the best predicted option on the instance's hardware (and device, when `device_match` is
    set); instances with no measured platform are listed under `not_priced` with the reason.
    """
    from accelbench.prediction.recommend import Constraints

    if "throughput_items_per_second" not in predictor.targets:
        raise InsufficientDataError("no throughput model trained", field="throughput_items_per_second")
    # A bad question (unknown model, batch size 0, ...) is the user's error, not one instance's:
    # checked once here, so that it is raised (exit 2) instead of listed under every instance.
    validate(Query(model_name, model_size, batch_size=batch_size, sequence_length=sequence_length))
    constraints = Constraints.from_dict({} if max_latency_ms is None else {"max_latency_ms": max_latency_ms})
    priced, not_priced = [], {}
    for inst in prices:
        match = str(inst.get("device_match") or "").lower()
        devices = [
            p
            for p in predictor.bundle.platforms.values()
            if p["hardware_type"] == inst["hardware_type"]
            and match in str(p.get("device_name") or "").lower()
        ]
        if not devices:
            not_priced[inst["name"]] = f"no measurements on {inst['hardware_type']}" + (
                f" matching '{match}'" if match else ""
            )
            continue
        try:
            ranking = rank_hardware(
                predictor,
                model_name,
                model_size,
                batch_size=batch_size,
                sequence_length=sequence_length,
                available=[inst["hardware_type"]],
                constraints=constraints,
            )
        except InputError as exc:
            not_priced[inst["name"]] = exc.detail
            continue
        best = ranking["recommended"][0]
        thr = best["predicted"]["throughput_items_per_second"]
        per_m = inst["hourly_usd"] / (thr["value"] * 3600.0) * 1e6
        bounds = [
            inst["hourly_usd"] / (v * 3600.0) * 1e6 if v else None for v in (thr["upper"], thr["lower"])
        ]
        priced.append(
            {
                "instance": inst["name"],
                "hourly_usd": inst["hourly_usd"],
                "price_source": inst["source"],
                "price_date": str(inst["date"]),
                "price_verified": bool(inst.get("verified", False)),
                "backend": best["backend"],
                "precision": best["precision"],
                "throughput_items_per_second": thr["value"],
                "usd_per_million": per_m,
                "usd_per_million_lower": bounds[0],
                "usd_per_million_upper": bounds[1],
                "confidence_score": best["confidence_score"],
                "note": "same measured platform stands in for the instance's CPU/GPU model",
            }
        )
    priced.sort(key=lambda r: r["usd_per_million"])
    return {"priced": priced, "not_priced": not_priced}
