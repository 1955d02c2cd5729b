"""One learned model per target: LightGBM on log(target / FLOPs baseline), with conformal intervals.

The trees learn the log-ratio of the measurement to the FLOPs-proportional baseline, so for a
batch size beyond the trained range the prediction still scales with the work done instead of
staying flat (trees cannot extrapolate). Hyperparameters are chosen by cross-validation grouped by
model (family, size). Interval half-widths are split-conformal quantiles of out-of-fold absolute
log-residuals, one per kind of query (in domain, unseen family, unseen hardware, larger batch),
each from the cross-validation that mimics that kind of query.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.encoding import Baseline, Encoder, target_value
from accelbench.prediction.folds import batch_extrapolation_split, group_folds, random_folds

MIN_ROWS = 20
COVERAGE = 0.90
OFFSET_TARGETS = ("latency_ms", "throughput_items_per_second")
GRID = [
    {"num_leaves": nl, "min_data_in_leaf": m, "num_boost_round": n, "learning_rate": 0.05}
    for nl in (7, 31)
    for m in (3, 10)
    for n in (300, 800)
]


class InsufficientDataError(InputError):
    """Too few measured rows to train or to answer a query; says what is missing."""


def _lgb_params(hyper: dict[str, Any], seed: int) -> dict[str, Any]:
    return {
        "objective": "regression",
        "verbose": -1,
        "num_threads": 1,
        "deterministic": True,
        "seed": seed,
        "num_leaves": hyper["num_leaves"],
        "min_data_in_leaf": hyper["min_data_in_leaf"],
        "learning_rate": hyper["learning_rate"],
        "min_data_per_group": 2,
        "cat_smooth": 1.0,
        "max_cat_to_onehot": 32,
        "min_data_in_bin": 1,
        "lambda_l2": 1.0,
    }


def conformal_quantile(abs_residuals: list[float], coverage: float = COVERAGE) -> float | None:
    """Split-conformal half-width: the ceil((n+1)·coverage)-th smallest residual (None if n too small)."""
    n = len(abs_residuals)
    k = math.ceil((n + 1) * coverage)
    if n == 0 or k > n:
        return None
    return sorted(abs_residuals)[k - 1]


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
    _booster: Any = None

    @property
    def uses_offset(self) -> bool:
        """Whether the trees learn the ratio to the FLOPs baseline (latency, throughput)."""
        return self.target in OFFSET_TARGETS

    def predict(self, rows: list[dict[str, Any]]) -> list[float]:
        """Point predictions in the target's units."""
        import lightgbm as lgb

        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.booster_text)
        z = self._booster.predict(self.encoder.matrix(rows))
        off = self.baseline.log_offset(rows) if self.uses_offset else [0.0] * len(rows)
        for row, o in zip(rows, off, strict=True):
            if math.isnan(o):
                need = "FLOP count"
                raise InsufficientDataError(
                    f"no {need} known for {row.get('model_name')}-{row.get('model_size')}"
                    f" on {row.get('hardware_type')} ({row.get('precision')})",
                    field="hardware_type",
                )
        return [math.exp(float(a) + b) for a, b in zip(z, off, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (the booster as LightGBM's own text format)."""
        return {
            "target": self.target,
            "hyper": self.hyper,
            "vocab": self.encoder.vocab,
            "baseline": {
                "log_c": self.baseline.log_c,
                "log_c_all": self.baseline.log_c_all,
            },
            "booster": base64.b64encode(self.booster_text.encode()).decode(),
            "half_widths": self.half_widths,
            "domain": self.domain,
            "n_rows": self.n_rows,
            "cv_mape_percent": self.cv_mape_percent,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TargetModel:
        """Inverse of to_dict."""
        return cls(
            d["target"],
            d["hyper"],
            Encoder(d["vocab"]),
            Baseline(d["target"], d["baseline"]["log_c"], d["baseline"]["log_c_all"]),
            base64.b64decode(d["booster"]).decode(),
            d["half_widths"],
            d["domain"],
            d["n_rows"],
            d.get("cv_mape_percent"),
        )


def _fit_booster(
    rows: list[dict[str, Any]], target: str, hyper: dict[str, Any], seed: int
) -> tuple[Encoder, Baseline, str]:
    import lightgbm as lgb
    import numpy as np

    enc = Encoder.fit(rows)
    base = Baseline.fit(rows, target)
    y = np.log([target_value(r, target) for r in rows])
    if target in OFFSET_TARGETS:
        y = y - np.asarray(base.log_offset(rows))
        if np.isnan(y).any():
            raise InsufficientDataError("training rows without a FLOP count", field="flops_per_inference")
    data = lgb.Dataset(
        enc.matrix(rows),
        y,
        categorical_feature=enc.categorical_indices,
        params={"verbose": -1, "min_data_in_bin": 1},
        free_raw_data=True,
    )
    booster = lgb.train(_lgb_params(hyper, seed), data, num_boost_round=hyper["num_boost_round"])
    return enc, base, booster.model_to_string()


def fit_once(rows: list[dict[str, Any]], target: str, hyper: dict[str, Any], seed: int = 0) -> TargetModel:
    """Fit one booster with fixed hyperparameters, no calibration (used inside cross-validation)."""
    enc, base, text = _fit_booster(rows, target, hyper, seed)
    return TargetModel(target, hyper, enc, base, text, n_rows=len(rows))


def log_residuals(
    train: list[dict[str, Any]], test: list[dict[str, Any]], target: str, hyper: dict[str, Any], seed: int = 0
) -> list[float]:
    """|log(prediction / measurement)| for `test` rows of a model fit on `train`."""
    model = fit_once(train, target, hyper, seed)
    preds = model.predict(test)
    return [abs(math.log(p) - math.log(target_value(r, target))) for p, r in zip(preds, test, strict=True)]


def oof_residuals(
    rows: list[dict[str, Any]],
    folds: list[tuple[list[int], list[int]]],
    target: str,
    hyper: dict[str, Any],
    seed: int = 0,
) -> list[float]:
    """Out-of-fold absolute log-residuals over the given (train indices, test indices) folds."""
    out: list[float] = []
    for tr, te in folds:
        out += log_residuals([rows[i] for i in tr], [rows[i] for i in te], target, hyper, seed)
    return out


def choose_hyper(rows: list[dict[str, Any]], target: str, seed: int = 0) -> dict[str, Any]:
    """The GRID entry with the lowest mean out-of-fold log error, folds grouped by (family, size)."""
    folds = group_folds(rows, lambda r: (r["model_name"], r["model_size"]), 5, seed)
    if not folds:
        folds = random_folds(len(rows), 5, seed)
    scores = [
        (sum(res) / len(res), i)
        for i, h in enumerate(GRID)
        if (res := oof_residuals(rows, folds, target, h, seed))
    ]
    return GRID[min(scores)[1]]


KINDS = ("in_domain", "unseen_family", "unseen_hardware", "batch_extrapolation")


def calibrate(
    rows: list[dict[str, Any]],
    target: str,
    hyper: dict[str, Any],
    seed: int = 0,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, float | None]:
    """Conformal log half-widths per query kind; None where the data cannot calibrate that kind."""
    out: dict[str, float | None] = {}
    for kind in kinds:
        if kind == "in_domain":
            folds = random_folds(len(rows), 5, seed)
        elif kind == "unseen_family":
            folds = group_folds(rows, lambda r: r["model_name"], 5, seed, min_groups=3)
        elif kind == "unseen_hardware":
            folds = group_folds(rows, hardware_key, 5, seed, min_groups=2)
        else:
            split = batch_extrapolation_split(rows)
            folds = [split] if split else []
        out[kind] = conformal_quantile(oof_residuals(rows, folds, target, hyper, seed)) if folds else None
    return out


def hardware_key(row: dict[str, Any]) -> str:
    """Identity of a hardware platform: its fingerprint, else type and device name."""
    return str(row.get("hardware_fingerprint") or f"{row['hardware_type']}:{row.get('device_name')}")


def domain_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What the training data covers, to flag out-of-domain queries."""

    def values(col: str) -> list[Any]:
        return sorted({r.get(col) for r in rows if r.get(col) is not None}, key=str)

    return {
        "families": values("model_name"),
        "hardware": sorted({hardware_key(r) for r in rows}),
        "hardware_types": values("hardware_type"),
        "backends": values("backend"),
        "precisions": values("precision"),
        "batch_min": min(r["batch_size"] for r in rows),
        "batch_max": max(r["batch_size"] for r in rows),
        "sequence_min": min(r.get("sequence_length") or 1 for r in rows),
        "sequence_max": max(r.get("sequence_length") or 1 for r in rows),
    }


def train_target(
    rows: list[dict[str, Any]],
    target: str,
    *,
    hyper: dict[str, Any] | None = None,
    seed: int = 0,
    kinds: tuple[str, ...] = KINDS,
) -> TargetModel:
    """Choose hyperparameters, fit on all rows, calibrate intervals; InsufficientDataError below MIN_ROWS."""
    if len(rows) < MIN_ROWS:
        raise InsufficientDataError(
            f"{len(rows)} measured rows with {target}; training needs at least {MIN_ROWS} "
            "(run `accelbench run --suite suites/reference.yaml` first)",
            field=target,
        )
    hyper = hyper or choose_hyper(rows, target, seed)
    model = fit_once(rows, target, hyper, seed)
    model.half_widths = calibrate(rows, target, hyper, seed, kinds)
    model.domain = domain_of(rows)
    return model
