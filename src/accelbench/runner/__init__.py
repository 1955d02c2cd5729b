"""Running one task: timing loop, stopping rule, memory sampling, per-task process isolation."""

from accelbench.runner.result import LatencyStats, Measurement, TaskResult, failed_measurements


def run_task_isolated(task, **kwargs):  # type: ignore[no-untyped-def]
    """Run `task` in its own process (see accelbench.runner.process.run_task_isolated)."""
    from accelbench.runner.process import run_task_isolated as run

    return run(task, **kwargs)


__all__ = ["LatencyStats", "Measurement", "TaskResult", "failed_measurements", "run_task_isolated"]
