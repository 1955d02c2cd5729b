"""Benchmark accelbench itself: import time of each public module, basic operations, parallel loading.

Reproduces the predecessor's package benchmark report (module loading, basic operations, parallel
loading from 5 threads × 3 iterations) for accelbench. Every figure is measured here; imports are
timed in fresh interpreters so earlier imports in this process cannot hide their cost.
"""

from __future__ import annotations

import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CORE_MODULES = (
    "accelbench",
    "accelbench.errors",
    "accelbench.tasks",
    "accelbench.hardware",
    "accelbench.storage",
    "accelbench.runner",
    "accelbench.models.catalog",
    "accelbench.backends.names",
    "accelbench.cli.main",
)
HEAVY_MODULES = (
    "torch",
    "transformers",
    "onnxruntime",
    "openvino",
    "duckdb",
    "ray",
    "scipy",
    "sklearn",
    "aiohttp",
    "simpy",
    "networkx",
    "fastapi",
)
# Runs in a fresh interpreter: time one import, report which heavy modules it pulled in.
_IMPORT_PROBE = (
    "import sys, time, json\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "ms = (time.perf_counter() - t) * 1000\n"
    "print(json.dumps({{'ms': ms, 'heavy': [m for m in {heavy!r} if m in sys.modules]}}))\n"
)


@dataclass
class Timing:
    """One measured item: median/min/max in ms over `samples`, or `error` when it could not run."""

    name: str
    ok: bool
    median_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    samples: int = 0
    error: str | None = None
    note: str = ""


@dataclass
class SelfBenchReport:
    """Everything the self-benchmark measured, renderable as markdown or JSON."""

    system: dict[str, Any]
    imports: list[Timing]
    operations: list[Timing]
    parallel: dict[str, Any]
    detectors: dict[str, float | None] = field(default_factory=dict)
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)

    def to_markdown(self) -> str:
        """The report as markdown, in the predecessor's section order."""
        return "\n".join(_markdown_lines(self)) + "\n"


def public_modules() -> list[str]:
    """CORE_MODULES plus every subpackage of accelbench that exists in this checkout."""
    import pkgutil

    import accelbench

    found = [f"accelbench.{m.name}" for m in pkgutil.iter_modules(accelbench.__path__) if m.ispkg]
    return list(dict.fromkeys([*CORE_MODULES, *sorted(found)]))


def time_import(module: str, repeats: int = 5, python: str = sys.executable) -> Timing:
    """Import time of `module` in ms, each sample in a fresh interpreter; `note` lists heavy modules pulled in."""
    samples, heavy = [], set()
    code = _IMPORT_PROBE.format(module=module, heavy=HEAVY_MODULES)
    for _ in range(repeats):
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120, check=False)
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["no output"])[-1]
            return Timing(module, ok=False, error=last)
        data = json.loads(out.stdout.strip().splitlines()[-1])
        samples.append(data["ms"])
        heavy.update(data["heavy"])
    return _timing(module, samples, note=("pulls in " + ", ".join(sorted(heavy))) if heavy else "")


def time_operation(name: str, func: Callable[[], Any], repeats: int = 20) -> Timing:
    """Median wall time of `func()` in ms over `repeats` calls after one untimed call; errors are reported."""
    try:
        func()
        samples = []
        for _ in range(repeats):
            start = time.perf_counter_ns()
            func()
            samples.append((time.perf_counter_ns() - start) / 1e6)
    except Exception as exc:  # a broken operation is a result of the self-benchmark, shown as failed
        return Timing(name, ok=False, error=f"{type(exc).__name__}: {exc}")
    return _timing(name, samples)


def basic_operations(repeats: int = 20) -> list[Timing]:
    """Time the operations every command relies on (see each lambda's name)."""
    from accelbench.hardware import detect_all
    from accelbench.tasks import generate_matrix

    def matrix():
        return generate_matrix(["bert", "t5", "vit"], ["cpu", "openvino"], ["fp32", "int8"], [1, 8])

    suite = matrix()
    tmp = Path(tempfile.mkdtemp(prefix="accelbench-selfbench-"))
    suite_file = tmp / "suite.json"
    suite_file.write_text(json.dumps(suite.to_dict()))
    detect_all()
    try:
        return _time_operations(suite, suite_file, tmp, matrix, repeats)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _time_operations(
    suite: Any, suite_file: Path, tmp: Path, matrix: Callable[[], Any], repeats: int
) -> list[Timing]:
    from accelbench.hardware import detect_all, spec_for
    from accelbench.tasks import BenchmarkTask, TaskConfig

    return [
        time_operation("Create BenchmarkTask", lambda: BenchmarkTask("t", TaskConfig(model="bert")), repeats),
        time_operation("Generate 12-task matrix", matrix, repeats),
        time_operation("Validate 12-task suite (names, deps, order)", suite.validate, repeats),
        time_operation("Load + schema-check 12-task suite file", lambda: _load_suite(suite_file), repeats),
        time_operation("Detect hardware (warm, in-process)", detect_all, repeats),
        time_operation("Detect hardware (disk cache, new state)", _detect_from_disk_cache, repeats),
        time_operation("Spec lookup for the CPU", lambda: spec_for(detect_all()["cpu"]), repeats),
        time_operation(
            "Store round-trip: 1 result into a new DuckDB file",
            lambda: _store_round_trip(tmp),
            max(3, repeats // 4),
        ),
    ]


def parallel_loading(
    threads: int = 5, iterations: int = 3, module: str = "accelbench.tasks"
) -> dict[str, Any]:
    """Import `module` in fresh interpreters from `threads` threads × `iterations`; success rate and ms."""
    results: list[float | None] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(iterations):
            t = time_import(module, repeats=1)
            with lock:
                results.append(t.median_ms if t.ok else None)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    ok = [r for r in results if r is not None]
    return {
        "module": module,
        "threads": threads,
        "iterations": iterations,
        "attempts": len(results),
        "successes": len(ok),
        "success_rate": len(ok) / len(results) if results else 0.0,
        "avg_ms": statistics.fmean(ok) if ok else None,
        "min_ms": min(ok, default=None),
        "max_ms": max(ok, default=None),
    }


def system_info() -> dict[str, Any]:
    """Platform, CPU, Python and accelbench version of the machine the self-benchmark ran on."""
    from accelbench import __version__
    from accelbench.hardware import detect_all

    cpu = detect_all()["cpu"]
    return {
        "platform": platform.platform(),
        "processor": cpu.device_name,
        "cpus": cpu.compute_units,
        "memory_gb": cpu.memory_gb,
        "python_version": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "architecture": platform.architecture()[0],
        "accelbench_version": __version__,
    }


def run_self_benchmark(
    repeats: int = 5,
    op_repeats: int = 20,
    threads: int = 5,
    iterations: int = 3,
    modules: list[str] | None = None,
) -> SelfBenchReport:
    """Run every part of the self-benchmark and return the report."""
    from accelbench.hardware import detect_all

    cold = detect_all(refresh=True)
    return SelfBenchReport(
        system=system_info(),
        imports=[time_import(m, repeats) for m in (modules or public_modules())],
        operations=basic_operations(op_repeats),
        parallel=parallel_loading(threads, iterations),
        detectors={name: info.details.get("detect_ms") for name, info in cold.items()},
        created_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    )


def _timing(name: str, samples: list[float], note: str = "") -> Timing:
    return Timing(
        name,
        ok=True,
        median_ms=statistics.median(samples),
        min_ms=min(samples),
        max_ms=max(samples),
        samples=len(samples),
        note=note,
    )


def _load_suite(path: Path) -> Any:
    from accelbench.tasks.loading import load_suite

    return load_suite(path)


def _detect_from_disk_cache() -> Any:
    from accelbench.hardware import detection

    detection._memo = None  # forget the in-process answer, as a new process would
    return detection.detect_all()


def _store_round_trip(tmp: Path) -> None:
    from accelbench.runner.result import Measurement, TaskResult
    from accelbench.storage import Store
    from accelbench.tasks import BenchmarkTask, TaskConfig

    path = tmp / f"round-trip-{time.perf_counter_ns()}.duckdb"
    task = BenchmarkTask("selfbench", TaskConfig(model="bert"))
    # this row only times the store; it is marked simulated in case the file is ever kept
    m = Measurement(
        model="bert",
        size="tiny",
        hardware="cpu",
        backend="pytorch",
        precision="fp32",
        batch_size=1,
        sequence_length=128,
        status="failed",
        error="self-benchmark round-trip row",
        is_simulated=True,
        simulation_reason="accelbench self-benchmark: store timing only",
    )
    store = Store(path)
    run_id = store.create_run("self-benchmark")
    store.write_task_result(run_id, task, TaskResult("selfbench", "failed", measurements=[m]))
    rows = store.query("SELECT count(*) AS n FROM performance_results WHERE run_id = ?", [run_id])
    if rows[0]["n"] != 1:
        raise RuntimeError(f"store round-trip read back {rows[0]['n']} rows, expected 1")
    path.unlink()


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "<0.01" if value < 0.01 else f"{value:.2f}"


def _markdown_lines(r: SelfBenchReport) -> list[str]:
    s, p = r.system, r.parallel
    ok_imports = [t for t in r.imports if t.ok]
    top = next((t for t in r.imports if t.name == "accelbench"), None)
    heavy = [t for t in r.imports if t.note]
    lines = [
        "# accelbench Package Benchmark Report",
        "",
        "## Summary",
        "",
        f"Measured on {s['platform']} ({s['processor']}, {s['cpus']} CPUs) at {r.created_at}. "
        f"{len(ok_imports)} of {len(r.imports)} modules imported; `import accelbench` took "
        f"{_ms(top.median_ms if top else None)} ms (goal: <= 5 ms above `python -c pass`). "
        f"Parallel loading succeeded {p['successes']} of {p['attempts']} times.",
        "",
        "## System Information",
        "",
        *[f"- **{k.replace('_', ' ').title()}:** {v}" for k, v in s.items()],
        "",
        "## Module Loading Performance",
        "",
        "Each module imported in a fresh interpreter (time of the `import` statement, parents included), "
        "median of the samples.",
        "",
        "| Module | Status | Load Time (ms) | Min | Max | Samples | Heavy modules pulled in |",
        "|--------|--------|----------------|-----|-----|---------|-------------------------|",
    ]
    for t in r.imports:
        status = "✅" if t.ok else f"❌ {t.error}"
        lines.append(
            f"| {t.name} | {status} | {_ms(t.median_ms)} | {_ms(t.min_ms)} | {_ms(t.max_ms)} | "
            f"{t.samples} | {t.note.removeprefix('pulls in ') or 'none'} |"
        )
    if ok_imports:
        avg = statistics.fmean(t.median_ms for t in ok_imports if t.median_ms is not None)
        lines += ["", f"**Average Load Time:** {avg:.2f} ms"]
    if heavy:
        lines += [
            "",
            "Modules that import heavy dependencies at import time: "
            + ", ".join(f"`{t.name}` ({t.note})" for t in heavy),
        ]
    lines += [
        "",
        "## Basic Operations Performance",
        "",
        "| Operation | Status | Execution Time (ms) | Min | Max | Samples |",
        "|-----------|--------|---------------------|-----|-----|---------|",
    ]
    for t in r.operations:
        status = "✅" if t.ok else f"❌ {t.error}"
        lines.append(
            f"| {t.name} | {status} | {_ms(t.median_ms)} | {_ms(t.min_ms)} | {_ms(t.max_ms)} | {t.samples} |"
        )
    lines += [
        "",
        "## Parallel Loading Performance",
        "",
        f"`import {p['module']}` in a fresh interpreter, started from {p['threads']} threads × "
        f"{p['iterations']} iterations at once:",
        "",
        f"- **Success Rate:** {p['success_rate'] * 100:.0f}% ({p['successes']}/{p['attempts']})",
        f"- **Average Load Time:** {_ms(p['avg_ms'])} ms",
        f"- **Minimum Load Time:** {_ms(p['min_ms'])} ms",
        f"- **Maximum Load Time:** {_ms(p['max_ms'])} ms",
        "",
        "## Hardware Detection",
        "",
        "Cold detection time of each platform detector (ms), this run:",
        "",
        "| Platform | Detect (ms) |",
        "|----------|-------------|",
        *[f"| {name} | {_ms(ms)} |" for name, ms in r.detectors.items()],
        "",
        "## Testing Methodology",
        "",
        "Produced by `accelbench self-benchmark`. Import times: `time.perf_counter()` around the "
        "import statement in a new `python -c` process (interpreter start-up excluded). Operations: "
        "median of repeated calls after one untimed call, in this process. The figures depend on "
        "how busy the machine was; compare them only with runs on the same machine.",
    ]
    return lines
