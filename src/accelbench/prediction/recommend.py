"""Recommendations from predictions: hardware ranking under constraints, best batch size, cost per inference."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from accelbench.errors import InputError
from accelbench.hardware.info import PLATFORMS
from accelbench.prediction.learner import InsufficientDataError
from accelbench.prediction.predictor import Predictor
from accelbench.prediction.query import Query, validate

_CONSTRAINT_TARGET = {
    "max_latency_ms": "latency_ms",
    "min_throughput": "throughput_items_per_second",
    "max_memory_mb": "memory_peak_mb",
    "max_power_watts": "power_watts",
}


@dataclass
class Constraints:
    """Limits a recommendation must meet (None: no limit); latency in ms, memory in MB, power in W."""

    max_latency_ms: float | None = None
    min_throughput: float | None = None  # items per second
    max_memory_mb: float | None = None
    max_power_watts: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Constraints:
        """Build from a dict, rejecting unknown keys and non-positive numbers with a named field."""
        unknown = set(data) - set(_CONSTRAINT_TARGET)
        if unknown:
            raise InputError(
                f"unknown constraint(s) {', '.join(sorted(unknown))}; known: {', '.join(_CONSTRAINT_TARGET)}",
                field="constraints",
            )
        for k, v in data.items():
            if v is not None and (
                not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v <= 0
            ):
                raise InputError(f"{k} must be a finite number > 0, not {v!r}", field="constraints")
        return cls(**data)

    def active(self) -> dict[str, float]:
        """The constraints that are set."""
        return {k: v for k, v in vars(self).items() if v is not None}


def _meets(name: str, limit: float, value: float) -> bool:
    return value >= limit if name.startswith("min_") else value <= limit


def _options(predictor: Predictor, hardware_type: str) -> list[tuple[str, str]]:
    """(backend, precision) pairs measured on `hardware_type`."""
    return sorted(
        {
            (m["backend"], m["precision"])
            for m in predictor.bundle.measured
            if m["hardware_type"] == hardware_type
        }
    )


def rank_hardware(
    predictor: Predictor,
    model_name: str,
    model_size: str = "tiny",
    *,
    batch_size: int = 1,
    sequence_length: int = 128,
    precision: str | None = None,
    constraints: Constraints | None = None,
    available: list[str] | None = None,
) -> dict[str, Any]:
    """Rank (hardware, backend, precision) options for a model by predicted throughput under constraints.

    Returns {"recommended": [...], "rejected": [...], "not_ranked": {hardware: why}}; raises
    InputError when no option meets the constraints (naming the closest one) or none can be predicted.
    """
    constraints = constraints or Constraints()
    # the question itself first (unknown model, size or precision, batch size 0): the user's error
    validate(Query(model_name, model_size, "cpu", batch_size, sequence_length, precision or "fp32"))
    for hw in available or []:
        if hw not in PLATFORMS:
            raise InputError(
                f"unknown hardware '{hw}'; known: {', '.join(PLATFORMS)}", field="available_hardware"
            )
    for name in constraints.active():
        if _CONSTRAINT_TARGET[name] not in predictor.targets:
            why = predictor.bundle.skipped.get(_CONSTRAINT_TARGET[name], "not trained")
            raise InsufficientDataError(
                f"cannot check {name}: no model for {_CONSTRAINT_TARGET[name]} ({why})", field="constraints"
            )
    hardware = available or sorted({p["hardware_type"] for p in predictor.bundle.platforms.values()})
    options, not_ranked = [], {}
    for hw in hardware:
        pairs = [(b, p) for b, p in _options(predictor, hw) if precision in (None, p)]
        if not pairs:
            not_ranked[hw] = f"no measurements on {hw}" + (
                f" with precision {precision}" if precision else ""
            )
            continue
        for backend, prec in pairs:
            q = Query(model_name, model_size, hw, batch_size, sequence_length, prec, backend)
            options.append(_option(predictor, q))
    if not options:
        raise InsufficientDataError(
            "nothing to rank: " + "; ".join(f"{k}: {v}" for k, v in not_ranked.items()),
            field="precision" if precision else "available_hardware",
        )
    ok = [
        o
        for o in options
        if all(
            _meets(n, v, o["predicted"][_CONSTRAINT_TARGET[n]]["value"])
            for n, v in constraints.active().items()
        )
    ]
    if not ok:
        best = max(
            options,
            key=lambda o: (
                o["predicted"]["throughput_items_per_second"]["value"]
                if "throughput_items_per_second" in o["predicted"]
                else -o["predicted"]["latency_ms"]["value"]
            ),
        )
        raise InputError(
            f"no option meets {constraints.active()}; closest: {_describe(best)}", field="constraints"
        )
    key = (
        "throughput_items_per_second" if "throughput_items_per_second" in predictor.targets else "latency_ms"
    )
    sign = -1 if key == "throughput_items_per_second" else 1
    ok.sort(key=lambda o: sign * o["predicted"][key]["value"])
    return {
        "recommended": ok,
        "rejected": [o for o in options if o not in ok],
        "not_ranked": not_ranked,
        "ranked_by": key,
        "constraints": constraints.active(),
    }


def _option(predictor: Predictor, q: Query) -> dict[str, Any]:
    preds = {t: predictor.predict(q, t, nearest=0) for t in predictor.targets}
    lat = preds["latency_ms"]
    return {
        "hardware_type": q.hardware_type,
        "device_name": lat.query.get("device_name"),
        "backend": q.backend,
        "precision": q.precision,
        "batch_size": q.batch_size,
        "predicted": {
            t: {
                "value": p.predicted_value,
                "lower": p.lower,
                "upper": p.upper,
                "confidence_score": p.confidence_score,
            }
            for t, p in preds.items()
        },
        "confidence_score": min(p.confidence_score for p in preds.values()),
        "in_domain": all(p.in_domain for p in preds.values()),
        "out_of_domain": sorted({r for p in preds.values() for r in p.out_of_domain}),
        "model_version": lat.model_version,
    }


def _describe(o: dict[str, Any]) -> str:
    vals = ", ".join(f"{t}={v['value']:.3g}" for t, v in o["predicted"].items())
    return f"{o['hardware_type']}/{o['backend']}/{o['precision']} batch {o['batch_size']} ({vals})"


def best_batch_size(
    predictor: Predictor,
    query: Query,
    max_latency_ms: float,
    batch_sizes: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128),
) -> dict[str, Any]:
    """Batch size with the highest predicted throughput whose predicted latency is <= max_latency_ms.

    `conservative_batch_size` also requires the interval's upper latency bound to meet the limit.
    """
    if not math.isfinite(max_latency_ms) or max_latency_ms <= 0:
        raise InputError(f"must be a finite number > 0, not {max_latency_ms}", field="max_latency_ms")
    table = []
    for bs in batch_sizes:
        q = Query(**(query.to_dict() | {"batch_size": bs}))
        lat = predictor.predict(q, "latency_ms", nearest=0)
        thr = lat.query["batch_size"] * 1000.0 / lat.predicted_value
        table.append(
            {
                "batch_size": bs,
                "latency_ms": lat.predicted_value,
                "latency_upper_ms": lat.upper,
                "throughput_items_per_second": thr,
                "confidence_score": lat.confidence_score,
                "out_of_domain": lat.out_of_domain,
            }
        )
    fits = [r for r in table if r["latency_ms"] <= max_latency_ms]
    if not fits:
        raise InputError(
            f"no batch size meets {max_latency_ms} ms: batch {table[0]['batch_size']} is "
            f"predicted at {table[0]['latency_ms']:.3g} ms",
            field="max_latency_ms",
        )
    best = max(fits, key=lambda r: r["throughput_items_per_second"])
    safe = [r for r in fits if r["latency_upper_ms"] is not None and r["latency_upper_ms"] <= max_latency_ms]
    return {
        "batch_size": best["batch_size"],
        "max_latency_ms": max_latency_ms,
        "conservative_batch_size": max(safe, key=lambda r: r["throughput_items_per_second"])["batch_size"]
        if safe
        else None,
        "table": table,
        "note": "throughput = batch x 1000 / predicted latency; from the latency model"
        + (
            f"; {best['batch_size']} is the largest batch size tried, a larger one may meet the bound too"
            if best["batch_size"] == max(batch_sizes)
            else ""
        ),
    }
