"""Predictions with calibrated 90 % intervals, a confidence score, and a note of how each was obtained."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.bundle import ModelBundle
from accelbench.prediction.dataset import TARGETS
from accelbench.prediction.kernels.columns import seed_estimates
from accelbench.prediction.learner import COVERAGE, InsufficientDataError, combined_half_width, half_width
from accelbench.prediction.nearest import NearestIndex, config_distance  # noqa: F401  (config_distance re-exported)
from accelbench.prediction.query import Query, feature_row

# How much less a prediction is trusted per kind of extrapolation (multiplies the width-based score).
DOMAIN_PENALTY = {
    "unseen_family": 0.7,
    "unseen_hardware": 0.5,
    "batch_beyond_range": 0.8,
    "sequence_beyond_range": 0.8,
}
# Which calibrated half-width covers which kind; sequence extrapolation borrows the batch one.
_HALF_WIDTH_KIND = {
    "unseen_family": "unseen_family",
    "unseen_hardware": "unseen_hardware",
    "batch_beyond_range": "batch_extrapolation",
    "sequence_beyond_range": "batch_extrapolation",
}
WIDTH_SCALE = 0.10  # a ±10 % interval scores 0.5 before domain penalties


@dataclass
class Prediction:
    """One predicted metric of one configuration; `lower`/`upper` bound a 90 % interval (None: uncalibrated)."""

    target: str
    predicted_value: float
    lower: float | None
    upper: float | None
    confidence_score: float
    in_domain: bool
    out_of_domain: list[str]
    query: dict[str, Any]
    model_id: int | None
    model_version: str
    method: str
    nearest_measured: list[dict[str, Any]] = field(default_factory=list)
    coverage: float = COVERAGE

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)


def confidence_from(half_width_log: float | None, reasons: list[str]) -> float:
    """0–1 score: 1 / (1 + relative half-width / 10 %), times a penalty per out-of-domain reason."""
    if half_width_log is None:
        return 0.0
    score = 1.0 / (1.0 + (math.exp(half_width_log) - 1.0) / WIDTH_SCALE)
    for r in reasons:
        score *= DOMAIN_PENALTY[r]
    return round(score, 3)


class Predictor:
    """Answers queries from a trained ModelBundle held in memory (no database access)."""

    def __init__(self, bundle: ModelBundle) -> None:
        self.bundle = bundle
        self._nearest: dict[str, Any] = {}  # target column -> nearest.NearestIndex
        seed_estimates(bundle.kernel_estimates)  # its training shapes: priced without a trace

    @property
    def targets(self) -> list[str]:
        """Targets that have a trained model."""
        return list(self.bundle.models)

    def out_of_domain(self, row: dict[str, Any], target: str) -> list[str]:
        """Reasons a feature row lies outside what `target`'s model was trained on."""
        d = self.bundle.models[target].domain
        reasons = []
        if row["model_name"] not in d["families"]:
            reasons.append("unseen_family")
        if row.get("hardware_fingerprint") is None or not any(
            str(row.get("hardware_fingerprint")) == h or h.startswith(f"{row['hardware_type']}:")
            for h in d["hardware"]
        ):
            reasons.append("unseen_hardware")
        if not d["batch_min"] <= row["batch_size"] <= d["batch_max"]:
            reasons.append("batch_beyond_range")
        if not d["sequence_min"] <= row["sequence_length"] <= d["sequence_max"]:
            reasons.append("sequence_beyond_range")
        return reasons

    def warm_up(self) -> float:
        """Answer every target for a measured configuration, the same at a batch size and at a
        sequence length not measured (the batch curve, a new trace, the trees), so that the first
        real query does not pay for imports, booster parsing and the first trace (~2.5-3.5 s on the
        development machine). Returns the seconds it took."""
        start = time.perf_counter()
        latency = TARGETS["latency_ms"]
        with_latency = [r for r in self.bundle.measured if r.get(latency) is not None]
        if with_latency:
            m = with_latency[0]  # a row the latency model was trained on: inside its domain
            batches = {int(r["batch_size"]) for r in self.bundle.measured}
            batch, seq = int(m["batch_size"]), int(m.get("sequence_length") or 1)
            new_batch = next(b for b in range(1, len(batches) + 2) if b not in batches)
            base = Query(
                str(m["model_name"]),
                str(m["model_size"]),
                str(m["hardware_type"]),
                batch,
                seq,
                str(m["precision"]),
                m.get("backend"),
                m.get("threads"),
            )
            queries = [base, replace(base, batch_size=new_batch), replace(base, sequence_length=seq + 1)]
            for target in self.targets:
                try:
                    self.predict_many(queries, target)
                except InsufficientDataError:  # outside this target's domain: its other paths stay cold
                    continue
        return time.perf_counter() - start

    def predict(self, query: Query, target: str = "latency_ms", *, nearest: int = 3) -> Prediction:
        """Predict `target` for one configuration."""
        return self.predict_many([query], target, nearest=nearest)[0]

    def predict_many(
        self, queries: list[Query], target: str = "latency_ms", *, nearest: int = 3
    ) -> list[Prediction]:
        """Predict `target` for several configurations in one model call."""
        self._check_target(target)
        resolved = [feature_row(self.bundle, q) for q in queries]
        return self._predict([row for row, _ in resolved], [res for _, res in resolved], target, nearest)

    def predict_rows(
        self, rows: list[dict[str, Any]], target: str = "latency_ms", *, nearest: int = 0
    ) -> list[Prediction]:
        """Predict `target` for dataset rows that already carry their features (e.g. another dataset)."""
        self._check_target(target)
        keys = (
            "model_name",
            "model_size",
            "hardware_type",
            "batch_size",
            "sequence_length",
            "precision",
            "backend",
            "threads",
            "device_name",
            "hardware_fingerprint",
        )
        return self._predict(rows, [{k: r.get(k) for k in keys} for r in rows], target, nearest)

    def _check_target(self, target: str) -> None:
        if target not in TARGETS:
            raise InputError(f"unknown target '{target}'; known: {', '.join(TARGETS)}", field="target")
        if target not in self.bundle.models:
            why = self.bundle.skipped.get(target, "not trained")
            raise InsufficientDataError(f"no model for {target}: {why}", field="target")

    def _predict(
        self, rows: list[dict[str, Any]], resolved: list[dict[str, Any]], target: str, nearest: int
    ) -> list[Prediction]:
        model = self.bundle.models[target]
        values, curved, anchored = model.predict(rows), model.curve_used(rows), model.anchor_used(rows)
        return [
            self._wrap(target, row, res, v, nearest, model.method(c, a))
            for row, res, v, c, a in zip(rows, resolved, values, curved, anchored, strict=True)
        ]

    def _wrap(
        self,
        target: str,
        row: dict[str, Any],
        resolved: dict[str, Any],
        value: float,
        nearest: int,
        how: str,
    ) -> Prediction:
        model = self.bundle.models[target]
        reasons = self.out_of_domain(row, target)
        kinds = ["in_domain"] + [_HALF_WIDTH_KIND[r] for r in reasons]
        q = combined_half_width(model, kinds, row)
        lower, upper = (value * math.exp(-q), value * math.exp(q)) if q is not None else (None, None)
        calib = (
            "uncalibrated for " + ", ".join(k for k in kinds if half_width(model, k, row) is None)
            if q is None
            else f"split-conformal {COVERAGE:.0%} interval for {', '.join(reasons) if reasons else 'in_domain'}"
        )
        method = f"{how}, {model.n_rows} training rows, {calib}"
        return Prediction(
            target,
            value,
            lower,
            upper,
            confidence_from(q, reasons),
            not reasons,
            reasons,
            resolved,
            self.bundle.model_ids.get(target),
            self.bundle.version,
            method,
            self.nearest_measured(resolved, target, nearest),
        )

    def nearest_measured(self, resolved: dict[str, Any], target: str, k: int = 3) -> list[dict[str, Any]]:
        """The k training configurations closest to `resolved` (config_distance), with their measured
        value of `target`."""
        col = TARGETS[target]
        if k <= 0:
            return []
        index = self._nearest.get(col)
        if index is None:  # built once per target; a bundle's rows do not change
            index = self._nearest[col] = NearestIndex(self.bundle.measured, col)
        return index.nearest(resolved, k)
