"""The CLI around the core: bad input exits 2 without touching the database; results, db, report."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accelbench.cli.main import COMMANDS, cli
from accelbench.runner.result import LatencyStats, Measurement, TaskResult
from accelbench.tasks import BenchmarkTask, TaskConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--models", "bertt"], "field '--models': 'bertt' is not one of"),
        (["--models", "bert", "--batch-sizes", "0"], "field '--batch-sizes': 0 must be > 0"),
        (["--models", "bert", "--batch-sizes", "x"], "field '--batch-sizes': 'x' is not an integer"),
        (["--models", "bert", "--precision", "fp9"], "field '--precision': 'fp9' is not one of"),
        (["--models", "bert", "--hardware", "tpu"], "field '--hardware': 'tpu' is not one of"),
        (["--models", "bert", "--sizes", "huge"], "unknown size 'huge' for bert"),
        ([], "give --models"),
        # ran, then lost its result: the row's INT32 column could not hold it
        (["--models", "bert", "--sequence-length", str(10**12)], "field '--sequence-length'"),
        (["--models", "bert", "--workers", "0"], "Invalid value for '--workers'"),
        (["--resume", "1"], "no such database to resume run 1 from"),
        (["--models", "bert", "--batch-sizes", "1,,2"], "field '--batch-sizes': '1,,2' has an empty item"),
    ],
)
def test_bad_run_input_exits_2_and_creates_no_database(cli_runner, db_path, args, expect):
    result = cli_runner.invoke(cli, ["run", *args, "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert expect in result.output
    assert not db_path.exists()


def test_bad_suite_file_exits_2_naming_file_task_field(cli_runner, db_path, tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text("name: s\ntasks:\n  - name: t1\n    config: {model: bert, precision_formats: [fp33]}\n")
    result = cli_runner.invoke(cli, ["run", "--suite", str(suite), "--db", str(db_path)])
    assert result.exit_code == 2
    assert f"{suite}, task 't1', field 'config.precision_formats.0'" in result.output
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        # applied after validation, these used to store a failed row or run on 2 threads
        (["--iterations", "0"], "field '--iterations': 0 must be >= 1"),
        (["--threads", "0"], "field '--threads': 0 must be >= 1"),
        (["--timeout-minutes", "-1"], "field '--timeout-minutes'"),
        # silently ignored before: the suite's own models and batch sizes ran
        (["--models", "t5"], "--models cannot be combined with --suite"),
        (["--batch-sizes", "4"], "--batch-sizes cannot be combined with --suite"),
    ],
)
def test_options_given_with_a_suite_are_validated_or_refused(cli_runner, db_path, tmp_path, args, expect):
    suite = tmp_path / "s.yaml"
    suite.write_text("name: s\ntasks:\n  - name: t1\n    config: {model: bert, batch_sizes: [1]}\n")
    result = cli_runner.invoke(cli, ["run", "--suite", str(suite), *args, "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert expect in result.output
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("name: s\ntasks: []\n", "field 'tasks'"),
    ],
)
def test_suites_that_cannot_run_as_written_are_refused(cli_runner, db_path, tmp_path, text, expect):
    suite = tmp_path / "s.yaml"
    suite.write_text(text)
    result = cli_runner.invoke(cli, ["run", "--suite", str(suite), "--db", str(db_path)])
    assert result.exit_code == 2 and expect in result.output, result.output
    assert not db_path.exists()


def test_a_path_that_is_not_an_accelbench_database_is_named_not_a_traceback(cli_runner, tmp_path):
    import duckdb

    text, folder, foreign = tmp_path / "notes.duckdb", tmp_path / "folder", tmp_path / "other.duckdb"
    text.write_text("hello")
    folder.mkdir()
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE accounts (id INTEGER)")
    con.close()
    cases = [
        (text, "cannot open as a DuckDB database"),
        (folder, "cannot open as a DuckDB database"),
        (tmp_path / "no" / "such.duckdb", "such.duckdb: "),  # runs: no such database; run: cannot open
        (foreign, "a DuckDB database of something else (tables accounts)"),
    ]
    for db, expect in cases:
        for args in (["runs"], ["run", "--models", "bert", "--iterations", "3"]):
            result = cli_runner.invoke(cli, [*args, "--db", str(db)])
            assert result.exit_code == 2 and expect in result.output, (args, db, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    con = duckdb.connect(str(foreign), read_only=True)  # nobody's schema was added to it
    assert [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()] == [
        "accounts"
    ]
    con.close()
    assert not (tmp_path / "no").exists()


_TWO_RUNTIMES = """name: two
defaults: {batch_sizes: [1], sequence_length: 16, iterations: 10, min_iterations: 3,
  warmup_iterations: 1, max_time_seconds: 0.5, audit: false, threads: 1}
tasks:
  - {name: eager, config: {model: bert, backend: pytorch}}
  - {name: ort, config: {model: bert, backend: onnxruntime}}
"""


def test_suite_with_backends_runs_only_those_runtimes_tasks(cli_runner, db_path, tmp_path):
    import duckdb

    suite = tmp_path / "two.yaml"
    suite.write_text(_TWO_RUNTIMES)
    result = cli_runner.invoke(
        cli, ["run", "--suite", str(suite), "--backends", "onnxruntime", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(db_path), read_only=True) as con:
        stored = con.sql("SELECT DISTINCT task_name, backend, status FROM performance_results").fetchall()
    assert stored == [("ort", "onnxruntime", "success")]


def test_suite_with_backends_it_lacks_exits_2_naming_its_runtimes(cli_runner, db_path, tmp_path):
    suite = tmp_path / "two.yaml"
    suite.write_text(_TWO_RUNTIMES)
    result = cli_runner.invoke(
        cli, ["run", "--suite", str(suite), "--backends", "openvino", "--db", str(db_path)]
    )
    assert result.exit_code == 2
    assert (
        f"field '--backends': no task of {suite} runs on openvino; its runtimes are onnxruntime, pytorch"
        in (result.output)
    )
    assert not db_path.exists()


def test_schema_is_valid_json_schema(cli_runner):
    import jsonschema

    result = cli_runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["tasks"]["items"]["required"] == ["name", "config"]


def _fill(store):
    stats = LatencyStats(2.0, 2.0, 2.2, 2.3, 2.4, 0.1, 1.9, 2.5, 0.2, 500.0, 1.0)
    task = BenchmarkTask("bert-cpu", TaskConfig(model="bert", batch_sizes=[1, 8], precision_formats=["fp32"]))
    ms = [
        Measurement(
            "bert", "tiny", "cpu", "pytorch", "fp32", 1, 128, stats=stats, latencies_ns=[2_000_000] * 5
        ),
        Measurement(
            "bert", "tiny", "cpu", "pytorch", "fp32", 8, 128, status="unsupported", error="no int8 kernel"
        ),
    ]
    run_id = store.create_run("fill")
    store.write_task_result(
        run_id, task, TaskResult("bert-cpu", "success", ms, environment={"cpu_model": "x"})
    )
    return run_id


def test_results_filters_and_formats(cli_runner, store, db_path):
    _fill(store)
    out = cli_runner.invoke(cli, ["results", "--db", str(db_path), "--format", "json", "--batch-size", "1"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert len(rows) == 1 and rows[0]["latency_median_ms"] == 2.0 and rows[0]["status"] == "success"
    out = cli_runner.invoke(cli, ["results", "--db", str(db_path), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["status"] for r in rows] == ["success", "unsupported"]
    assert rows[1]["error_message"] == "no int8 kernel"
    out = cli_runner.invoke(cli, ["results", "--db", str(db_path)])
    assert out.exit_code == 0 and "unsupported" in out.output and "no int8 kernel" in out.output
    out = cli_runner.invoke(
        cli, ["results", "--db", str(db_path), "--run", "99"]
    )  # was an empty table, exit 0
    assert out.exit_code == 2 and "no run 99" in out.output


def test_results_on_missing_database_is_a_clear_error(cli_runner, tmp_path):
    out = cli_runner.invoke(cli, ["results", "--db", str(tmp_path / "nope.duckdb")])
    assert out.exit_code == 2 and "no such database" in out.output


def test_db_export_archive_info(cli_runner, store, db_path, tmp_path):
    _fill(store)
    out = cli_runner.invoke(
        cli, ["db", "export", "--db", str(db_path), "--format", "csv", "--output", str(tmp_path / "e")]
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "e" / "performance_results.csv").read_text().count("\n") == 3
    out = cli_runner.invoke(cli, ["db", "archive", "--older-than", "soon", "--db", str(db_path)])
    assert out.exit_code == 2 and "not a duration" in out.output
    out = cli_runner.invoke(cli, ["db", "archive", "--older-than", "90d", "--db", str(db_path)])
    assert out.exit_code == 0 and "archived 0 results" in out.output
    out = cli_runner.invoke(cli, ["db", "info", "--db", str(db_path)])
    assert out.exit_code == 0 and re.search(r"performance_results\s+2", out.output)


def test_report_html_is_self_contained_and_markdown_lists_failures(cli_runner, store, db_path, tmp_path):
    _fill(store)
    html_path = tmp_path / "r.html"
    out = cli_runner.invoke(cli, ["report", "--db", str(db_path), "--output", str(html_path)])
    assert out.exit_code == 0, out.output
    html = html_path.read_text()
    assert "<svg" in html and "Every figure on this page was measured" in html
    assert not re.search(r"(src|href)=\"https?://", html) and "<script" not in html
    md = cli_runner.invoke(cli, ["report", "--db", str(db_path), "--format", "markdown", "-o", "-"]).output
    assert "| bert | tiny | cpu | pytorch | fp32 | 1 | 1 | success | 2 |" in md
    assert "unsupported: no int8 kernel" in md


def test_every_command_has_help_with_an_example_and_is_in_the_readme(cli_runner):
    readme = (ROOT / "README.md").read_text()
    for name in COMMANDS:
        assert f"accelbench {name}" in readme, f"README does not document `accelbench {name}`"
    import click

    def leaves(command, path):
        if isinstance(command, click.Group):
            for sub in command.list_commands(None):
                yield from leaves(command.get_command(None, sub), [*path, sub])
        else:
            yield path

    for name in COMMANDS:
        for path in leaves(cli.get_command(None, name), [name]):
            out = cli_runner.invoke(cli, [*path, "--help"])
            assert out.exit_code == 0 and "Example" in out.output, (
                f"`accelbench {' '.join(path)} --help` has no example"
            )


def test_import_is_lazy():
    code = (
        "import sys, accelbench, accelbench.cli.main, accelbench.tasks, accelbench.storage, accelbench.runner;"
        "heavy = [m for m in ('torch','transformers','onnxruntime','openvino','duckdb','ray') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
