"""Turn dataset rows into the numeric matrix the trees read; the FLOPs-proportional baseline."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.prediction.dataset import TARGETS
from accelbench.prediction.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, numeric_vector

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Encoder:
    """Integer codes for categorical features, learned from training rows; unseen values become NaN.

    The categorical columns are the vocabulary's keys, in order, so a model stored when the
    categorical features were different (`modality` until the third session) reads its own.

    `numeric` names the numeric columns the trees were trained on, so a model stored with an older
    feature set keeps reading the columns it knows.
    """

    vocab: dict[str, list[str]] = field(default_factory=dict)
    numeric: tuple[str, ...] = NUMERIC_FEATURES

    @classmethod
    def fit(cls, rows: list[dict[str, Any]], numeric: tuple[str, ...] = NUMERIC_FEATURES) -> Encoder:
        """Vocabulary of every categorical feature in `rows` (sorted for stable codes); `numeric` columns."""
        return cls({c: sorted({str(r.get(c)) for r in rows}) for c in CATEGORICAL_FEATURES}, numeric)

    def matrix(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """Feature matrix (rows x numeric + categorical features) as float64."""
        import numpy as np

        index = {c: {v: i for i, v in enumerate(vals)} for c, vals in self.vocab.items()}
        out = np.empty((len(rows), len(self.numeric) + len(self.vocab)))
        for i, r in enumerate(rows):
            cats = [index[c].get(str(r.get(c)), math.nan) for c in self.vocab]
            out[i] = numeric_vector(r, self.numeric) + cats
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON fields a stored model keeps of its encoder."""
        return {"vocab": self.vocab, "numeric_features": list(self.numeric)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], legacy_numeric: tuple[str, ...] = NUMERIC_FEATURES) -> Encoder:
        """Inverse of to_dict; `legacy_numeric` for a model stored before the names were kept."""
        return cls(d["vocab"], tuple(d.get("numeric_features") or legacy_numeric))

    @property
    def categorical_indices(self) -> list[int]:
        """Column positions of the categorical features."""
        return list(range(len(self.numeric), len(self.numeric) + len(self.vocab)))


def baseline_driver(row: dict[str, Any], target: str) -> float:
    """The quantity a target is assumed proportional to by the baseline (FLOPs for latency).

    Where the platform's peak FLOP/s is known, FLOPs are divided by it, so the baseline carries
    over to hardware it was not fitted on; the per-hardware-type constant absorbs the difference
    of scale for a platform without a peak (every row of one platform has one, or none).
    """
    flops = row.get("flops_per_inference") or math.nan
    if row.get("peak_flops"):
        flops = flops / row["peak_flops"]
    if target == "latency_ms":
        return flops
    if target == "throughput_items_per_second":
        return row["batch_size"] / flops
    if target == "memory_peak_mb":
        return row.get("bytes_per_inference") or math.nan
    return 1.0  # power: a constant per platform


# targets whose trees learn log(measured / baseline) and which the kernel-time estimate drives
OFFSET_TARGETS = ("latency_ms", "throughput_items_per_second")


def kernel_driver(row: dict[str, Any], target: str) -> float | None:
    """The kernel-time driver of `row` for `target` (None: no estimate, or a target it does not drive)."""
    ms = row.get("kernel_estimate_ms")
    if not ms or target not in OFFSET_TARGETS:
        return None
    return float(ms) if target == "latency_ms" else float(row["batch_size"]) / float(ms)


def target_value(row: dict[str, Any], target: str) -> float:
    """The measured value of `target` in a dataset row."""
    return float(row[TARGETS[target]])


@dataclass
class Baseline:
    """target = c[hardware type] x driver, c the geometric mean of target/driver over training rows.

    `driver` "flops": FLOPs / peak FLOP/s (bytes for memory; the evaluation's baseline, and every
    model stored before kernel profiles). "kernels": the row's kernel-time estimate; a row without
    one (a device no profile measured) is answered by `fallback`, a FLOPs baseline fitted on the
    training rows without an estimate (on all rows when every one had an estimate).
    """

    target: str
    log_c: dict[str, float]
    log_c_all: float  # over platforms with a peak FLOP/s when there are any: used for unseen hardware
    driver: str = "flops"
    fallback: Baseline | None = None

    @classmethod
    def fit(cls, rows: list[dict[str, Any]], target: str, driver: str = "flops") -> Baseline:
        """Fit the per-hardware-type constants on training rows."""
        if driver == "kernels":
            priced = [r for r in rows if kernel_driver(r, target)]
            others = [r for r in rows if not kernel_driver(r, target)]
            c, c_all = _constants(priced, target, lambda r: kernel_driver(r, target) or math.nan)
            return cls(target, c, c_all, driver, cls.fit(others or rows, target))
        return cls(target, *_constants(rows, target, lambda r: baseline_driver(r, target)))

    def predict(self, rows: list[dict[str, Any]]) -> list[float]:
        """Baseline predictions in the target's units (NaN where the driver is unknown)."""
        out = []
        for r in rows:
            k = kernel_driver(r, self.target) if self.driver == "kernels" else None
            if k is None and self.fallback is not None:
                out += self.fallback.predict([r])
                continue
            d = k if k is not None else baseline_driver(r, self.target)
            c = self.log_c.get(str(r["hardware_type"]), self.log_c_all)
            out.append(math.exp(c + math.log(d)) if d > 0 else math.nan)
        return out

    def log_offset(self, rows: list[dict[str, Any]]) -> list[float]:
        """log of the baseline prediction, used as the learned model's offset (NaN where unknown)."""
        return [math.log(p) if p > 0 else math.nan for p in self.predict(rows)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            "target": self.target,
            "log_c": self.log_c,
            "log_c_all": self.log_c_all,
            "driver": self.driver,
            "fallback": self.fallback.to_dict() if self.fallback else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], target: str) -> Baseline:
        """Inverse of to_dict (a model stored before drivers existed is a FLOPs baseline)."""
        fallback = cls.from_dict(d["fallback"], target) if d.get("fallback") else None
        return cls(d.get("target", target), d["log_c"], d["log_c_all"], d.get("driver", "flops"), fallback)


def _constants(
    rows: list[dict[str, Any]], target: str, driver: Callable[[dict[str, Any]], float]
) -> tuple[dict[str, float], float]:
    """Per hardware type, and over all (rows with a peak FLOP/s when there are any), the mean of
    log(target / driver); ValueError when no row has a positive driver."""
    per: dict[str, list[float]] = defaultdict(list)
    peaked: list[float] = []
    for r in rows:
        d = driver(r)
        if d > 0:
            v = math.log(target_value(r, target)) - math.log(d)
            per[str(r["hardware_type"])].append(v)
            if r.get("peak_flops"):
                peaked.append(v)
    every = peaked or [v for vals in per.values() for v in vals]
    if not every:
        raise ValueError("no rows with a FLOP count to fit the baseline on")
    return {k: sum(v) / len(v) for k, v in per.items()}, sum(every) / len(every)
