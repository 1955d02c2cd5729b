"""`accelbench self-benchmark`: the predecessor's report sections, measured for accelbench."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from accelbench.cli.main import cli
from accelbench.selfbench import parallel_loading, run_self_benchmark, time_import

SECTIONS = [
    "# accelbench Package Benchmark Report",
    "## Summary",
    "## System Information",
    "## Module Loading Performance",
    "## Basic Operations Performance",
    "## Parallel Loading Performance",
    "## Hardware Detection",
    "## Testing Methodology",
]


@pytest.fixture(autouse=True)
def private_hardware_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELBENCH_CACHE_DIR", str(tmp_path / "cache"))


def test_report_has_every_section_and_all_operations_succeed():
    report = run_self_benchmark(
        repeats=1, op_repeats=2, threads=2, iterations=1, modules=["accelbench", "accelbench.hardware"]
    )
    text = report.to_markdown()
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert "| accelbench | ✅ |" in text
    failed = [op.name + ": " + str(op.error) for op in report.operations if not op.ok]
    assert failed == []
    assert {op.name for op in report.operations} >= {
        "Create BenchmarkTask",
        "Detect hardware (warm, in-process)",
        "Store round-trip: 1 result into a new DuckDB file",
    }


def test_parallel_loading_5_threads_3_iterations_all_succeed():
    result = parallel_loading(threads=5, iterations=3)
    assert (result["attempts"], result["successes"], result["success_rate"]) == (15, 15, 1.0)
    assert 0 < result["min_ms"] <= result["avg_ms"] <= result["max_ms"]


def test_a_missing_module_is_reported_as_failed():
    timing = time_import("accelbench.no_such_module", repeats=1)
    assert not timing.ok and "No module named" in timing.error


def test_import_accelbench_pulls_in_no_heavy_module():
    timing = time_import("accelbench.cli.main", repeats=1)
    assert timing.ok and timing.note == ""


def test_cli_writes_markdown_and_json(tmp_path):
    out = tmp_path / "self.md"
    args = [
        "self-benchmark",
        "--repeats",
        "1",
        "--op-repeats",
        "1",
        "--threads",
        "1",
        "--iterations",
        "1",
        "--module",
        "accelbench",
    ]
    result = CliRunner().invoke(cli, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert all(s in out.read_text() for s in SECTIONS)
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["parallel"]["success_rate"] == 1.0
