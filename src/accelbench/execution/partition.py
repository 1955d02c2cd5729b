"""Split a suite for several coordinators: each part keeps every task together with its dependencies."""

from __future__ import annotations

import heapq
from typing import Any

from accelbench.errors import InputError


def dependency_groups(suite: Any) -> list[list[Any]]:
    """Tasks grouped by dependency links (connected components), each group in suite order."""
    parent = {t.name: t.name for t in suite.tasks}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for t in suite.tasks:
        for dep in t.dependencies:
            parent[root(t.name)] = root(dep)
    groups: dict[str, list[Any]] = {}
    for t in suite.tasks:
        groups.setdefault(root(t.name), []).append(t)
    return list(groups.values())


def partition_suite(suite: Any, parts: int) -> list[Any]:
    """`parts` suites balanced by estimated minutes (largest group to the lightest part); none splits a group."""
    from accelbench.tasks import BenchmarkSuite

    if parts < 1:
        raise InputError(f"{parts} must be >= 1", item="command line", field="--parts")
    suite.validate()
    groups = sorted(dependency_groups(suite), key=lambda g: -sum(t.estimated_time_minutes for t in g))
    heap = [(0.0, i) for i in range(parts)]
    chosen: list[list[Any]] = [[] for _ in range(parts)]
    for group in groups:
        load, i = heapq.heappop(heap)
        chosen[i] += group
        heapq.heappush(heap, (load + sum(t.estimated_time_minutes for t in group), i))
    order = {t.name: k for k, t in enumerate(suite.tasks)}
    return [
        BenchmarkSuite(
            name=f"{suite.name}_partition_{i + 1}of{parts}",
            version=suite.version,
            priority=suite.priority,
            description=f"part {i + 1} of {parts} of {suite.name}",
            tasks=sorted(tasks, key=lambda t: order[t.name]),
        )
        for i, tasks in enumerate(chosen)
    ]
