"""BenchmarkSuite: named tasks with dependencies, topological ordering and a matrix generator."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accelbench.errors import InputError
from accelbench.tasks.requirements import HardwareRequirements
from accelbench.tasks.task import BenchmarkTask, TaskConfig


@dataclass
class BenchmarkSuite:
    """The plan's BenchmarkSuite: an ordered collection of uniquely named tasks."""

    name: str
    tasks: list[BenchmarkTask] = field(default_factory=list)
    version: str = "1"
    description: str = ""
    priority: int = 1
    source: str | None = None  # file the suite was loaded from, for error messages

    def task(self, name: str) -> BenchmarkTask:
        """The task called `name` (KeyError if none)."""
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(name)

    def add_dependency(self, task_id: str, depends_on: str) -> None:
        """Make `task_id` wait for `depends_on`; both must be in the suite."""
        self.task(depends_on)
        self.task(task_id).add_dependency(depends_on)

    @property
    def estimated_total_time_hours(self) -> float:
        """Sum of the tasks' estimates, run one at a time."""
        return sum(t.estimated_time_minutes for t in self.tasks) / 60.0

    def validate(self) -> None:
        """Raise InputError on duplicate names, dependencies on missing tasks, or a cycle."""
        seen: set[str] = set()
        for t in self.tasks:
            if t.name in seen:
                raise InputError("duplicate task name", file=self.source, item=t.name, field="name")
            seen.add(t.name)
        for t in self.tasks:
            for dep in t.dependencies:
                if dep not in seen:
                    raise InputError(
                        f"depends on missing task '{dep}'",
                        file=self.source,
                        item=t.name,
                        field="dependencies",
                    )
        self.topological_order()

    def topological_order(self) -> list[BenchmarkTask]:
        """Tasks so that each comes after its dependencies; ties by priority, then longest first."""
        by_name = {t.name: t for t in self.tasks}
        waiting = {t.name: len(set(t.dependencies)) for t in self.tasks}
        dependents: dict[str, list[str]] = {n: [] for n in by_name}
        for t in self.tasks:
            for dep in set(t.dependencies):
                dependents.setdefault(dep, []).append(t.name)
        index = {t.name: i for i, t in enumerate(self.tasks)}
        heap = [_order_key(by_name[n], index[n]) for n, c in waiting.items() if c == 0]
        heapq.heapify(heap)
        ordered: list[BenchmarkTask] = []
        while heap:
            *_, name = heapq.heappop(heap)
            ordered.append(by_name[name])
            for child in dependents.get(name, []):
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(heap, _order_key(by_name[child], index[child]))
        if len(ordered) != len(self.tasks):
            stuck = sorted(n for n, c in waiting.items() if c > 0)
            raise InputError(
                f"dependency cycle among {', '.join(stuck)}",
                file=self.source,
                item=stuck[0],
                field="dependencies",
            )
        return ordered

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the suite-file format."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "priority": self.priority,
            "tasks": [t.to_dict() for t in self.tasks],
        }


def _order_key(task: BenchmarkTask, index: int) -> tuple[int, float, int, str]:
    # Lower priority number runs first (priority 1 is the most urgent), then the longest task.
    return (task.priority, -task.estimated_time_minutes, index, task.name)


def task_name(config: TaskConfig) -> str:
    """Default task name for a matrix cell, e.g. `bert-tiny_cpu-pytorch_fp32`."""
    return f"{config.model}-{config.size}_{config.hardware}-{config.backend}_{'+'.join(config.precision_formats)}"


def generate_matrix(
    models: Iterable[str],
    hardware: Iterable[str],
    precisions: Iterable[str],
    batch_sizes: Iterable[int],
    *,
    sizes: Iterable[str] = ("tiny",),
    backends: Iterable[str] | None = None,
    name: str = "matrix",
    **config: Any,
) -> BenchmarkSuite:
    """One task per model × size × hardware × backend × precision; batch sizes run inside each task."""
    tasks = []
    backend_list = list(backends) if backends else [None]
    for model in models:
        for size in sizes:
            for hw in hardware:
                for backend in backend_list:
                    for precision in precisions:
                        cfg = TaskConfig(
                            model=model,
                            size=size,
                            hardware=hw,
                            backend=backend,
                            precision_formats=[precision],
                            batch_sizes=list(batch_sizes),
                            **config,
                        )
                        tasks.append(
                            BenchmarkTask(
                                name=task_name(cfg),
                                config=cfg,
                                requirements=HardwareRequirements(hardware_types=[hw]),
                            )
                        )
    return BenchmarkSuite(name=name, tasks=tasks)


def create_precision_sweep_task(model: str, hardware: str, size: str = "tiny") -> BenchmarkTask:
    """The plan's precision-sweep template: batch 1..32 × fp32/fp16/int8/int4 on one platform."""
    config = TaskConfig(
        model=model,
        size=size,
        hardware=hardware,
        batch_sizes=[1, 2, 4, 8, 16, 32],
        precision_formats=["fp32", "fp16", "int8", "int4"],
        mixed_precision=True,
        iterations=100,
        warmup_iterations=10,
        sequence_length=128,
        timeout_minutes=60,
    )
    config.profiling.power = True
    requirements = HardwareRequirements(
        hardware_types=[hardware],
        min_memory_gb=8,
        min_compute_capability=7.5 if hardware == "cuda" else None,
        driver_version_constraints=">=11.8" if hardware == "cuda" else None,
        exclusive_access=True,
    )
    return BenchmarkTask(
        name=f"{model}_{hardware}_precision_sweep",
        priority=2,
        config=config,
        requirements=requirements,
        estimated_time_minutes=30,
    )


def generate_precision_sweep_suite(models: Iterable[str], hardware: Iterable[str]) -> BenchmarkSuite:
    """The plan's sweep suite: tasks on the same hardware run one after another (dependencies)."""
    tasks = [create_precision_sweep_task(m, h) for m in models for h in hardware]
    for prev, cur in zip(tasks, tasks[1:], strict=False):
        if cur.requirements.hardware_types == prev.requirements.hardware_types:
            cur.add_dependency(prev.id)
    return BenchmarkSuite(
        name="comprehensive_precision_sweep",
        tasks=tasks,
        priority=1,
        description="Comprehensive precision sweep across models and hardware",
    )
