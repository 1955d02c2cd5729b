"""Estimated task time: the median wall time of the same configuration in earlier runs, else the
task's own `estimated_time_minutes`."""

from __future__ import annotations

from typing import Any


def history_seconds(con: Any, hashes: list[str]) -> dict[str, float]:
    """Median wall time in seconds of successful earlier runs, by config hash (only hashes with history)."""
    if not hashes:
        return {}
    rows = con.execute(
        "SELECT config_hash, median(wall_time_seconds) FROM benchmark_tasks WHERE status = 'success'"
        " AND wall_time_seconds IS NOT NULL AND list_contains(?, config_hash) GROUP BY config_hash",
        [sorted(set(hashes))],
    ).fetchall()
    return {h: float(s) for h, s in rows}


def estimate_seconds(tasks: list[Any], hashes: dict[str, str], history: dict[str, float]) -> dict[str, float]:
    """Seconds each task is expected to take: history of its configuration first, else its declaration."""
    return {t.name: history.get(hashes[t.name], t.estimated_time_minutes * 60.0) for t in tasks}


class EtaClock:
    """Remaining-time estimate: estimates of unfinished tasks, scaled by how this run compares to them."""

    def __init__(self, estimates_s: dict[str, float], parallelism: int) -> None:
        self.estimates_s = estimates_s
        self.parallelism = max(1, parallelism)
        self.remaining_s = sum(estimates_s.values())
        self.observed_s = 0.0
        self.expected_s = 0.0

    def task_done(self, name: str, wall_s: float | None) -> None:
        """Account for a finished task and its measured wall time."""
        est = self.estimates_s.get(name, 0.0)
        self.remaining_s -= est
        if wall_s is not None and est > 0:
            self.observed_s += wall_s
            self.expected_s += est

    def eta_seconds(self) -> float | None:
        """Seconds until the run ends, or None before any task has finished."""
        if self.expected_s <= 0:
            return None
        return max(0.0, self.remaining_s) * (self.observed_s / self.expected_s) / self.parallelism
