"""How far apart two configurations are, and the measured configurations nearest to a query.

Every served prediction lists its nearest measured configurations, and `predict suggest` scores
each candidate by its distance to the nearest one. Over the 2,473 reference rows a Python loop took
~1.5 ms per query (most of a prediction); NearestIndex holds the rows as numpy arrays built once
and sums the same terms in the same order from the same math.log2 values, so its distances are
config_distance's, and ties keep the training rows' order (a stable sort).
"""

from __future__ import annotations

import math
from typing import Any

from accelbench.storage.queries import KEY_COLUMNS

KEEP = (*KEY_COLUMNS, "result_id")
# config_distance: a mismatched name counts its weight, a size the log2 ratio times its weight
MISMATCH_WEIGHTS = (
    ("model_name", 4.0),
    ("model_size", 2.0),
    ("hardware_type", 4.0),
    ("backend", 1.0),
    ("precision", 1.0),
    ("threads", 0.5),
)
LOG2_WEIGHTS = (("batch_size", 1.0), ("sequence_length", 0.5))


def _log2(value: Any) -> float:
    return math.log2(value or 1)


def config_distance(m: dict[str, Any], resolved: dict[str, Any]) -> float:
    """Dissimilarity of two configurations: mismatched names count whole, sizes by log2 ratio."""
    d = 0.0
    for col, weight in MISMATCH_WEIGHTS:
        d += weight * float(m.get(col) != resolved.get(col))
    for col, weight in LOG2_WEIGHTS:
        d += weight * abs(_log2(m.get(col)) - _log2(resolved.get(col)))
    return d


class NearestIndex:
    """The rows of `measured` that have `column` (every row when None), as arrays for config_distance."""

    def __init__(self, measured: list[dict[str, Any]], column: str | None) -> None:
        import numpy as np

        self.rows = [m for m in measured if column is None or m.get(column) is not None]
        self.column = column
        self.names = {c: np.array([m.get(c) for m in self.rows], dtype=object) for c, _ in MISMATCH_WEIGHTS}
        self.logs = {c: np.array([_log2(m.get(c)) for m in self.rows], dtype=float) for c, _ in LOG2_WEIGHTS}

    def distances(self, resolved: dict[str, Any]) -> Any:
        """config_distance of every row to `resolved`, as a float array."""
        import numpy as np

        d = np.zeros(len(self.rows))
        for col, weight in MISMATCH_WEIGHTS:
            d = d + weight * (self.names[col] != resolved.get(col)).astype(float)
        for col, weight in LOG2_WEIGHTS:
            d = d + weight * np.abs(self.logs[col] - _log2(resolved.get(col)))
        return d

    def nearest(self, resolved: dict[str, Any], k: int) -> list[dict[str, Any]]:
        """The k rows closest to `resolved` (ties in training order), with their measured value."""
        import numpy as np

        if k <= 0 or not self.rows or self.column is None:
            return []
        order = np.argsort(self.distances(resolved), kind="stable")[:k]
        return [
            {c: self.rows[i].get(c) for c in KEEP} | {"measured_value": self.rows[i][self.column]}
            for i in order.tolist()
        ]
