"""Suite files: loading in three formats, validation errors that name file/task/field, ordering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accelbench.errors import InputError
from accelbench.hardware.info import HardwareInfo
from accelbench.tasks import (
    BenchmarkSuite,
    BenchmarkTask,
    HardwareRequirements,
    TaskConfig,
    create_precision_sweep_task,
    generate_matrix,
    generate_precision_sweep_suite,
)
from accelbench.tasks.loading import load_suite

YAML_SUITE = """
name: demo
version: "1.2"
defaults: {size: tiny, iterations: 30}
tasks:
  - name: bert_cpu
    priority: 2
    config: {model: bert, hardware: cpu, batch_sizes: [1, 8], precision_formats: [fp32, int8]}
  - name: t5_cpu
    config: {model: t5, hardware: cpu}
    dependencies: [bert_cpu]
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_json_toml_load_the_same_suite(tmp_path):
    import yaml

    data = yaml.safe_load(YAML_SUITE)
    toml = (
        'name = "demo"\nversion = "1.2"\n[defaults]\nsize = "tiny"\niterations = 30\n'
        '[[tasks]]\nname = "bert_cpu"\npriority = 2\n[tasks.config]\nmodel = "bert"\nhardware = "cpu"\n'
        'batch_sizes = [1, 8]\nprecision_formats = ["fp32", "int8"]\n'
        '[[tasks]]\nname = "t5_cpu"\ndependencies = ["bert_cpu"]\n[tasks.config]\nmodel = "t5"\nhardware = "cpu"\n'
    )
    suites = [
        load_suite(_write(tmp_path, "s.yaml", YAML_SUITE)),
        load_suite(_write(tmp_path, "s.json", json.dumps(data))),
        load_suite(_write(tmp_path, "s.toml", toml)),
    ]
    dicts = [s.to_dict() for s in suites]
    assert dicts[0] == dicts[1] == dicts[2]
    bert = suites[0].task("bert_cpu")
    assert bert.config.iterations == 30 and bert.config.batch_sizes == [1, 8]
    assert bert.config.backend == "pytorch"
    assert [t.name for t in suites[0].topological_order()] == ["bert_cpu", "t5_cpu"]


@pytest.mark.parametrize(
    ("config", "field", "expect"),
    [
        ("{model: bertt}", "config.model", "'bertt' is not one of"),
        ("{model: bert, size: huge}", "config.size", "unknown size 'huge'"),
        ("{model: bert, hardware: tpu}", "config.hardware", "'tpu' is not one of"),
        ("{model: bert, precision_formats: [fp8]}", "config.precision_formats.0", "'fp8' is not one of"),
        ("{model: bert, batch_sizes: [0]}", "config.batch_sizes.0", "0 must be >= 1"),
        ("{model: bert, batch_sizes: one}", "config.batch_sizes", "is not of type 'array'"),
        ("{model: bert, iterations: 2.5}", "config.iterations", "is not of type 'integer'"),
    ],
)
def test_bad_task_names_file_task_and_field(tmp_path, config, field, expect):
    path = _write(tmp_path, "bad.yaml", f"name: s\ntasks:\n  - name: mytask\n    config: {config}\n")
    with pytest.raises(InputError) as exc:
        load_suite(path)
    msg = str(exc.value)
    assert str(path) in msg and "task 'mytask'" in msg and f"field '{field}'" in msg and expect in msg
    assert exc.value.exit_code == 2


@pytest.mark.parametrize(
    ("tasks", "expect"),
    [
        ("- {name: a, config: {model: bert}}\n  - {name: a, config: {model: t5}}", "duplicate task name"),
        ("- {name: a, config: {model: bert}, dependencies: [zz]}", "depends on missing task 'zz'"),
        (
            "- {name: a, config: {model: bert}, dependencies: [b]}\n  - {name: b, config: {model: t5}, dependencies: [a]}",
            "dependency cycle among a, b",
        ),
    ],
)
def test_structural_errors(tmp_path, tasks, expect):
    path = _write(tmp_path, "s.yaml", f"name: s\ntasks:\n  {tasks}\n")
    with pytest.raises(InputError, match=expect):
        load_suite(path)


def test_unparseable_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="cannot parse YAML"):
        load_suite(_write(tmp_path, "s.yaml", "name: [unclosed"))
    with pytest.raises(InputError, match="unknown suite format '.xml'"):
        load_suite(_write(tmp_path, "s.xml", "<a/>"))
    with pytest.raises(InputError, match="no such file"):
        load_suite(tmp_path / "missing.yaml")


def test_order_is_dependencies_then_priority_then_longest_first():
    def task(name, priority, minutes, deps=()):
        return BenchmarkTask(
            name,
            TaskConfig(model="bert"),
            priority=priority,
            estimated_time_minutes=minutes,
            dependencies=list(deps),
        )

    suite = BenchmarkSuite(
        "s", [task("short", 1, 1), task("long", 1, 5), task("low", 3, 50), task("after_low", 1, 1, ["low"])]
    )
    assert [t.name for t in suite.topological_order()] == ["long", "short", "low", "after_low"]


def test_matrix_and_precision_sweep():
    suite = generate_matrix(["bert", "t5"], ["cpu", "openvino"], ["fp32", "int8"], [1, 8])
    assert len(suite.tasks) == 8
    assert {t.config.backend for t in suite.tasks} == {"pytorch", "openvino"}
    assert all(t.config.batch_sizes == [1, 8] for t in suite.tasks)
    sweep = create_precision_sweep_task("bert", "cuda")
    assert sweep.config.batch_sizes == [1, 2, 4, 8, 16, 32]
    assert sweep.requirements.min_compute_capability == 7.5 and sweep.requirements.exclusive_access
    chained = generate_precision_sweep_suite(["bert", "t5"], ["cpu"])
    assert chained.tasks[1].dependencies == [chained.tasks[0].id]


def test_requirements_matching_names_the_reason():
    gpu = HardwareInfo(
        "cuda", True, device_name="A100", memory_gb=40, compute_capability=8.0, driver_version="12.2"
    )
    req = HardwareRequirements(
        ["cuda"], min_memory_gb=16, min_compute_capability=7.5, driver_version_constraints=">=11.8"
    )
    assert req.is_met_by(gpu) == (True, "")
    old = HardwareInfo(
        "cuda", True, memory_gb=40, compute_capability=8.0, driver_version="470.1", runtime_version="11.4"
    )
    assert req.is_met_by(old) == (False, "needs driver >=11.8, has 11.4")
    small = HardwareInfo("cuda", True, memory_gb=8, compute_capability=8.0, runtime_version="12.2")
    assert "needs >= 16 GB" in req.is_met_by(small)[1]
    assert req.is_met_by(HardwareInfo("cpu", True))[1] == "needs cuda, worker has cpu"
    missing = HardwareInfo("cuda", False, reason="no NVIDIA driver")
    assert req.is_met_by(missing) == (False, "cuda not available: no NVIDIA driver")


def test_schema_lists_every_family_and_platform():
    from accelbench.models.catalog import FAMILIES
    from accelbench.tasks.schema import suite_schema

    config = suite_schema()["properties"]["tasks"]["items"]["properties"]["config"]["properties"]
    assert config["model"]["enum"] == list(FAMILIES)
    assert config["hardware"]["enum"] == ["cpu", "cuda", "rocm", "mps", "openvino", "qnn", "webnn", "webgpu"]


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parents[2] / "suites").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_committed_suites_load_and_expand_to_tasks(path):
    suite = load_suite(path)  # validates families, sizes, backends and precisions
    assert suite.tasks and all(t.name for t in suite.tasks)
