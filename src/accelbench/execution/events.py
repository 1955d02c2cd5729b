"""What run_suite reports while it runs (ProgressEvent) and when it ends (RunSummary)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Task states that count as finished; only `success` lets dependents start.
FINAL_STATUSES = ("success", "failed", "unsupported", "timeout", "oom", "crashed", "blocked", "unschedulable")


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report: kind is start | task_started | task_finished | task_retry | end."""

    kind: str
    task_name: str | None
    status: str | None
    done: int
    running: int
    failed: int
    total: int
    eta_seconds: float | None


@dataclass
class RunSummary:
    """How a run ended: per-status task counts, failed task names, wall time in seconds, exit code."""

    run_id: int
    counts: dict[str, int] = field(default_factory=dict)
    failed_tasks: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    skipped_tasks: int = 0  # already stored before a --resume

    @property
    def exit_code(self) -> int:
        """0 when every task succeeded (or was already stored), 1 when some did not."""
        return 1 if self.failed_tasks else 0

    @property
    def total(self) -> int:
        """Tasks accounted for in this run, resumed ones included."""
        return sum(self.counts.values())
