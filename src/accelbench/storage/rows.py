"""Turn a TaskResult into performance_results rows and a raw-samples Arrow table."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from accelbench.runner.result import Measurement, TaskResult
    from accelbench.tasks.task import BenchmarkTask


def idempotency_key(run_id: int, task_name: str, precision: str, batch_size: int, attempt: int) -> str:
    """The key that makes storing a measurement exactly-once."""
    return f"{run_id}/{task_name}/{precision}/bs{batch_size}/a{attempt}"


def hardware_fingerprint(hardware_type: str, device_name: str, compute_units: Any, memory_gb: Any) -> str:
    """Stable id of a device model (not of a host): type, name, units, memory rounded to 1 GB."""
    mem = round(float(memory_gb)) if memory_gb else None
    raw = json.dumps([hardware_type, device_name, compute_units, mem])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def measurement_rows(run_id: int, task: BenchmarkTask, result: TaskResult) -> list[dict[str, Any]]:
    """One row per measurement, with `_model`, `_hardware` and `_latencies_ns` for the store to resolve."""
    env = result.environment or {}
    shared: dict[str, Any] = {"config_hash": task.config_hash(), "fingerprints": {}}
    return [_row(run_id, task, result, m, env, shared) for m in result.measurements]


def _row(
    run_id: int,
    task: BenchmarkTask,
    result: TaskResult,
    m: Measurement,
    env: dict[str, Any],
    shared: dict[str, Any],
) -> dict[str, Any]:
    s = m.stats
    hw = (env.get("hardware") or {}).get(m.hardware, {})
    device_name = m.device_name or hw.get("device_name") or env.get("cpu_model", "")
    metrics = {
        "extra": m.extra,
        "environment_id": env.get("fingerprint"),
        "device": m.device,
        "stop_reason": m.stop_reason,
        "power_is_estimate": m.power_is_estimate,
    }
    return {
        "run_id": run_id,
        "test_case": task.name,
        "task_name": task.name,
        "idempotency_key": idempotency_key(run_id, task.name, m.precision, m.batch_size, m.attempt),
        "config_hash": shared["config_hash"],
        "status": m.status,
        "error_message": m.error,
        "model_name": m.model,
        "model_size": m.size,
        "hardware_type": m.hardware,
        "backend": m.backend,
        "device": m.device,
        "batch_size": m.batch_size,
        "precision": m.precision,
        "sequence_length": m.sequence_length,
        "threads": m.threads,
        "weights": m.weights,
        "total_time_seconds": s.total_time_seconds if s else None,
        "average_latency_ms": s.mean_ms if s else None,
        "throughput_items_per_second": s.throughput_items_per_second if s else None,
        "latency_median_ms": s.median_ms if s else None,
        "latency_p90_ms": s.p90_ms if s else None,
        "latency_p95_ms": s.p95_ms if s else None,
        "latency_p99_ms": s.p99_ms if s else None,
        "latency_std_ms": s.std_ms if s else None,
        "latency_min_ms": s.min_ms if s else None,
        "latency_max_ms": s.max_ms if s else None,
        "ci_half_width_percent": s.ci_half_width_percent if s else None,
        "memory_peak_mb": m.memory_peak_mb,
        "process_peak_rss_mb": m.process_peak_rss_mb,
        "device_memory_peak_mb": m.device_memory_peak_mb,
        "first_inference_ms": m.first_inference_ms,
        "load_time_ms": m.load_time_ms,
        "max_abs_error": m.max_abs_error,
        "iterations": m.iterations,
        "warmup_iterations": m.warmup_iterations,
        "stop_reason": m.stop_reason,
        "power_watts": m.power_watts,
        "power_is_estimate": m.power_is_estimate,
        "cpu_set": ",".join(map(str, result.cpu_set)) if result.cpu_set else None,
        "concurrent_tasks": result.concurrent_tasks,
        "attempt": m.attempt,
        "worker_id": result.worker_id,
        "metrics": _dumps(metrics),
        "is_simulated": m.is_simulated,
        "simulation_reason": m.simulation_reason,
        "_latencies_ns": m.latencies_ns,
        "_model": {
            "family": m.model,
            "size": m.size,
            "weights": m.weights,
            "parameters_million": (m.parameters / 1e6) if m.parameters else None,
            "modality": m.extra.get("modality"),
        },
        "_hardware": {
            "hardware_type": m.hardware,
            "device_name": device_name,
            "platform": env.get("os"),
            "platform_version": env.get("os_version"),
            "driver_version": hw.get("driver_version"),
            "memory_gb": hw.get("memory_gb"),
            "compute_units": hw.get("compute_units"),
            "metadata": {"isa_flags": hw.get("isa_flags", [])},
            "fingerprint": _fingerprint(shared, m.hardware, device_name, hw),
        },
    }


def _dumps(value: Any) -> str:
    try:
        import orjson
    except ImportError:  # orjson is a speed-up only
        return json.dumps(value, default=str)
    return orjson.dumps(value, default=str).decode()


def _fingerprint(shared: dict[str, Any], hardware: str, device_name: str, hw: dict[str, Any]) -> str:
    key = (hardware, device_name)
    if key not in shared["fingerprints"]:
        shared["fingerprints"][key] = hardware_fingerprint(hardware, device_name, hw.get("compute_units"),
                                                           hw.get("memory_gb"))
    return shared["fingerprints"][key]


def sample_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Raw per-iteration latencies of rows that already carry their result_id."""
    import numpy as np
    import pyarrow as pa

    ids, iters, lat = [], [], []
    for r in rows:
        n = len(r["_latencies_ns"])
        if n:
            ids.append(np.full(n, r["result_id"], dtype=np.int64))
            iters.append(np.arange(n, dtype=np.int32))
            lat.append(np.asarray(r["_latencies_ns"], dtype=np.int64))
    if not ids:
        return pa.table(
            {
                "result_id": pa.array([], pa.int64()),
                "iteration": pa.array([], pa.int32()),
                "latency_ns": pa.array([], pa.int64()),
            }
        )
    return pa.table(
        {
            "result_id": np.concatenate(ids),
            "iteration": np.concatenate(iters),
            "latency_ns": np.concatenate(lat),
        }
    )
