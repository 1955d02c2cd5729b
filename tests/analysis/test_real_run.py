"""A real tiny model measured twice through the real runner; the second run is deliberately slowed.

How it is slowed, honestly: the same task (same model, size, backend, precision, batch size,
sequence length and 2 threads, so the same matching key) is run a second time with its process
confined to one CPU (`cpu_set=[0]`). Two intra-op threads then share one core, which is a real,
large slowdown of the same configuration (about 7x measured here); `cpu_set` is not part of the
matching key, exactly like an environment change that a pull request could cause.
"""

from __future__ import annotations

import json
import os

import pytest

from accelbench.analysis.verdicts import validate_and_store
from accelbench.cli.main import cli

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="needs 2 CPUs to confine the slowed run to one of them"
)


def test_compare_catches_a_deliberately_slowed_real_run(store, db_path, cli_runner):
    from accelbench.runner import run_task_isolated
    from accelbench.tasks.task import BenchmarkTask, TaskConfig

    config = TaskConfig(
        model="bert",
        size="tiny",
        threads=2,
        batch_sizes=[4],
        iterations=30,
        min_iterations=20,
        max_time_seconds=2.0,
        warmup_iterations=3,
        target_ci_percent=1.0,
        audit=False,
    )
    task = BenchmarkTask("bert-tiny-cpu", config)
    ids = {}
    for commit, cpu_set in (("a" * 40, None), ("b" * 40, [0])):
        result = run_task_isolated(task, cpu_set=cpu_set)
        assert result.status == "success", result.error
        run_id = store.create_run("real", environment={"git_commit": commit, "git_branch": "main"})
        ids[commit] = store.write_task_result(run_id, task, result)
        store.finish_run(run_id, "completed")
    verdicts = validate_and_store(store, ids["a" * 40] + ids["b" * 40])
    assert [v.samples >= 20 for v in verdicts] == [True, True]
    store.close()
    out = cli_runner.invoke(
        cli,
        [
            "compare",
            "--db",
            str(db_path),
            "--baseline",
            "aaaaaaa",
            "--format",
            "json",
            "--no-notify",
            "--fail-on",
            "major",
        ],
    )
    assert out.exit_code == 1, out.output
    (c,) = json.loads(out.output)["comparisons"]
    assert c["status"] == "regression" and c["severity"] == "critical" and c["change"] > 0.25
    assert c["p_value"] < 1e-3  # two separate distributions: every current sample is slower
