"""Turn dataset rows into the numeric matrix the trees read; the FLOPs-proportional baseline."""

from __future__ import annotations

import math
from collections import defaultdict
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


# Drivers a Baseline can be fitted on: FLOPs (and bytes; the evaluation's baseline, and models stored
# before kernel profiles) or the kernel-time estimate of the row's forward pass, where it has one.
DRIVERS = ("flops", "kernels")
KERNEL_TARGETS = ("latency_ms", "throughput_items_per_second")
FALLBACK = "/flops"  # suffix of the constants of rows without a kernel estimate (kernels driver)


def kernel_driver(row: dict[str, Any], target: str) -> float | None:
    """The kernel-time driver of `row` for `target` (None: no estimate, or a target it does not drive)."""
    ms = row.get("kernel_estimate_ms")
    if not ms or target not in KERNEL_TARGETS:
        return None
    return float(ms) if target == "latency_ms" else float(row["batch_size"]) / float(ms)


def target_value(row: dict[str, Any], target: str) -> float:
    """The measured value of `target` in a dataset row."""
    return float(row[TARGETS[target]])


@dataclass
class Baseline:
    """target = c[hardware type] x driver, c the geometric mean of target/driver over training rows.

    With `driver` "kernels", a row with a kernel estimate is driven by it, and a row without one
    (a device no profile measured) by FLOPs, with constants of its own (keys ending in FALLBACK,
    `log_c_fallback_all` for unseen hardware).
    """

    target: str
    log_c: dict[str, float]
    log_c_all: float  # over platforms with a peak FLOP/s when there are any: used for unseen hardware
    driver: str = "flops"
    log_c_fallback_all: float | None = None

    @classmethod
    def fit(cls, rows: list[dict[str, Any]], target: str, driver: str = "flops") -> Baseline:
        """Fit the per-hardware-type constants on training rows."""
        per: dict[str, list[float]] = defaultdict(list)
        peaked, kernel_all, fallback_all = [], [], []
        for r in rows:
            k = kernel_driver(r, target) if driver == "kernels" else None
            d = k if k is not None else baseline_driver(r, target)
            if not d > 0:
                continue
            v = math.log(target_value(r, target)) - math.log(d)
            per[_key(r, driver, k is not None)].append(v)
            if k is not None:
                kernel_all.append(v)
            else:
                fallback_all.append(v)
                if r.get("peak_flops"):
                    peaked.append(v)
        if not per:
            raise ValueError("no rows with a FLOP count to fit the baseline on")
        fallback = peaked or fallback_all
        c_fallback = sum(fallback) / len(fallback) if fallback else None
        every = kernel_all if driver == "kernels" and kernel_all else fallback
        c_all = sum(every) / len(every)
        consts = {k: sum(v) / len(v) for k, v in per.items()}
        return cls(target, consts, c_all, driver, c_fallback if driver == "kernels" else None)

    def predict(self, rows: list[dict[str, Any]]) -> list[float]:
        """Baseline predictions in the target's units (NaN where the driver is unknown)."""
        out = []
        for r in rows:
            k = kernel_driver(r, self.target) if self.driver == "kernels" else None
            d = k if k is not None else baseline_driver(r, self.target)
            default = self.log_c_all if k is not None or self.driver == "flops" else self.log_c_fallback_all
            c = self.log_c.get(_key(r, self.driver, k is not None), default)
            out.append(math.exp(c + math.log(d)) if d > 0 and c is not None else math.nan)
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
            "log_c_fallback_all": self.log_c_fallback_all,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], target: str) -> Baseline:
        """Inverse of to_dict (a model stored before drivers existed is a FLOPs baseline)."""
        return cls(
            d.get("target", target),
            d["log_c"],
            d["log_c_all"],
            d.get("driver", "flops"),
            d.get("log_c_fallback_all"),
        )


def _key(row: dict[str, Any], driver: str, kernel: bool) -> str:
    """The constant's key of `row`: its hardware type, FALLBACK-suffixed when a kernels baseline
    has no estimate for it."""
    hw = str(row["hardware_type"])
    return hw if driver == "flops" or kernel else hw + FALLBACK
