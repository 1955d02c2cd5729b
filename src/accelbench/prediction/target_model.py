"""One trained model for one target: batch curves where measured, LightGBM elsewhere, derived targets.

Prediction for a row, in order:
1. its configuration's batch curve (piecewise linear in batch size: fixed + per-item cost between
   measured sizes, see curves.py) when the training rows measured that configuration at >= 2
   batch sizes (latency and memory); for latency, corrected by where similar configurations' curves
   bend (bends.py);
2. otherwise LightGBM on log(target / FLOPs baseline) (latency) or log(target) (memory, power);
   for latency, a weighted geometric mean with the physical fixed + per-item model (physical.py),
   the trees' weight chosen at training by folds that hold out whole families (learner.py);
   when the configuration was measured at one other batch size, that measurement times the
   model's ratio between the two batch sizes (the model's error in level cancels);
3. throughput is derived from the latency model as batch x 1000 / latency x e^log_ratio, where
   log_ratio is the mean log of (measured throughput / that quantity computed from measured
   latency): throughput is measured as items over the wall time of all timed calls, so it tracks
   the mean latency, a little below batch x 1000 / median latency.
"""

from __future__ import annotations

import base64
import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.bends import BendModel, fit_bends
from accelbench.prediction.curves import (
    CURVE_TARGETS,
    at_batch_size,
    curve_key,
    curve_values,
    fit_batch_curves,
)
from accelbench.prediction.dataset import rows_with_target
from accelbench.prediction.encoding import OFFSET_TARGETS, Baseline, Encoder, target_value
from accelbench.prediction.features import LEGACY_NUMERIC_FEATURES, NUMERIC_FEATURES
from accelbench.prediction.physical import PhysicalModel, fit_physical
from accelbench.prediction.trees import predict_one_thread, train_booster

# targets whose batch curves get the learned bend correction (memory curves are straight lines:
# on the reference data the correction changed memory MAPE by < 0.1 point)
BEND_TARGETS = ("latency_ms",)
# target -> the target whose model it is derived from
DERIVED_FROM = {"throughput_items_per_second": "latency_ms"}
# The trees' weight in the geometric mean with the physical model when training did not choose one
# (models stored before 2026-11-25 used an even mean, and still do).
DEFAULT_TREES_WEIGHT = 0.5


class InsufficientDataError(InputError):
    """Too few measured rows to train or to answer a query; says what is missing."""


def throughput_from_latency(row: dict[str, Any], latency_ms: float) -> float:
    """Items per second of one call of `row`'s batch size taking `latency_ms`."""
    return float(row["batch_size"]) * 1000.0 / latency_ms


@dataclass
class TargetModel:
    """A trained model for one target, its calibration and what it was trained on."""

    target: str
    hyper: dict[str, Any]
    encoder: Encoder
    baseline: Baseline
    booster_text: str
    half_widths: dict[str, float | None] = field(default_factory=dict)  # log-space, per query kind
    domain: dict[str, Any] = field(default_factory=dict)
    n_rows: int = 0
    cv_mape_percent: float | None = None
    curves: dict[str, list[list[float]]] = field(default_factory=dict)  # curve_key -> [[batch, value]]
    derived_from: str | None = None  # e.g. throughput from the latency model
    log_ratio: float = 0.0  # derived targets: median log(measured / derived from the measured base)
    physical: PhysicalModel | None = None  # latency: fixed + per-item model for unmeasured configurations
    anchors: dict[str, list[list[float]]] = field(default_factory=dict)  # measured at one batch size
    bends: BendModel | None = None  # learned correction of the batch curves' straight lines
    _booster: Any = None

    @property
    def base_target(self) -> str:
        """The target the trees and curves were fitted on (latency for derived throughput)."""
        return self.derived_from or self.target

    @property
    def trees_weight(self) -> float:
        """The trees' weight w in exp(w log trees + (1 - w) log physical) for unmeasured configurations."""
        return float(self.hyper.get("trees_weight", DEFAULT_TREES_WEIGHT))

    @property
    def uses_offset(self) -> bool:
        """Whether the trees learn the ratio to the FLOPs baseline (latency, throughput)."""
        return self.base_target in OFFSET_TARGETS

    @property
    def _ratio_name(self) -> str:
        if not self.uses_offset:
            return "measured"
        kind = "kernel-time" if self.baseline.driver == "kernels" else "FLOPs"
        return f"measured / {kind} baseline"

    def curve_used(self, rows: list[dict[str, Any]]) -> list[bool]:
        """Per row, whether a measured batch curve (not the trees) gives its prediction."""
        return [v is not None for v in curve_values(self.curves, rows)]

    def anchor_used(self, rows: list[dict[str, Any]]) -> list[bool]:
        """Per row, whether the prediction is scaled from a measurement at another batch size."""
        return [
            not curved and curve_key(r) in self.anchors
            for r, curved in zip(rows, self.curve_used(rows), strict=True)
        ]

    def method(self, curve: bool, anchor: bool = False) -> str:
        """How a prediction is made: a measured batch curve (`curve`), the trees (with the physical
        model) scaled from one measured batch size (`anchor`), or the trees alone."""
        how = (
            "batch curve of this measured configuration (linear in batch between measured sizes"
            + (", corrected for where similar configurations' curves bend)" if self.bends else ")")
            if curve
            else f"LightGBM on log({self._ratio_name})"
            + (
                f" and a fixed + per-item physical model, geometric mean weighted {self.trees_weight:.2f}"
                f" / {1 - self.trees_weight:.2f}"
                if self.physical
                else ""
            )
            + (", scaled from this configuration's one measured batch size" if anchor else "")
        )
        return f"{self.target} from the {self.derived_from} model: {how}" if self.derived_from else how

    def predict(self, rows: list[dict[str, Any]]) -> list[float]:
        """Point predictions in the target's units."""
        return self.from_base(rows, self._predict_base(rows))

    def from_base(self, rows: list[dict[str, Any]], base: list[float]) -> list[float]:
        """Predictions of the target from predictions of the base target (the same unless derived)."""
        if self.derived_from is None:
            return base
        scale = math.exp(self.log_ratio)
        return [throughput_from_latency(r, v) * scale for r, v in zip(rows, base, strict=True)]

    def _predict_base(self, rows: list[dict[str, Any]]) -> list[float]:
        from_curves = curve_values(self.curves, rows)
        if self.bends is not None:
            on = [i for i, v in enumerate(from_curves) if v is not None]
            factors = self.bends.factors([rows[i] for i in on], [self.curves[curve_key(rows[i])] for i in on])
            for i, f in zip(on, factors, strict=True):
                from_curves[i] = float(from_curves[i] or 0.0) * f
        if all(v is not None for v in from_curves):
            return [float(v) for v in from_curves if v is not None]
        out = self._predict_unmeasured(rows)
        # A configuration measured at one batch size: that measurement, scaled by the model's
        # ratio between the two batch sizes (the model's error in level cancels).
        anchored: list[tuple[int, float, float]] = []  # (row index, measured batch size, value)
        for i, r in enumerate(rows):
            point = self.anchors.get(curve_key(r)) if from_curves[i] is None else None
            if point:
                anchored.append((i, point[0][0], point[0][1]))
        if anchored:
            at = self._predict_unmeasured([at_batch_size(rows[i], int(b)) for i, b, _ in anchored])
            for (i, _, measured), model_there in zip(anchored, at, strict=True):
                out[i] = measured * out[i] / model_there
        return [c if c is not None else v for c, v in zip(from_curves, out, strict=True)]

    def _predict_unmeasured(self, rows: list[dict[str, Any]]) -> list[float]:
        """Trees, in a weighted geometric mean with the physical model where it answers."""
        return [blend(t, p, self.trees_weight) for t, p in zip(*self.unmeasured_parts(rows), strict=True)]

    def unmeasured_parts(self, rows: list[dict[str, Any]]) -> tuple[list[float], list[float | None]]:
        """(trees, physical model or None) predictions of the base target, before they are combined."""
        trees = self._predict_trees(rows)
        phys: list[float | None] = list(self.physical.predict(rows)) if self.physical else [None] * len(rows)
        return trees, phys

    def _predict_trees(self, rows: list[dict[str, Any]]) -> list[float]:
        import lightgbm as lgb

        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.booster_text)
        z = predict_one_thread(self._booster, self.encoder.matrix(rows))
        off = self.baseline.log_offset(rows) if self.uses_offset else [0.0] * len(rows)
        for row, o in zip(rows, off, strict=True):
            if math.isnan(o):
                raise InsufficientDataError(
                    f"no FLOP count known for {row.get('model_name')}-{row.get('model_size')}"
                    f" on {row.get('hardware_type')} ({row.get('precision')})",
                    field="hardware_type",
                )
        return [math.exp(float(a) + b) for a, b in zip(z, off, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the booster as LightGBM's own text format)."""
        return {
            "target": self.target,
            "hyper": self.hyper,
            **self.encoder.to_dict(),
            "baseline": self.baseline.to_dict(),
            "booster": base64.b64encode(self.booster_text.encode()).decode(),
            "half_widths": self.half_widths,
            "domain": self.domain,
            "n_rows": self.n_rows,
            "cv_mape_percent": self.cv_mape_percent,
            "curves": self.curves,
            "derived_from": self.derived_from,
            "log_ratio": self.log_ratio,
            "physical": self.physical.to_dict() if self.physical else None,
            "anchors": self.anchors,
            "bends": self.bends.to_dict() if self.bends else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TargetModel:
        """Inverse of to_dict (models stored before curves existed load without them)."""
        return cls(
            d["target"],
            d["hyper"],
            Encoder.from_dict(d, LEGACY_NUMERIC_FEATURES),
            Baseline.from_dict(d["baseline"], d["target"]),
            base64.b64decode(d["booster"]).decode(),
            d["half_widths"],
            d["domain"],
            d["n_rows"],
            d.get("cv_mape_percent"),
            d.get("curves") or {},
            d.get("derived_from"),
            d.get("log_ratio", 0.0),
            PhysicalModel.from_dict(d["physical"]) if d.get("physical") else None,
            d.get("anchors") or {},
            BendModel.from_dict(d["bends"]) if d.get("bends") else None,
        )


def blend(trees: float, physical: float | None, trees_weight: float) -> float:
    """exp(w log trees + (1 - w) log physical); the trees alone where the physical model has no answer."""
    if physical is None:
        return trees
    return math.exp(trees_weight * math.log(trees) + (1.0 - trees_weight) * math.log(physical))


def _fit_booster(
    rows: list[dict[str, Any]], target: str, hyper: dict[str, Any], seed: int, params: dict[str, Any]
) -> tuple[Encoder, Baseline, str]:
    import numpy as np

    # operator calls tell the per-call overhead (latency); for memory they did not help held out
    enc = Encoder.fit(rows, NUMERIC_FEATURES if target in OFFSET_TARGETS else LEGACY_NUMERIC_FEATURES)
    # the kernel-time baseline where a profile priced the rows (on the reference data it cut
    # unseen-family latency MAPE from 19.8 to 17.0 %, docs/prediction.md); FLOPs otherwise
    kernels = target in OFFSET_TARGETS and any(r.get("kernel_estimate_ms") for r in rows)
    base = Baseline.fit(rows, target, "kernels" if kernels else "flops")
    y = np.log([target_value(r, target) for r in rows])
    if target in OFFSET_TARGETS:
        y = y - np.asarray(base.log_offset(rows))
        if np.isnan(y).any():
            raise InsufficientDataError("training rows without a FLOP count", field="flops_per_inference")
    booster = train_booster(enc.matrix(rows), y, enc.categorical_indices, params, hyper["num_boost_round"])
    return enc, base, booster.model_to_string()


def fit_model(
    rows: list[dict[str, Any]], target: str, hyper: dict[str, Any], params: dict[str, Any]
) -> TargetModel:
    """Fit trees (LightGBM `params`), batch curves and, for a derived target, its ratio; no calibration."""
    base_target = DERIVED_FROM.get(target, target)
    base_rows = rows_with_target(rows, base_target) if base_target != target else rows
    if not base_rows:
        raise InsufficientDataError(f"no rows with {base_target} to derive {target} from", field=target)
    enc, base, text = _fit_booster(base_rows, base_target, hyper, int(params.get("seed", 0)), params)
    model = TargetModel(target, hyper, enc, base, text, n_rows=len(rows))
    values = [target_value(r, base_target) for r in base_rows]
    if base_target in CURVE_TARGETS:
        model.curves = fit_batch_curves(base_rows, values)
        model.anchors = fit_batch_curves(base_rows, values, sizes=(1, 1))
        if base_target in BEND_TARGETS:
            model.bends = fit_bends(base_rows, model.curves, int(params.get("seed", 0)))
    if base_target == "latency_ms":
        model.physical = fit_physical(base_rows, values)
    if base_target != target:
        model.derived_from = base_target
        logs = [
            math.log(target_value(r, target) / throughput_from_latency(r, target_value(r, base_target)))
            for r in base_rows
            if r.get("throughput_items_per_second")
        ]
        model.log_ratio = statistics.median(logs) if logs else 0.0
    return model
