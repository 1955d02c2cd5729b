"""Disjoint CPU sets, so benchmarks running side by side do not share cores."""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def available_cpus() -> list[int]:
    """CPUs this process may run on (its affinity mask), sorted."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))


def split_cpu_sets(workers: int, cpus: list[int] | None = None) -> list[list[int]]:
    """`workers` disjoint sets of equal size over `cpus`; fewer (one CPU each) when there are fewer CPUs.

    Asking for more workers than CPUs logs a warning: CPU-bound benchmarks that share a core
    distort each other, so at most one runs per set.
    """
    cpus = cpus if cpus is not None else available_cpus()
    if workers < 1:
        raise ValueError("workers must be >= 1")
    if workers > len(cpus):
        log.warning(
            "asked for %d workers but only %d CPUs are available: running at most %d CPU-bound "
            "tasks at once (one per CPU)",
            workers,
            len(cpus),
            len(cpus),
        )
        workers = len(cpus)
    size = len(cpus) // workers
    return [cpus[i * size : (i + 1) * size] for i in range(workers)]
