"""Task processes fix glibc's malloc thresholds, so an eager PyTorch call reuses its memory instead
of faulting it back in on every call (the 1.7x process-to-process split in runner/allocator.py)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from accelbench.cli.main import cli
from accelbench.runner import run_task_isolated
from accelbench.runner.allocator import MMAP_THRESHOLD_BYTES
from accelbench.runner.environment import environment_fingerprint
from accelbench.tasks import BenchmarkTask, TaskConfig

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's"
)


def _qwen2_pytorch(precisions: list[str], batch_sizes: list[int], iterations: int = 10) -> BenchmarkTask:
    """qwen2-tiny on eager PyTorch at 128 tokens, one thread: the model whose int8 split in two."""
    return BenchmarkTask(
        "q",
        TaskConfig(
            model="qwen2",
            backend="pytorch",
            precision_formats=precisions,
            batch_sizes=batch_sizes,
            sequence_length=128,
            threads=1,
            iterations=iterations,
            min_iterations=3,
            warmup_iterations=1,
            max_time_seconds=1,
            audit=False,
        ),
    )


@glibc_only
def test_pytorch_int8_task_processes_reuse_their_memory_and_record_the_policy():
    # qwen2-tiny int8 at batch 8 x 128 tokens: with glibc's own thresholds 5 of 6 fresh processes
    # faulted ~900-2,500 pages back in per call and ran 1.7x slower (allocator.py)
    task = _qwen2_pytorch(["int8"], [8], iterations=20)
    for _ in range(2):  # two fresh processes
        result = run_task_isolated(task)
        (m,) = result.measurements
        assert m.status == "success", m.error
        assert m.extra["allocator"]["policy"] == "fixed"
        assert m.extra["allocator"]["mmap_threshold_bytes"] == MMAP_THRESHOLD_BYTES
        assert m.extra["minor_page_faults_per_call"] < 50
    assert result.environment["malloc"]["policy"] == "fixed"


@glibc_only
def test_system_policy_leaves_glibc_alone_and_changes_the_environment_fingerprint():
    code = (
        "import json; from accelbench.runner.allocator import apply_policy; "
        "from accelbench.runner.environment import environment_fingerprint as e; "
        "print(json.dumps([apply_policy(), e()['fingerprint']]))"
    )

    def run(policy: str) -> list:
        env = {**os.environ, "ACCELBENCH_MALLOC": policy}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout)

    (fixed, fp_fixed), (system, fp_system) = run("fixed"), run("system")
    assert fixed["policy"] == "fixed" and system == {"policy": "system"}
    # results measured under another allocator policy do not share an environment fingerprint
    assert fp_fixed != fp_system
    assert environment_fingerprint()["malloc"] == fixed


def test_a_bad_malloc_policy_exits_2_before_the_database_exists(cli_runner, db_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_MALLOC", "jemalloc")
    result = cli_runner.invoke(cli, ["run", "--models", "bert", "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert (
        "field 'ACCELBENCH_MALLOC': 'jemalloc' is not a malloc policy; use one of fixed, system"
        in result.output
    )
    assert not db_path.exists()


@glibc_only
def test_a_measurements_peak_memory_does_not_include_what_earlier_ones_freed():
    def int8_peak_mb(precisions: list[str], batch_sizes: list[int]) -> float:
        task = _qwen2_pytorch(precisions, batch_sizes)
        measured = run_task_isolated(task).measurements
        (m,) = [m for m in measured if (m.precision, m.batch_size) == ("int8", 4)]
        assert m.status == "success", m.error
        return m.memory_peak_mb

    # int8 at batch 4 measured after fp32 at batch 32 in one process: glibc kept fp32's freed
    # activations (+57 MB) until the runner handed them back before each measurement
    alone, after_fp32 = int8_peak_mb(["int8"], [4]), int8_peak_mb(["fp32", "int8"], [4, 32])
    assert abs(after_fp32 - alone) < 10.0, (alone, after_fp32)
