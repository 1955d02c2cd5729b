"""The coordinator killed mid-run, then resumed: every task ends with exactly one stored result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from exec_helpers import results_per_task

from accelbench.execution import run_suite
from accelbench.execution.probes import SleepProbe

COORDINATOR = textwrap.dedent("""
    import sys
    from accelbench.execution import run_suite
    from accelbench.execution.probes import SleepProbe
    from accelbench.storage import Store
    from accelbench.tasks import BenchmarkSuite, BenchmarkTask, TaskConfig

    db, marker = sys.argv[1], sys.argv[2]
    tasks = [BenchmarkTask(name=f"t{i:02d}", config=TaskConfig(model="bert", seed=i)) for i in range(12)]
    tasks[11].dependencies = ["t00"]
    run_suite(BenchmarkSuite(name="resumable", tasks=tasks), Store(db), workers=1, flush_interval_s=0.01,
              task_fn=SleepProbe(0.25, marker_dir=marker))
""")


def test_killed_coordinator_resumes_without_running_or_storing_anything_twice(store, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", COORDINATOR, store.path, str(first)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log = first / "order.log"
            if log.exists() and len(log.read_text().splitlines()) >= 5:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # no chance to finish or flush
    finally:
        proc.wait(30)
    before = results_per_task(store, 1)
    assert 0 < len(before) < 12, before
    assert store.query("SELECT status FROM test_runs") == [{"status": "running"}]

    summary = run_suite(
        None, store, resume_run_id=1, workers=1, task_fn=SleepProbe(0.0, marker_dir=str(second))
    )

    rerun = {line.split()[0] for line in (second / "order.log").read_text().splitlines()}
    assert not rerun & set(before), "a task with a stored result ran again"
    assert results_per_task(store, 1) == {f"t{i:02d}": 1 for i in range(12)}
    assert summary.run_id == 1 and summary.exit_code == 0 and summary.skipped_tasks == len(before)
    assert store.query("SELECT status FROM test_runs") == [{"status": "completed"}]
    assert store.query("SELECT completion_percentage FROM distributed_benchmark_runs") == [
        {"completion_percentage": 100.0}
    ]


def test_resume_of_unknown_run_is_a_clear_input_error(store):
    import pytest

    from accelbench.errors import InputError

    with pytest.raises(InputError, match="no run 7"):
        run_suite(None, store, resume_run_id=7, task_fn=SleepProbe())
