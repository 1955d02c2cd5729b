"""Inside the task's own process: build the model, and for each precision × batch size prepare the
backend, check accuracy against pytorch fp32, warm up, time, and send each Measurement home."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from accelbench.errors import InputError, UnsupportedError
from accelbench.runner.allocator import minor_page_faults, release_free_memory
from accelbench.runner.memory import PeakMemory, process_peak_rss_mb
from accelbench.runner.result import Measurement
from accelbench.runner.timing import summarize, time_iterations
from accelbench.tasks.task import TaskConfig

AUDIT_INPUT_SETS = 8
AUDIT_MAX_ITERATIONS = 40


def execute_config(
    config: TaskConfig,
    send: Callable[[Measurement], None],
    *,
    attempt: int = 1,
    cache_dir: str | None = None,
    allocator: dict[str, Any] | None = None,
) -> None:
    """Measure every (precision, batch size) of `config`, calling `send` once per Measurement.
    `allocator`: the malloc policy the process applied (runner.allocator), recorded in each."""
    import torch

    from accelbench.models import build_model

    if config.threads:
        torch.set_num_threads(config.threads)
    threads = torch.get_num_threads()
    t0 = time.perf_counter()
    try:
        check_target(config)
        built = build_model(config.model, config.size, model_path=config.model_path, seed=config.seed)
    except (UnsupportedError, InputError, MemoryError) as exc:
        for m in _all_failed(config, exc, threads, attempt):
            send(m)
        return
    build_ms = (time.perf_counter() - t0) * 1e3
    for precision in config.precision_formats:
        for batch_size in config.batch_sizes:
            m = _measure_one(config, built, precision, batch_size, threads, build_ms, attempt, cache_dir)
            if allocator is not None:
                m.extra["allocator"] = allocator
            send(m)


def check_target(config: TaskConfig) -> None:
    """Raise UnsupportedError when the task's runtime or hardware does not exist here."""
    from accelbench.backends.names import BACKENDS

    if config.backend not in BACKENDS:
        raise UnsupportedError(
            f"accelbench has no '{config.backend}' runtime backend "
            f"(available: {', '.join(BACKENDS)}); {config.hardware} tasks cannot run"
        )
    try:
        from accelbench.hardware import detect
    except ImportError:
        return
    info = detect(config.hardware)
    if not info.available:
        raise UnsupportedError(f"{config.hardware} is not available on this machine: {info.reason}")


def _all_failed(config: TaskConfig, exc: BaseException, threads: int, attempt: int) -> list[Measurement]:
    # A size refused before building (too large for memory) is a limit of this machine: unsupported.
    if isinstance(exc, UnsupportedError | InputError):
        status = "unsupported"
    else:
        status = "oom" if isinstance(exc, MemoryError) else "failed"
    return [
        _base(config, p, b, threads, attempt, status=status, error=f"{type(exc).__name__}: {exc}")
        for p in config.precision_formats
        for b in config.batch_sizes
    ]


def _base(
    config: TaskConfig, precision: str, batch_size: int, threads: int, attempt: int, **kw: Any
) -> Measurement:
    return Measurement(
        model=config.model,
        size=config.size,
        hardware=config.hardware,
        backend=config.backend or "pytorch",
        precision=precision,
        batch_size=batch_size,
        sequence_length=config.sequence_length,
        threads=threads,
        attempt=attempt,
        **kw,
    )


def _measure_one(
    config: TaskConfig,
    built: Any,
    precision: str,
    batch_size: int,
    threads: int,
    build_ms: float,
    attempt: int,
    cache_dir: str | None,
) -> Measurement:
    m = _base(
        config,
        precision,
        batch_size,
        threads,
        attempt,
        weights=built.weights,
        parameters=built.num_parameters,
    )
    m.extra["modality"] = built.modality
    m.size = built.size  # a pretrained checkpoint reports its matching zoo size, or "custom"
    m.extra["model_build_ms"] = build_ms
    try:
        _run_measurement(config, built, m, cache_dir)
    except UnsupportedError as exc:
        m.status, m.error = "unsupported", str(exc)
    except MemoryError as exc:
        m.status, m.error = "oom", f"MemoryError: {exc}"
    except Exception as exc:  # stored with its traceback; the run goes on and exits 1
        m.status, m.error = "failed", f"{type(exc).__name__}: {exc}"
        m.extra["traceback"] = traceback.format_exc(limit=8)
    m.process_peak_rss_mb = process_peak_rss_mb()
    return m


def _run_measurement(config: TaskConfig, built: Any, m: Measurement, cache_dir: str | None) -> None:
    import numpy as np
    import torch

    from accelbench.backends import get_backend
    from accelbench.models import make_inputs

    inputs = make_inputs(built, m.batch_size, config.sequence_length, seed=config.seed)
    # What was fed: a text longer than the model's position table is cut to it (bert-tiny: 512), and
    # images ignore the sequence length, so `sequence_length` alone does not say what ran.
    m.extra["input_shapes"] = {
        name: list(t.shape) for name, t in zip(built.input_names, inputs, strict=True) if hasattr(t, "shape")
    }
    with torch.no_grad():
        reference = built.module(*inputs).float().numpy()
    backend = get_backend(config.backend or "pytorch")
    t0 = time.perf_counter()
    prepared = backend.prepare(
        built,
        m.precision,
        config.device or _default_device(config.hardware),
        inputs,
        threads=config.threads,
        cache_dir=cache_dir,
    )
    m.load_time_ms = (time.perf_counter() - t0) * 1e3 + m.extra["model_build_ms"]
    m.device = getattr(prepared, "device", None) or config.device or _default_device(config.hardware)
    m.device_name = getattr(prepared, "device_name", "") or ""
    m.extra["backend_details"] = dict(getattr(prepared, "details", {}) or {})
    converted = prepared.convert_inputs(inputs)

    def call() -> None:
        prepared.run(converted)
        prepared.synchronize()

    t0 = time.perf_counter_ns()
    out = prepared.run(converted)
    prepared.synchronize()
    m.first_inference_ms = (time.perf_counter_ns() - t0) / 1e6
    got = np.asarray(prepared.to_numpy(out), dtype=np.float32)
    m.max_abs_error = float(np.max(np.abs(got - reference))) if got.shape == reference.shape else None
    if m.max_abs_error is None:
        m.extra["output_shape_mismatch"] = [list(got.shape), list(reference.shape)]
    # freed memory of earlier measurements (and of the reference pass) back to the kernel, so the
    # peak below is this measurement's own; the warm-up then maps what the timed calls reuse
    release_free_memory()
    for _ in range(config.warmup_iterations):
        call()
    m.warmup_iterations = config.warmup_iterations
    prepared.reset_device_peak()
    faults_before = minor_page_faults()
    with PeakMemory() as mem, _energy(config) as energy:
        timing = time_iterations(
            call,
            max_iterations=config.iterations,
            min_iterations=config.min_iterations,
            max_time_s=config.max_time_seconds,
            target_ci_percent=config.target_ci_percent,
        )
    m.memory_peak_mb, m.extra["memory_method"] = mem.peak_mb, mem.method
    faults_after = minor_page_faults()
    if faults_before is not None and faults_after is not None and timing.latencies_ns:
        # memory handed back to the kernel and touched again on every call shows here (allocator.py)
        m.extra["minor_page_faults_per_call"] = round(
            (faults_after - faults_before) / len(timing.latencies_ns), 1
        )
    if config.profiling.power:
        m.power_watts = energy.watts
        m.extra["power_source"] = energy.source or None
        if energy.watts is None:
            m.extra["power_unavailable"] = energy.reason
    m.device_memory_peak_mb = prepared.device_memory_peak_mb()
    m.latencies_ns = timing.latencies_ns
    m.iterations = len(timing.latencies_ns)
    m.stop_reason = timing.stop_reason
    m.stats = summarize(timing.latencies_ns, timing.wall_ns, m.batch_size, timing.ci_half_width_percent)
    if config.audit:
        _cache_audit(config, built, prepared, m)


def _energy(config: TaskConfig) -> Any:
    """An EnergyMeter when power profiling is on, else a no-op context."""
    import contextlib

    if not config.profiling.power:
        return contextlib.nullcontext(None)
    from accelbench.runner.energy import EnergyMeter

    return EnergyMeter(config.hardware)


def _cache_audit(config: TaskConfig, built: Any, prepared: Any, m: Measurement) -> None:
    """Time distinct inputs per iteration beside the repeated-input loop (MLPerf-style cache test)."""
    import statistics

    from accelbench.models import make_inputs

    pool = [
        prepared.convert_inputs(
            make_inputs(built, m.batch_size, config.sequence_length, seed=config.seed + i)
        )
        for i in range(1, AUDIT_INPUT_SETS + 1)
    ]
    distinct: list[int] = []
    repeated: list[int] = []
    same = prepared.convert_inputs(make_inputs(built, m.batch_size, config.sequence_length, seed=config.seed))
    deadline = time.perf_counter() + min(2.0, config.max_time_seconds)
    for i in range(AUDIT_MAX_ITERATIONS):
        # Interleaved so drift on a shared machine affects both series alike.
        for series, item in ((distinct, pool[i % len(pool)]), (repeated, same)):
            t0 = time.perf_counter_ns()
            prepared.run(item)
            prepared.synchronize()
            series.append(time.perf_counter_ns() - t0)
        if time.perf_counter() > deadline and i >= 10:
            break
    m.extra["audit_repeated_median_ns"] = statistics.median(repeated)
    m.extra["audit_distinct_median_ns"] = statistics.median(distinct)
    m.extra["audit_iterations"] = len(distinct)


def _default_device(hardware: str) -> str:
    return {"cuda": "cuda", "rocm": "cuda", "mps": "mps"}.get(hardware, "cpu")
