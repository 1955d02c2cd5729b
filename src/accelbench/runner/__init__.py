"""Running one task: timing loop, stopping rule, memory sampling, per-task process isolation."""

from accelbench.runner.result import LatencyStats, Measurement, TaskResult

__all__ = ["LatencyStats", "Measurement", "TaskResult"]
