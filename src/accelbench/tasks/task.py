"""BenchmarkTask and its config: one model on one runtime/device, swept over precisions and batch sizes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from accelbench.backends.names import default_backend
from accelbench.tasks.requirements import HardwareRequirements


@dataclass
class Profiling:
    """What to record beside latency: memory is sampled; power where a counter exists."""

    memory: bool = True
    power: bool = False
    kernel_time: bool = False
    data_movement: bool = False


@dataclass
class TaskConfig:
    """Configuration of one task; `iterations` is the maximum, stopping is adaptive below it."""

    model: str
    size: str = "tiny"
    hardware: str = "cpu"
    backend: str | None = None
    device: str | None = None
    batch_sizes: list[int] = field(default_factory=lambda: [1])
    precision_formats: list[str] = field(default_factory=lambda: ["fp32"])
    sequence_length: int = 128
    iterations: int = 200
    min_iterations: int = 20
    warmup_iterations: int = 5
    max_time_seconds: float = 10.0
    target_ci_percent: float = 2.0
    threads: int | None = None
    model_path: str | None = None
    mixed_precision: bool = False
    audit: bool = True
    seed: int = 0
    timeout_minutes: float = 10.0
    profiling: Profiling = field(default_factory=Profiling)

    def __post_init__(self) -> None:
        if self.backend is None:
            self.backend = default_backend(self.hardware)
        if isinstance(self.profiling, dict):
            self.profiling = Profiling(**self.profiling)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)


@dataclass
class BenchmarkTask:
    """The plan's BenchmarkTask. `name` is its id, unique within a suite."""

    name: str
    config: TaskConfig
    priority: int = 1
    requirements: HardwareRequirements = field(default_factory=HardwareRequirements)
    estimated_time_minutes: float = 1.0
    dependencies: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The task's id (its name)."""
        return self.name

    def add_dependency(self, task_id: str) -> None:
        """Make this task wait until `task_id` has succeeded."""
        if task_id not in self.dependencies:
            self.dependencies.append(task_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the suite-file format."""
        return {
            "name": self.name,
            "priority": self.priority,
            "config": self.config.to_dict(),
            "requirements": self.requirements.to_dict(),
            "estimated_time_minutes": self.estimated_time_minutes,
            "dependencies": list(self.dependencies),
        }

    def config_hash(self) -> str:
        """Stable hash of what the task measures (not its name): the idempotency key's basis."""
        payload = json.dumps(self.config.to_dict(), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchmarkTask:
        """Build from a validated suite-file entry (see accelbench.tasks.loading)."""
        config = dict(data["config"])
        if "profiling" in config and isinstance(config["profiling"], dict):
            config["profiling"] = Profiling(**config["profiling"])
        hardware = config.get("hardware", "cpu")
        req = data.get("requirements") or {"hardware_types": [hardware]}
        return cls(
            name=data["name"],
            config=TaskConfig(**config),
            priority=int(data.get("priority", 1)),
            requirements=HardwareRequirements(**req),
            estimated_time_minutes=float(data.get("estimated_time_minutes", 1.0)),
            dependencies=list(data.get("dependencies", [])),
        )
