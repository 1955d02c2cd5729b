"""Max-min fair rates for large components, in numpy: many bottlenecks saturate per round.

Progressive filling saturates one resource at a time. Here every resource whose fair share is
the smallest among all resources its groups use ("locally minimal") saturates in the same
round: none of its groups can freeze lower (shares only grow as groups freeze), so each gets
exactly that share. Rounds are as many as the longest chain of bottlenecks that wait on one
another, usually a handful, each O(group-resource pairs) in numpy. Same rates as
fluid._progressive_fill up to float rounding; fluid.py uses it for large components.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def parallel_fill(groups: Sequence[Any], capacity: Any) -> None:
    """Set `g.rate` (per flow) for groups with .resources, .cap and .flows (weight = len(flows))."""
    import numpy as np

    local: dict[Any, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    caps: list[float] = []
    for gi, g in enumerate(groups):
        for r in g.resources:
            j = local.get(r)
            if j is None:
                j = local[r] = len(caps)
                caps.append(capacity[r])
            rows.append(gi)
            cols.append(j)
        if g.cap < math.inf:  # a per-flow cap is a private resource of capacity cap x flows
            rows.append(gi)
            cols.append(len(caps))
            caps.append(g.cap * len(g.flows))
    row = np.asarray(rows)
    col = np.asarray(cols)
    weight = np.asarray([len(g.flows) for g in groups], dtype=np.int64)
    n_res, n_groups = len(caps), len(groups)
    remaining = np.asarray(caps, dtype=float)
    count = np.bincount(col, weights=weight[row], minlength=n_res).astype(np.int64)
    rate = np.full(n_groups, -1.0)
    live = np.ones(len(row), dtype=bool)  # pairs whose group is not frozen yet
    while live.any():
        share = np.full(n_res, np.inf)
        used = count > 0
        share[used] = remaining[used] / count[used]
        g_min = np.full(n_groups, np.inf)
        np.minimum.at(g_min, row[live], share[col[live]])
        r_min = np.full(n_res, np.inf)
        np.minimum.at(r_min, col[live], g_min[row[live]])
        bottleneck = used & (share <= r_min)
        freeze = np.zeros(n_groups, dtype=bool)
        freeze[row[live & bottleneck[col]]] = True
        rate[freeze] = g_min[freeze]
        done = live & freeze[row]
        w = weight[row[done]]
        remaining -= np.bincount(col[done], weights=rate[row[done]] * w, minlength=n_res)
        count -= np.bincount(col[done], weights=w, minlength=n_res).astype(np.int64)
        # shares only grow: the floor keeps float rounding from starving a tied resource
        floor = np.zeros(n_res)
        floor[count > 0] = share[count > 0] * count[count > 0]
        remaining = np.maximum(remaining, floor)
        live &= ~done
    for g, r in zip(groups, rate.tolist(), strict=True):
        g.rate = r
