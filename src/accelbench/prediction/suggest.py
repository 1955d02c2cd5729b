"""Active learning: the unmeasured configurations whose measurement would most reduce uncertainty near the best.

Each candidate (a combination of measured axis values plus one batch size beyond the largest
measured) is scored by uncertainty x near-best weight. Uncertainty is the predicted interval's
log half-width plus a novelty term (distance to the closest measured configuration), because the
conformal width is the same for every in-domain query. The near-best weight is 1 when the
candidate's optimistic throughput (upper bound) reaches the best pessimistic throughput known for
that model on that hardware, and falls off with the gap otherwise.

Picks are made greedily and spread out: each pick halves the score of the candidates that share
its configuration apart from the batch size (REPEAT_DISCOUNT), so a budget of N is not spent on
N batch sizes of one configuration while others are nearly as uncertain.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from accelbench.errors import InputError
from accelbench.models.catalog import FAMILIES
from accelbench.prediction.nearest import NearestIndex
from accelbench.prediction.predictor import Predictor
from accelbench.prediction.query import Query, feature_row

NOVELTY_WEIGHT = 0.05
MAX_CANDIDATES = 20000
REPEAT_DISCOUNT = 0.5  # score factor per earlier pick of the same configuration (all but batch size)


def candidates(predictor: Predictor) -> list[Query]:
    """Unmeasured configurations built from the measured values of every axis."""
    measured = predictor.bundle.measured
    keys = predictor.bundle.measured_keys()
    by_hw: dict[str, set[tuple[str, str, Any]]] = {}
    for m in measured:
        by_hw.setdefault(m["hardware_type"], set()).add((m["backend"], m["precision"], m.get("threads")))
    families = sorted({m["model_name"] for m in measured})
    sizes = {f: FAMILIES[f][1] for f in families if f in FAMILIES}
    batches = sorted({m["batch_size"] for m in measured})
    batches.append(batches[-1] * 2)
    seqs = sorted({m.get("sequence_length") or 1 for m in measured})
    out = []
    for fam in families:
        for size, hw, bs, seq in itertools.product(sizes.get(fam, ()), by_hw, batches, seqs):
            for backend, prec, threads in sorted(by_hw[hw], key=str):
                q = Query(fam, size, hw, bs, seq, prec, backend, threads)
                if (fam, size, hw, backend, prec, bs, seq, threads) not in keys:
                    out.append(q)
    return out[:MAX_CANDIDATES]


def suggest(predictor: Predictor, budget: int) -> list[dict[str, Any]]:
    """The `budget` best candidates to measure next, each with its score and prediction."""
    if budget < 1:
        raise InputError("must be >= 1", field="--budget")
    if "throughput_items_per_second" not in predictor.targets:
        raise InputError("suggest needs a trained throughput model", field="throughput_items_per_second")
    queries, rows = [], []
    for q in candidates(predictor):
        try:
            row, _ = feature_row(predictor.bundle, q)
        except InputError:
            continue  # e.g. a size whose FLOPs cannot be computed here: not a candidate
        queries.append(q)
        rows.append(row)
    preds = predictor.predict_rows(rows, "throughput_items_per_second") if rows else []
    scored = list(zip(queries, preds, strict=True))
    if not scored:
        raise InputError("no unmeasured configuration can be predicted", field="--budget")
    best_lower: dict[tuple[str, str, str], float] = {}
    for m in predictor.bundle.measured:
        g = (m["model_name"], m["model_size"], m["hardware_type"])
        if m.get("throughput_items_per_second"):
            best_lower[g] = max(best_lower.get(g, 0.0), m["throughput_items_per_second"])
    for q, p in scored:
        g = (q.model_name, q.model_size, q.hardware_type)
        best_lower[g] = max(best_lower.get(g, 0.0), p.lower or 0.0)
    out: list[dict[str, Any]] = []
    measured = NearestIndex(predictor.bundle.measured, None)  # every measured row, as arrays
    for q, p in scored:
        width = math.log(p.upper / p.predicted_value) if p.upper else 1.0
        novelty = float(measured.distances(p.query).min())
        gap = math.log(
            best_lower[(q.model_name, q.model_size, q.hardware_type)] / (p.upper or p.predicted_value)
        )
        near_best = 1.0 if gap <= 0 else math.exp(-4.0 * gap)
        score = (width + NOVELTY_WEIGHT * novelty) * near_best
        out.append(
            {
                "score": score,
                "query": p.query,
                "predicted_throughput": p.predicted_value,
                "lower": p.lower,
                "upper": p.upper,
                "near_best_weight": near_best,
                "novelty": novelty,
            }
        )
    return _spread(out, budget)


def _configuration(query: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(v for k, v in sorted(query.items(), key=lambda kv: kv[0]) if k != "batch_size")


def _spread(scored: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """Greedy picks by score, each earlier pick of a configuration discounting its other batch sizes.

    A pick's "score" is its discounted score when picked; "uncertainty_score" the undiscounted one.
    """
    left = [(r, _configuration(r["query"])) for r in sorted(scored, key=lambda r: -r["score"])]
    picked: list[dict[str, Any]] = []
    count: dict[tuple[Any, ...], int] = {}
    while left and len(picked) < budget:
        scores = [float(r["score"]) * REPEAT_DISCOUNT ** count.get(key, 0) for r, key in left]
        best = max(range(len(left)), key=lambda i: (scores[i], -i))
        (r, key), score = left.pop(best), scores[best]
        picked.append(r | {"uncertainty_score": r["score"], "score": score})
        count[key] = count.get(key, 0) + 1
    return picked


def suite_of(
    suggestions: list[dict[str, Any]], name: str = "suggested", iterations: int = 100
) -> dict[str, Any]:
    """A suite document (loader format) measuring the suggestions, batch sizes grouped per task."""
    tasks: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in suggestions:
        q = s["query"]
        key = (
            q["model_name"],
            q["model_size"],
            q["hardware_type"],
            q["backend"],
            q["precision"],
            q["sequence_length"],
            q["threads"],
        )
        cfg = tasks.setdefault(
            key,
            {
                "model": q["model_name"],
                "size": q["model_size"],
                "hardware": q["hardware_type"],
                "backend": q["backend"],
                "precision_formats": [q["precision"]],
                "sequence_length": q["sequence_length"],
                "batch_sizes": [],
                "iterations": iterations,
            },
        )
        if q["threads"] is not None:
            cfg["threads"] = q["threads"]
        cfg["batch_sizes"] = sorted({*cfg["batch_sizes"], q["batch_size"]})
    entries = [{"name": "{}-{}_{}-{}_{}_s{}_t{}".format(*k), "config": cfg} for k, cfg in tasks.items()]
    return {
        "name": name,
        "version": "1",
        "description": "configurations suggested by `accelbench predict "
        "suggest` to reduce prediction uncertainty near the best configurations",
        "tasks": entries,
    }
