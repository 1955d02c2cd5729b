"""Repeat-measurement noise: how far two measurements of one configuration disagree.

No predictor can be more accurate against a single measurement than another measurement of the
same configuration is, so this is the floor under every accuracy goal on the data at hand.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from accelbench.prediction.dataset import TARGETS, config_key


def repeat_noise(rows: list[dict[str, Any]], target: str) -> dict[str, Any] | None:
    """MAPE and share within ±10 % of each measurement of a configuration against each other one.

    Parameters
    ----------
    1. rows: dataset rows; rows with the same `config_key` are repeats of one configuration.
    2. target: a key of TARGETS; rows without a positive value of it are ignored.

    Returns
    -------
    {"configurations": configurations measured >= 2 times, "pairs": ordered pairs (i, j), i != j,
    within one configuration, "mape_percent": 100 x mean |x_i - x_j| / x_j over those pairs,
    "within_10_percent": share of pairs with |x_i - x_j| / x_j <= 0.10}, or None when no
    configuration was measured twice. Ordered pairs make the figure independent of which
    measurement came first (for two measurements a, b: the mean of |a-b|/a and |a-b|/b).
    """
    col = TARGETS[target]
    groups: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for r in rows:
        if r.get(col) is not None and r[col] > 0:
            groups[config_key(r)].append(float(r[col]))
    rel = [
        abs(x - y) / y
        for values in groups.values()
        for i, x in enumerate(values)
        for j, y in enumerate(values)
        if i != j
    ]
    if not rel:
        return None
    return {
        "configurations": sum(len(v) >= 2 for v in groups.values()),
        "pairs": len(rel),
        "mape_percent": 100.0 * sum(rel) / len(rel),
        "within_10_percent": sum(e <= 0.10 for e in rel) / len(rel),
    }


def noise_line(target: str, noise: dict[str, Any] | None) -> str:
    """One printable line: the noise floor of `target`, or why there is none."""
    if noise is None:
        return f"repeat-measurement noise {target}: no configuration measured twice (no floor known)"
    return (
        f"repeat-measurement noise {target}: MAPE {noise['mape_percent']:.1f} %, "
        f"{100 * noise['within_10_percent']:.1f} % within ±10 % "
        f"({noise['configurations']} configurations measured >= 2 times: one measurement as a prediction"
        " of another)"
    )
