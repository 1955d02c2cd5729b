"""CLI commands of the execution area: suite validate/show/partition, runs, workers, worker start --show."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner
from exec_helpers import make_suite, make_task

from accelbench.cli.main import cli
from accelbench.execution import run_suite
from accelbench.execution.node import node_resources
from accelbench.execution.partition import partition_suite
from accelbench.execution.probes import SleepProbe
from accelbench.hardware.info import HardwareInfo
from accelbench.tasks.loading import load_suite

SUITE = {
    "name": "demo",
    "tasks": [
        {"name": "a", "config": {"model": "bert"}, "estimated_time_minutes": 5},
        {"name": "b", "config": {"model": "bert", "seed": 1}, "dependencies": ["a"]},
        {"name": "c", "config": {"model": "t5"}, "estimated_time_minutes": 3},
        {"name": "d", "config": {"model": "bert", "seed": 2}, "estimated_time_minutes": 2},
        {"name": "e", "config": {"model": "bert", "seed": 3}, "dependencies": ["b"]},
    ],
}


def _suite_file(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(SUITE))
    return path


def test_partition_keeps_dependency_chains_together_and_loses_nothing(tmp_path):
    path = _suite_file(tmp_path)
    result = CliRunner().invoke(
        cli, ["suite", "partition", str(path), "--parts", "2", "--output-dir", str(tmp_path / "parts")]
    )
    assert result.exit_code == 0, result.output
    parts = [load_suite(p) for p in sorted((tmp_path / "parts").glob("*.yaml"))]
    names = [sorted(t.name for t in p.tasks) for p in parts]
    assert sorted(sum(names, [])) == ["a", "b", "c", "d", "e"]
    assert ["a", "b", "e"] in names  # the chain a <- b <- e stays in one part (7 min vs c+d 5 min)


def test_partition_into_more_parts_than_groups_leaves_some_empty():
    suite = make_suite(make_task("a"), make_task("b", deps=["a"]))
    pieces = partition_suite(suite, 3)
    assert sorted(len(p.tasks) for p in pieces) == [0, 0, 2]


def test_suite_validate_and_show(tmp_path):
    path = _suite_file(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["suite", "validate", str(path)])
    assert ok.exit_code == 0 and "5 tasks" in ok.output
    shown = runner.invoke(cli, ["suite", "show", str(path)])
    assert shown.exit_code == 0
    order = [line.split()[3] for line in shown.output.splitlines()[1:]]
    assert order.index("a") < order.index("b") < order.index("e")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {"name": "x", "tasks": [{"name": "a", "config": {"model": "bert"}, "dependencies": ["missing"]}]}
        )
    )
    result = runner.invoke(cli, ["suite", "validate", str(bad)])
    assert result.exit_code == 2 and "depends on missing task" in result.output


def test_runs_and_workers_list_what_the_coordinator_recorded(store):
    summary = run_suite(
        make_suite(make_task("a"), make_task("b")), store, task_fn=SleepProbe(0.0, fail={"b": "oom"})
    )
    runner = CliRunner()
    out = runner.invoke(cli, ["runs", "--db", store.path, "--format", "json"])
    assert out.exit_code == 0, out.output
    (run,) = json.loads(out.output)
    assert (
        run["run_id"] == summary.run_id
        and run["status"] == "failed"
        and run["errors"] == 1
        and run["tasks"] == 2
    )
    detail = runner.invoke(
        cli, ["runs", "--db", store.path, "--run", str(summary.run_id), "--format", "json"]
    )
    tasks = {t["name"]: t["status"] for t in json.loads(detail.output)["tasks"]}
    assert tasks == {"a": "success", "b": "oom"}
    workers = json.loads(runner.invoke(cli, ["workers", "--db", store.path, "--format", "json"]).output)
    assert len(workers) == 1 and workers[0]["tasks"] == 2 and "cpu" in workers[0]["hardware"]


def test_worker_resources_describe_detected_hardware():
    cpu = HardwareInfo(hardware_type="cpu", available=True, memory_gb=31.7)
    gpu = HardwareInfo(
        hardware_type="cuda",
        available=True,
        memory_gb=80.0,
        compute_capability=8.6,
        details={"device_count": 2},
    )
    ov = HardwareInfo(hardware_type="openvino", available=True)
    assert node_resources([cpu, gpu, ov], cpu_slots=2) == {
        "accelbench:cpu": 2,
        "accelbench:cpu:memory_gb": 31,
        "accelbench:cuda": 2,
        "accelbench:cuda:memory_gb": 80,
        "accelbench:cuda:cc_x10": 86,
        "accelbench:openvino": 1,
    }
