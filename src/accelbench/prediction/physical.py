"""A physical latency model for configurations never measured: fixed cost + per-item cost per call.

Every measured configuration's latency is fitted as fixed + per_item x batch_size (non-negative,
relative least squares). Ridge regressions then learn log(fixed) and log(per_item) from what a
new configuration has in common with measured ones: FLOPs per item, weight bytes, layers,
sequence length, threads, and an intercept per (hardware type, backend, precision). It has no
hardware features, so it answers only for the platforms it was fitted on. For a configuration
without a measured batch curve (an unseen family, above all) the latency prediction is a
weighted geometric mean of this model and the trees: the two err in different ways. An even mean
cut leave-one-family-out latency MAPE from 27.8 % to 24.0 % when it was introduced (the trees
alone, or this model alone, did worse); since the trees learn against the kernel-time baseline
they are the better part, and the weight is chosen at training on folds holding out whole
families (learner.choose_trees_weight: 0.7-0.8 for the trees on the reference data, 16.3 -> 14.8 %).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from accelbench.prediction.curves import curve_key
from accelbench.prediction.dataset import hardware_key

MIN_CURVES = 5  # fewer measured configurations cannot fit the coefficients
RIDGE = 1.0  # penalty on every coefficient but the intercept (fixed, not tuned on held-out folds)


def _group(row: dict[str, Any]) -> str:
    return f"{row['hardware_type']}/{row.get('backend')}/{row['precision']}"


def _composition(row: dict[str, Any]) -> list[float]:
    """Convolution share of FLOPs, alone and per int8 runtime (onnxruntime quantizes convolutions,
    PyTorch's dynamic int8 does not)."""
    conv = float(row["conv_flop_share"])
    int8 = float(row["precision"] == "int8")
    backend = row.get("backend")
    return [conv, conv * int8 * (backend == "onnxruntime"), conv * int8 * (backend == "pytorch")]


def _features(
    row: dict[str, Any], groups: list[str], structure: bool = False, composition: bool = False
) -> list[float]:
    batch = float(row["batch_size"])
    bits = float(row.get("precision_bits") or 32)
    calls = [math.log(float(row["operator_calls"]))] if structure else []
    calls += _composition(row) if composition else []
    return [
        1.0,
        math.log(float(row["flops_per_inference"]) / batch),
        math.log(float(row["parameter_count"]) * bits / 8),
        float(row.get("num_layers") or 0),
        math.log(float(row.get("sequence_length") or 1)),
        float(row.get("threads") or 1) - 1.0,
        *calls,
    ] + [float(_group(row) == g) for g in groups]


def _usable(row: dict[str, Any], structure: bool = False, composition: bool = False) -> bool:
    known = row.get("flops_per_inference") and row.get("parameter_count")
    has_share = row.get("conv_flop_share") is not None or not composition
    return bool(known and (row.get("operator_calls") or not structure) and has_share)


@dataclass
class PhysicalModel:
    """Ridge coefficients for log(fixed ms) and log(per-item ms) of a configuration."""

    groups: list[str]
    w_fixed: list[float]
    w_per_item: list[float]
    platforms: list[str]  # hardware_key of the platforms it was fitted on; it knows no other
    structure: bool = False  # whether log(operator calls per forward pass) is a feature
    composition: bool = False  # whether the convolution share of FLOPs is (see _composition)

    def predict(self, rows: list[dict[str, Any]]) -> list[float | None]:
        """fixed + per_item x batch_size in ms per row (None: FLOPs or parameters unknown, or another platform)."""
        out: list[float | None] = []
        for r in rows:
            if not _usable(r, self.structure, self.composition) or hardware_key(r) not in self.platforms:
                out.append(None)
                continue
            x = _features(r, self.groups, self.structure, self.composition)
            fixed = math.exp(sum(a * b for a, b in zip(x, self.w_fixed, strict=True)))
            per_item = math.exp(sum(a * b for a, b in zip(x, self.w_per_item, strict=True)))
            out.append(fixed + per_item * float(r["batch_size"]))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "groups": self.groups,
            "w_fixed": self.w_fixed,
            "w_per_item": self.w_per_item,
            "platforms": self.platforms,
            "structure": self.structure,
            "composition": self.composition,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PhysicalModel:
        """Inverse of to_dict."""
        return cls(
            d["groups"],
            d["w_fixed"],
            d["w_per_item"],
            d["platforms"],
            d.get("structure", False),
            d.get("composition", False),
        )


def fit_physical(rows: list[dict[str, Any]], latency_ms: list[float]) -> PhysicalModel | None:
    """Fit the per-configuration lines, then the ridge regressions; None with < MIN_CURVES lines."""
    import numpy as np
    from scipy.optimize import nnls

    # operator calls are a feature only when every usable row has them (else the model would
    # learn from a subset; without them it still answers, as before they existed)
    structure = all(r.get("operator_calls") for r in rows if _usable(r))
    composition = all(r.get("conv_flop_share") is not None for r in rows if _usable(r))
    points: dict[str, list[tuple[dict[str, Any], float]]] = defaultdict(list)
    for r, y in zip(rows, latency_ms, strict=True):
        if _usable(r):
            points[curve_key(r)].append((r, float(y)))
    fitted = []
    for pts in points.values():
        if len({r["batch_size"] for r, _ in pts}) < 2:
            continue
        design = np.array([[1.0 / y, float(r["batch_size"]) / y] for r, y in pts])
        (fixed, per_item), _ = nnls(design, np.ones(len(pts)))
        if fixed > 0 and per_item > 0:
            fitted.append((pts[0][0], fixed, per_item))
    if len(fitted) < MIN_CURVES:
        return None
    groups = sorted({_group(r) for r, _, _ in fitted})
    x = np.array([_features(r, groups, structure, composition) for r, _, _ in fitted])
    penalty = RIDGE * np.eye(x.shape[1])
    penalty[0, 0] = 0.0
    gram = x.T @ x + penalty
    w_fixed = np.linalg.lstsq(gram, x.T @ np.log([f for _, f, _ in fitted]), rcond=None)[0]
    w_item = np.linalg.lstsq(gram, x.T @ np.log([c for _, _, c in fitted]), rcond=None)[0]
    platforms = sorted({hardware_key(r) for r, _, _ in fitted})
    return PhysicalModel(
        groups, [float(v) for v in w_fixed], [float(v) for v in w_item], platforms, structure, composition
    )
