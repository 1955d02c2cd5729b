"""Where batch curves bend: a learned correction of the straight-line batch-curve predictions.

A configuration's batch curve (curves.py) predicts a batch size between or beyond its measured
sizes with straight lines. Real curves bend: on onnxruntime, t5-tiny at sequence 128 takes 3.6 ms
at batch 8, 5.3 ms at 12 and 7.8 ms at 16, so the line through 8 and 16 misses 12 by 7 %. (The
example that stood here, PyTorch int8 decoders tripling their latency from batch 8 to 16, was the
malloc artefact described in accelbench/runner/allocator.py.) Whether and where a curve bends is
shared by similar configurations (same runtime, precision, kind of model), so it can be learned
from the other measured curves:

- examples: for every training configuration with >= MIN_POINTS measured batch sizes, each measured
  size is left out in turn and predicted by the line through the others; the example's target is
  log(measured / line), its features the configuration's features (encoding.Encoder) plus where the
  size lies relative to the remaining ones (doublings below or above the range, doublings to the
  nearest measured size, how many sizes remain, the range's ends);
- a small LightGBM learns the log-correction; a served curve prediction is multiplied by
  exp(shrink x correction).

The shrink (0 to 1) is chosen on the examples alone, by cross-validation grouped by configuration:
the correction is itself uncertain, and a curve whose bend no similar configuration shows should
keep its straight line. Nothing of the evaluation splits is used to choose it.

The correction is not applied at a measured batch size (the curve returns the measurement there)
nor outside the batch sizes of its examples: bends learned at small batch sizes do not carry to
larger ones (on the eighth round's reference data, before the malloc fix, curves grew sublinearly
up to batch ~12 and superlinearly beyond; applied there, the correction made batch-beyond-range
latency worse, 9.6 -> 13.6 % MAPE).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accelbench.prediction.curves import curve_key, interpolate
from accelbench.prediction.encoding import Encoder
from accelbench.prediction.features import NUMERIC_FEATURES
from accelbench.prediction.folds import group_folds
from accelbench.prediction.trees import lgb_params, predict_one_thread, train_booster

if TYPE_CHECKING:
    import numpy as np

MIN_POINTS = 3  # leaving one out must leave a line (two points)
MIN_EXAMPLES = 30  # fewer cannot teach anything beyond the lines
SHRINK_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
SHRINK_FOLDS = 5
HYPER = {"num_leaves": 8, "min_data_in_leaf": 5, "learning_rate": 0.05}
ROUNDS = 200


def position(points: list[list[float]], batch_size: float) -> list[float]:
    """Where `batch_size` lies relative to measured `points`: [signed doublings outside the range
    (negative below, positive above, 0 inside), doublings to the nearest measured size,
    number of measured sizes, log2 of the smallest and largest measured size]."""
    lo, hi = points[0][0], points[-1][0]
    outside = -math.log2(lo / batch_size) if batch_size < lo else max(0.0, math.log2(batch_size / hi))
    nearest = min(abs(math.log2(batch_size / b)) for b, _ in points)
    return [outside, nearest, float(len(points)), math.log2(lo), math.log2(hi)]


def _matrix(encoder: Encoder, rows: list[dict[str, Any]], points: list[list[list[float]]]) -> np.ndarray:
    import numpy as np

    extra = np.array([position(p, float(r["batch_size"])) for r, p in zip(rows, points, strict=True)])
    return np.column_stack([encoder.matrix(rows), extra])


def leave_one_out_examples(
    rows: list[dict[str, Any]], curves: dict[str, list[list[float]]]
) -> tuple[list[dict[str, Any]], list[list[list[float]]], list[float]]:
    """(row, remaining points, log(measured / line through the remaining points)) per left-out size."""
    example_row: dict[tuple[str, float], dict[str, Any]] = {}
    for r in rows:
        example_row.setdefault((curve_key(r), float(r["batch_size"])), r)
    out_rows, out_points, out_y = [], [], []
    for key, points in curves.items():
        if len(points) < MIN_POINTS:
            continue
        for j, (b, v) in enumerate(points):
            rest = points[:j] + points[j + 1 :]
            out_rows.append(example_row[(key, b)])
            out_points.append(rest)
            out_y.append(math.log(v / interpolate(rest, b)))
    return out_rows, out_points, out_y


def _corrected(batch_size: float, points: list[list[float]], lo: float, hi: float) -> bool:
    """Whether a curve prediction at `batch_size` gets the correction: not at a measured size (the
    curve returns that measurement), and within the examples' batch range."""
    return lo <= batch_size <= hi and all(b != batch_size for b, _ in points)


@dataclass
class BendModel:
    """The trained correction: encoder, LightGBM text, shrink factor."""

    encoder: Encoder
    booster_text: str
    shrink: float = 0.5
    n_examples: int = 0
    # smallest and largest batch size of the examples: a bend learned at small batch sizes does not
    # carry to larger ones (the reference curves grow sublinearly up to ~12, superlinearly beyond),
    # so outside this range the straight line stands
    batch_range: tuple[float, float] = (0.0, 0.0)
    _booster: Any = None

    def factors(self, rows: list[dict[str, Any]], points: list[list[list[float]]]) -> list[float]:
        """Multiplicative corrections for curve predictions of `rows` from their curves' `points`."""
        import lightgbm as lgb

        if not rows:
            return []
        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.booster_text)
        z = predict_one_thread(self._booster, _matrix(self.encoder, rows, points))
        lo, hi = self.batch_range
        return [
            math.exp(self.shrink * float(v)) if _corrected(float(r["batch_size"]), p, lo, hi) else 1.0
            for v, r, p in zip(z, rows, points, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return {
            **self.encoder.to_dict(),
            "booster": base64.b64encode(self.booster_text.encode()).decode(),
            "shrink": self.shrink,
            "n_examples": self.n_examples,
            "batch_range": list(self.batch_range),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BendModel:
        """Inverse of to_dict."""
        return cls(
            Encoder.from_dict(d),
            base64.b64decode(d["booster"]).decode(),
            d.get("shrink", 0.5),
            d.get("n_examples", 0),
            tuple(d.get("batch_range") or (0.0, 0.0)),
        )


def fit_bends(
    rows: list[dict[str, Any]], curves: dict[str, list[list[float]]], seed: int = 0
) -> BendModel | None:
    """Train the correction on the leave-one-size-out examples of `curves`.

    None when there are fewer than MIN_EXAMPLES examples or when no correction (shrink 0) did best
    out of fold.
    """
    import numpy as np

    ex_rows, ex_points, y = leave_one_out_examples(rows, curves)
    if len(y) < MIN_EXAMPLES:
        return None
    encoder = Encoder.fit(rows, NUMERIC_FEATURES)
    x, target = _matrix(encoder, ex_rows, ex_points), np.asarray(y)

    def train(idx: list[int]) -> Any:
        return train_booster(
            x[idx], target[idx], encoder.categorical_indices, lgb_params(HYPER, seed), ROUNDS
        )

    # out-of-fold corrections, the folds holding out whole configurations
    oof = np.zeros(len(y))
    for tr, te in group_folds(ex_rows, curve_key, SHRINK_FOLDS, seed):
        oof[te] = train(tr).predict(x[te])
    errors = {s: float(np.mean(np.abs(target - s * oof))) for s in SHRINK_GRID}
    shrink = min(SHRINK_GRID, key=lambda s: (errors[s], s))
    if shrink == 0.0:  # the straight lines did best held out: no correction
        return None
    booster = train(list(range(len(y))))
    sizes = [float(r["batch_size"]) for r in ex_rows]
    return BendModel(encoder, booster.model_to_string(), shrink, len(y), (min(sizes), max(sizes)))
