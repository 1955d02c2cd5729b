"""What a task produces: one Measurement per (precision, batch size), gathered in a TaskResult."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Status of one measurement or task. `success` is the only one with latency figures.
STATUSES = ("success", "failed", "unsupported", "timeout", "oom", "crashed", "blocked", "unschedulable")


@dataclass
class LatencyStats:
    """Summary of per-iteration latencies in milliseconds; throughput from total time, not the mean."""

    mean_ms: float
    median_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    std_ms: float
    min_ms: float
    max_ms: float
    total_time_seconds: float
    throughput_items_per_second: float
    ci_half_width_percent: float | None = None  # achieved 95 % CI half-width of the median, % of it


@dataclass
class Measurement:
    """One model × backend × device × precision × batch size result, measured in the task's process."""

    model: str
    size: str
    hardware: str
    backend: str
    precision: str
    batch_size: int
    sequence_length: int
    status: str = "success"
    error: str | None = None
    device: str = "cpu"
    device_name: str = ""
    threads: int | None = None
    weights: str = "random"  # random | pretrained
    parameters: int | None = None
    load_time_ms: float | None = None
    first_inference_ms: float | None = None
    warmup_iterations: int = 0
    iterations: int = 0
    stop_reason: str | None = None  # converged | max_iterations | max_time
    stats: LatencyStats | None = None
    latencies_ns: list[int] = field(default_factory=list)
    memory_peak_mb: float | None = None  # host RSS peak while timing
    process_peak_rss_mb: float | None = None  # whole task process, model build included
    device_memory_peak_mb: float | None = None
    max_abs_error: float | None = None  # vs pytorch fp32 on the same inputs
    power_watts: float | None = None
    power_is_estimate: bool = False
    attempt: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    is_simulated: bool = False
    simulation_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (latencies included), picklable and JSON-serialisable."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        """Inverse of to_dict."""
        data = dict(data)
        if data.get("stats") is not None:
            data["stats"] = LatencyStats(**data["stats"])
        return cls(**data)


@dataclass
class TaskResult:
    """Everything one task produced, plus where and beside what it ran."""

    task_name: str
    status: str
    measurements: list[Measurement] = field(default_factory=list)
    error: str | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    worker_id: str | None = None
    cpu_set: list[int] | None = None
    concurrent_tasks: int = 0
    started_at: float | None = None  # unix seconds
    ended_at: float | None = None
    attempt: int = 1

    @property
    def wall_time_seconds(self) -> float | None:
        """Wall time of the task's process, when known."""
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, picklable and JSON-serialisable."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        """Inverse of to_dict."""
        data = dict(data)
        data["measurements"] = [Measurement.from_dict(m) for m in data.get("measurements", [])]
        return cls(**data)


def failed_measurements(task: Any, status: str, error: str, *, attempt: int = 1) -> list[Measurement]:
    """One measurement per (precision, batch size) of `task`, all with `status` and `error`.

    Used for tasks that produced nothing (blocked, unschedulable, crashed before measuring), so
    every combination of the matrix has a stored row that says why it has no figures.
    """
    c = task.config
    return [
        Measurement(
            model=c.model,
            size=c.size,
            hardware=c.hardware,
            backend=c.backend,
            precision=p,
            batch_size=b,
            sequence_length=c.sequence_length,
            status=status,
            error=error,
            threads=c.threads,
            attempt=attempt,
        )
        for p in c.precision_formats
        for b in c.batch_sizes
    ]
