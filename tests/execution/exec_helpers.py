"""Helpers for execution tests: small suites of probe tasks and queries on what was stored."""

from __future__ import annotations

from accelbench.storage import Store
from accelbench.tasks import BenchmarkSuite, BenchmarkTask, HardwareRequirements, TaskConfig


def make_task(
    name: str,
    *,
    priority: int = 1,
    minutes: float = 1.0,
    deps: list[str] | None = None,
    hardware: str = "cpu",
    timeout_minutes: float = 10.0,
    exclusive: bool = False,
    **requirements,
) -> BenchmarkTask:
    """A probe task (model 'bert', one precision, one batch size) with the given scheduling attributes."""
    config = TaskConfig(model="bert", hardware=hardware, backend="pytorch", timeout_minutes=timeout_minutes)
    req = HardwareRequirements(hardware_types=[hardware], exclusive_access=exclusive, **requirements)
    return BenchmarkTask(
        name=name,
        config=config,
        priority=priority,
        estimated_time_minutes=minutes,
        dependencies=list(deps or []),
        requirements=req,
    )


def make_suite(*tasks: BenchmarkTask, name: str = "probe-suite") -> BenchmarkSuite:
    """A suite of the given tasks."""
    return BenchmarkSuite(name=name, tasks=list(tasks))


def started_order(marker_dir) -> list[str]:
    """Task names in the order SleepProbe started them."""
    lines = (marker_dir / "order.log").read_text().splitlines()
    return [line.split()[0] for line in lines]


def results_per_task(store: Store, run_id: int) -> dict[str, int]:
    """Stored performance_results rows per task of a run."""
    rows = store.query(
        "SELECT task_name, count(*) AS n FROM performance_results WHERE run_id = ? GROUP BY 1", [run_id]
    )
    return {r["task_name"]: r["n"] for r in rows}
