"""The plan's task model: BenchmarkTask, HardwareRequirements, BenchmarkSuite, loading and schema."""

from accelbench.tasks.requirements import HardwareRequirements
from accelbench.tasks.suite import (
    BenchmarkSuite,
    create_precision_sweep_task,
    generate_matrix,
    generate_precision_sweep_suite,
)
from accelbench.tasks.task import BenchmarkTask, Profiling, TaskConfig

__all__ = [
    "BenchmarkSuite",
    "BenchmarkTask",
    "HardwareRequirements",
    "Profiling",
    "TaskConfig",
    "create_precision_sweep_task",
    "generate_matrix",
    "generate_precision_sweep_suite",
]
