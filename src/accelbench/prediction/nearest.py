"""The measured configurations nearest to a query, as numpy arrays built once per bundle and target.

Every served prediction lists its nearest measured configurations. Computing the distance in
Python for each of the 2,473 reference rows took ~1.5 ms of a ~1.9 ms prediction; over arrays it
is a few tens of microseconds. The distance is predictor.config_distance, summed in the same
order from the same math.log2 values, and ties keep the training rows' order (a stable sort), so
the answer is the one the Python loop gave.
"""

from __future__ import annotations

import math
from typing import Any

from accelbench.prediction.dataset import KEY_COLUMNS

KEEP = (*KEY_COLUMNS, "result_id")


class NearestIndex:
    """The rows of `measured` that have `column`, as arrays for config_distance."""

    def __init__(self, measured: list[dict[str, Any]], column: str) -> None:
        import numpy as np

        self.rows = [m for m in measured if m.get(column) is not None]
        self.column = column

        def objects(name: str) -> Any:
            return np.array([m.get(name) for m in self.rows], dtype=object)

        self.names, self.sizes = objects("model_name"), objects("model_size")
        self.hardware, self.backends = objects("hardware_type"), objects("backend")
        self.precisions, self.threads = objects("precision"), objects("threads")
        self.log_batch = np.array([math.log2(m["batch_size"]) for m in self.rows], dtype=float)
        self.log_sequence = np.array([math.log2(m["sequence_length"] or 1) for m in self.rows], dtype=float)

    def distances(self, resolved: dict[str, Any]) -> Any:
        """config_distance of every row to `resolved`, as a float array."""
        import numpy as np

        def differs(values: Any, value: Any) -> Any:
            return (values != value).astype(float)

        d = 4.0 * differs(self.names, resolved["model_name"]) + 2.0 * differs(
            self.sizes, resolved["model_size"]
        )
        d = d + (
            4.0 * differs(self.hardware, resolved["hardware_type"])
            + differs(self.backends, resolved["backend"])
        )
        d = d + (
            differs(self.precisions, resolved["precision"]) + 0.5 * differs(self.threads, resolved["threads"])
        )
        d = d + np.abs(self.log_batch - math.log2(resolved["batch_size"]))
        return d + 0.5 * np.abs(self.log_sequence - math.log2(resolved["sequence_length"] or 1))

    def nearest(self, resolved: dict[str, Any], k: int) -> list[dict[str, Any]]:
        """The k rows closest to `resolved` (ties in training order), with their measured value."""
        import numpy as np

        if k <= 0 or not self.rows:
            return []
        order = np.argsort(self.distances(resolved), kind="stable")[:k]
        return [
            {c: self.rows[i].get(c) for c in KEEP} | {"measured_value": self.rows[i][self.column]}
            for i in order.tolist()
        ]
