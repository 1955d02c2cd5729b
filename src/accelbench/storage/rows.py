"""Turn a TaskResult into performance_results columns (Arrow-ready) and a raw-samples table.

Built column by column rather than row by row: the per-row cost in Python is what limits bulk
writes, and a list comprehension per column is several times cheaper than a dict per row.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from accelbench.runner.result import Measurement, TaskResult
    from accelbench.tasks.task import BenchmarkTask

# performance_results column -> LatencyStats attribute
_STAT_COLUMNS = {
    "total_time_seconds": "total_time_seconds",
    "average_latency_ms": "mean_ms",
    "throughput_items_per_second": "throughput_items_per_second",
    "latency_median_ms": "median_ms",
    "latency_p90_ms": "p90_ms",
    "latency_p95_ms": "p95_ms",
    "latency_p99_ms": "p99_ms",
    "latency_std_ms": "std_ms",
    "latency_min_ms": "min_ms",
    "latency_max_ms": "max_ms",
    "ci_half_width_percent": "ci_half_width_percent",
}
# performance_results column -> Measurement attribute
_MEASUREMENT_COLUMNS = {
    "status": "status",
    "error_message": "error",
    "model_name": "model",
    "model_size": "size",
    "hardware_type": "hardware",
    "backend": "backend",
    "device": "device",
    "batch_size": "batch_size",
    "precision": "precision",
    "sequence_length": "sequence_length",
    "threads": "threads",
    "weights": "weights",
    "memory_peak_mb": "memory_peak_mb",
    "process_peak_rss_mb": "process_peak_rss_mb",
    "device_memory_peak_mb": "device_memory_peak_mb",
    "first_inference_ms": "first_inference_ms",
    "load_time_ms": "load_time_ms",
    "max_abs_error": "max_abs_error",
    "iterations": "iterations",
    "warmup_iterations": "warmup_iterations",
    "stop_reason": "stop_reason",
    "power_watts": "power_watts",
    "power_is_estimate": "power_is_estimate",
    "attempt": "attempt",
    "is_simulated": "is_simulated",
    "simulation_reason": "simulation_reason",
}


def idempotency_key(run_id: int, task_name: str, precision: str, batch_size: int, attempt: int) -> str:
    """The key that makes storing a measurement exactly-once."""
    return f"{run_id}/{task_name}/{precision}/bs{batch_size}/a{attempt}"


def hardware_fingerprint(hardware_type: str, device_name: str, compute_units: Any, memory_gb: Any) -> str:
    """Stable id of a device model (not of a host): type, name, units, memory rounded to 1 GB."""
    mem = round(float(memory_gb)) if memory_gb else None
    raw = json.dumps([hardware_type, device_name, compute_units, mem])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class ResultColumns:
    """performance_results columns of one task's measurements, plus what the store must resolve."""

    columns: dict[str, list[Any]]
    model_keys: list[tuple[str, str, str]]  # (family, size, weights) per row
    models: dict[tuple[str, str, str], dict[str, Any]]
    hardware_keys: list[str]  # hardware fingerprint per row
    hardware: dict[str, dict[str, Any]]
    latencies: list[list[int]]

    def __len__(self) -> int:
        return len(self.latencies)

    def keep(self, mask: list[bool]) -> ResultColumns:
        """Only the rows where `mask` is True."""

        def pick(values: list[Any]) -> list[Any]:
            return [v for v, k in zip(values, mask, strict=True) if k]

        return ResultColumns(
            {c: pick(v) for c, v in self.columns.items()},
            pick(self.model_keys),
            self.models,
            pick(self.hardware_keys),
            self.hardware,
            pick(self.latencies),
        )


def concat_columns(parts: list[ResultColumns]) -> ResultColumns:
    """The rows of several ResultColumns in one (columns missing from a part are filled with None)."""
    if len(parts) == 1:
        return parts[0]
    columns: dict[str, list[Any]] = {}
    for p in parts:
        for name in p.columns:
            columns.setdefault(name, [])
    out = ResultColumns(columns, [], {}, [], {}, [])
    for p in parts:
        n = len(p)
        for name, values in columns.items():
            values.extend(p.columns.get(name, [None] * n))
        out.model_keys += p.model_keys
        out.models.update(p.models)
        out.hardware_keys += p.hardware_keys
        out.hardware.update(p.hardware)
        out.latencies += p.latencies
    return out


def measurement_columns(run_id: int, task: BenchmarkTask, result: TaskResult) -> ResultColumns:
    """Columns for every measurement of `result`, keyed for exactly-once storage."""
    ms = result.measurements
    env = result.environment or {}
    n = len(ms)
    cols = _transpose(ms, _MEASUREMENT_COLUMNS)
    stats = [m.stats if m.stats is not None else _NO_STATS for m in ms]
    cols.update(_transpose(stats, _STAT_COLUMNS))
    cols["run_id"] = [run_id] * n
    cols["test_case"] = cols["task_name"] = [task.name] * n
    # Inlined idempotency_key(): this list is built for every stored row.
    cols["idempotency_key"] = [
        f"{run_id}/{task.name}/{m.precision}/bs{m.batch_size}/a{m.attempt}" for m in ms
    ]
    cols["config_hash"] = [task.config_hash()] * n
    cols["cpu_set"] = [",".join(map(str, result.cpu_set)) if result.cpu_set else None] * n
    cols["concurrent_tasks"] = [result.concurrent_tasks] * n
    cols["worker_id"] = [result.worker_id] * n
    env_id = env.get("fingerprint")
    dumps = _dumps
    cols["metrics"] = [dumps({"extra": m.extra, "environment_id": env_id, "device": m.device}) for m in ms]
    model_keys = [(m.model, m.size, m.weights) for m in ms]
    models: dict[tuple[str, str, str], dict[str, Any]] = {}
    for key, m in zip(model_keys, ms, strict=True):
        if key not in models:
            models[key] = _model_info(m)
    hardware: dict[str, dict[str, Any]] = {}
    by_device: dict[tuple[str, str], str] = {}
    hardware_keys = []
    for m in ms:
        device = (m.hardware, m.device_name)
        if device not in by_device:
            info = _hardware_info(m, env)
            hardware.setdefault(info["fingerprint"], info)
            by_device[device] = info["fingerprint"]
        hardware_keys.append(by_device[device])
    return ResultColumns(cols, model_keys, models, hardware_keys, hardware, [m.latencies_ns for m in ms])


class _NoStats:
    def __getattr__(self, name: str) -> None:
        return None


_NO_STATS = _NoStats()


def _transpose(objects: list[Any], mapping: dict[str, str]) -> dict[str, list[Any]]:
    """{column: [attribute of each object]}: one C-level map(attrgetter) per column."""
    from operator import attrgetter

    return {column: list(map(attrgetter(attr), objects)) for column, attr in mapping.items()}


def _model_info(m: Measurement) -> dict[str, Any]:
    return {
        "family": m.model,
        "size": m.size,
        "weights": m.weights,
        "parameters_million": (m.parameters / 1e6) if m.parameters else None,
        "modality": m.extra.get("modality"),
    }


def _hardware_info(m: Measurement, env: dict[str, Any]) -> dict[str, Any]:
    hw = (env.get("hardware") or {}).get(m.hardware, {})
    device_name = m.device_name or hw.get("device_name") or env.get("cpu_model", "")
    return {
        "hardware_type": m.hardware,
        "device_name": device_name,
        "platform": env.get("os"),
        "platform_version": env.get("os_version"),
        "driver_version": hw.get("driver_version"),
        "memory_gb": hw.get("memory_gb"),
        "compute_units": hw.get("compute_units"),
        "metadata": {"isa_flags": hw.get("isa_flags", [])},
        "fingerprint": hardware_fingerprint(
            m.hardware, device_name, hw.get("compute_units"), hw.get("memory_gb")
        ),
    }


@functools.lru_cache(maxsize=1)
def _orjson() -> Any:
    try:
        import orjson
    except ImportError:  # orjson is a speed-up only
        return None
    return orjson


def _dumps(value: Any) -> str:
    fast = _orjson()
    if fast is None:
        return json.dumps(value, default=str)
    return fast.dumps(value, default=str).decode()


def sample_table(result_ids: list[int], latencies: list[list[int]]) -> pa.Table:
    """Raw per-iteration latencies as (result_id, iteration, latency_ns) rows."""
    import numpy as np
    import pyarrow as pa

    lengths = np.fromiter((len(x) for x in latencies), dtype=np.int64, count=len(latencies))
    total = int(lengths.sum())
    if total == 0:
        return pa.table(
            {
                "result_id": pa.array([], pa.int64()),
                "iteration": pa.array([], pa.int32()),
                "latency_ns": pa.array([], pa.int64()),
            }
        )
    ids = np.repeat(np.asarray(result_ids, dtype=np.int64), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    iteration = (np.arange(total, dtype=np.int64) - starts).astype(np.int32)
    flat = np.fromiter(itertools.chain.from_iterable(latencies), dtype=np.int64, count=total)
    return pa.table({"result_id": ids, "iteration": iteration, "latency_ns": flat})
