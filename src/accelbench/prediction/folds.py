"""Cross-validation folds as (train indices, test indices): random, grouped, and batch extrapolation."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

Fold = tuple[list[int], list[int]]


def random_folds(n: int, k: int, seed: int = 0) -> list[Fold]:
    """k shuffled folds of n rows (fewer when n < k)."""
    import numpy as np

    k = min(k, n)
    if k < 2:
        return []
    order = np.random.default_rng(seed).permutation(n)
    parts = [sorted(int(i) for i in part) for part in np.array_split(order, k)]
    return [(sorted(set(range(n)) - set(p)), p) for p in parts]


def group_folds(
    rows: list[dict[str, Any]],
    key: Callable[[dict[str, Any]], Hashable],
    k: int,
    seed: int = 0,
    *,
    min_groups: int = 2,
) -> list[Fold]:
    """Folds in which every group is entirely in the test part once; [] if fewer than min_groups groups."""
    import numpy as np

    groups = sorted({key(r) for r in rows}, key=str)
    if len(groups) < min_groups:
        return []
    k = min(k, len(groups))
    order = np.random.default_rng(seed).permutation(len(groups))
    fold_of = {groups[g]: i % k for i, g in enumerate(order)}
    folds = []
    for f in range(k):
        test = [i for i, r in enumerate(rows) if fold_of[key(r)] == f]
        train = [i for i, r in enumerate(rows) if fold_of[key(r)] != f]
        if test and train:
            folds.append((train, test))
    return folds


def leave_one_out(
    rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]
) -> list[tuple[Hashable, Fold]]:
    """One fold per group value, holding out that whole group."""
    out = []
    for g in sorted({key(r) for r in rows}, key=str):
        test = [i for i, r in enumerate(rows) if key(r) == g]
        train = [i for i, r in enumerate(rows) if key(r) != g]
        if train:
            out.append((g, (train, test)))
    return out


def batch_extrapolation_split(rows: list[dict[str, Any]]) -> Fold | None:
    """Train on the smaller batch sizes, test on the top third of distinct sizes (None if < 3 sizes)."""
    sizes = sorted({int(r["batch_size"]) for r in rows})
    if len(sizes) < 3:
        return None
    held = max(1, len(sizes) // 3)
    limit = sizes[-held - 1]
    train = [i for i, r in enumerate(rows) if r["batch_size"] <= limit]
    test = [i for i, r in enumerate(rows) if r["batch_size"] > limit]
    return (train, test) if train and test else None
