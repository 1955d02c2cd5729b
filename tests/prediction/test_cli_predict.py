"""`accelbench predict` and `accelbench recommend` end to end on a Parquet dataset and a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synthetic import make_rows

from accelbench.cli.main import cli
from accelbench.prediction.dataset import export_parquet
from accelbench.tasks.loading import load_suite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A database with models trained by `predict train` (hyperparameters by grouped CV) on 32 rows."""
    from click.testing import CliRunner

    tmp = tmp_path_factory.mktemp("cli")
    data, db = tmp / "d.parquet", tmp / "p.duckdb"
    export_parquet(
        make_rows(
            families=("bert", "t5", "llama", "vit"),
            batch_sizes=(1, 2, 4, 8),
            sequence_lengths=(32, 128),
            precisions=("fp32",),
            backends=("pytorch",),
        ),
        data,
    )
    out = CliRunner().invoke(cli, ["predict", "train", "--data", str(data), "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "latency_ms: 32 rows" in out.output and "power_watts: not trained" in out.output
    return data, db


def test_predict_latency_json_and_log(cli_runner, trained):
    _, db = trained
    out = cli_runner.invoke(
        cli,
        [
            "predict",
            "latency",
            "--model",
            "bert",
            "--batch-size",
            "4",
            "--sequence-length",
            "32",
            "--json",
            "--db",
            str(db),
        ],
    )
    assert out.exit_code == 0, out.output
    p = json.loads(out.output)
    assert p["lower"] < p["predicted_value"] < p["upper"] and p["in_domain"] and p["nearest_measured"]
    out = cli_runner.invoke(cli, ["predict", "verify", "--db", str(db)])
    assert out.exit_code == 0 and "verified 0 new prediction(s)" in out.output


def test_suggest_writes_a_suite_the_loader_accepts(cli_runner, trained, tmp_path):
    _, db = trained
    suite = tmp_path / "next.yaml"
    out = cli_runner.invoke(
        cli, ["predict", "suggest", "--budget", "3", "--output", str(suite), "--db", str(db)]
    )
    assert out.exit_code == 0, out.output
    tasks = load_suite(suite).tasks
    assert sum(len(t.config.batch_sizes) for t in tasks) == 3
    assert all(t.config.model in ("bert", "t5", "llama", "vit") for t in tasks)


def test_recommendations_and_their_errors(cli_runner, trained):
    _, db = trained
    base = ["--model", "bert", "--db", str(db)]
    out = cli_runner.invoke(cli, ["recommend", "hardware", *base, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["recommended"][0]["hardware_type"] == "cpu"
    out = cli_runner.invoke(cli, ["recommend", "hardware", *base, "--max-latency-ms", "0.001"])
    assert (
        out.exit_code == 2
        and "no option meets {'max_latency_ms': 0.001}; closest: cpu/pytorch/fp32" in out.output
    )
    out = cli_runner.invoke(cli, ["recommend", "hardware", *base, "--max-power-watts", "50"])
    assert out.exit_code == 2 and "cannot check max_power_watts: no model for power_watts" in out.output
    out = cli_runner.invoke(
        cli,
        ["recommend", "batch-size", *base, "--sequence-length", "32", "--max-latency-ms", "1000", "--json"],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["batch_size"] >= 4
    out = cli_runner.invoke(
        cli, ["recommend", "cost", *base, "--prices", str(ROOT / "data/prices.yaml"), "--json"]
    )
    assert out.exit_code == 0, out.output
    cost = json.loads(out.output)
    assert "aws-g5.xlarge" in cost["not_priced"]  # no GPU measured: no made-up cost
    assert {r["instance"] for r in cost["priced"]} == {"aws-c7i.large", "gcp-n2-standard-2"}
    for r in cost["priced"]:
        assert r["usd_per_million"] == pytest.approx(
            r["hourly_usd"] / (r["throughput_items_per_second"] * 3600) * 1e6
        )
        assert r["price_verified"] is False and r["price_source"].startswith("https://")


def test_evaluate_prints_every_split(cli_runner, trained):
    data, _ = trained
    out = cli_runner.invoke(cli, ["predict", "evaluate", "--data", str(data), "--targets", "latency_ms"])
    assert out.exit_code == 0, out.output
    assert "leave-one-hardware-out needs >= 3" in out.output and "batch_beyond_range" in out.output
    assert "repeat-measurement noise latency_ms: no configuration measured twice" in out.output


def test_training_without_data_is_a_clear_error(cli_runner, tmp_path):
    out = cli_runner.invoke(cli, ["predict", "train", "--db", str(tmp_path / "empty.duckdb")])
    assert out.exit_code == 2 and "no successful measured results" in out.output
    out = cli_runner.invoke(cli, ["predict", "evaluate", "--data", str(tmp_path / "nope.parquet")])
    assert out.exit_code == 2 and "no such file" in out.output


def test_data_may_name_a_folder_of_parquet_files(cli_runner, trained, tmp_path):
    data, _ = trained
    # `--data data/reference/*.parquet` expands to several words, which one option cannot take
    out = cli_runner.invoke(
        cli, ["predict", "evaluate", "--data", str(data.parent), "--targets", "latency_ms"]
    )
    assert out.exit_code == 0, out.output
    assert "prediction evaluation on 32 rows" in out.output
    out = cli_runner.invoke(cli, ["predict", "evaluate", "--data", str(tmp_path)])
    assert out.exit_code == 2 and "no *.parquet files in this folder" in out.output


def _fails(cli_runner, args, *expected):
    out = cli_runner.invoke(cli, args)
    assert out.exit_code == 2, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception  # no traceback
    for text in expected:
        assert text in out.output, out.output
    return out


def test_bad_questions_are_the_users_error_not_a_crash_or_a_number(cli_runner, trained):
    _, db = trained
    base = ["--model", "bert", "--db", str(db)]
    latency = ["predict", "latency", *base, "--no-log"]
    _fails(cli_runner, [*latency, "--batch-size", str(10**12)], "field 'batch_size'", "between 1 and 1024")
    _fails(cli_runner, [*latency, "--batch-size", "1024", "--sequence-length", "512"], "x sequence_length")
    _fails(cli_runner, [*latency, "--threads", "-1"], "field 'threads'", "must be >= 1")
    # recommend cost: a bad question is raised once, not listed under every instance with exit 0
    prices = ["--prices", str(ROOT / "data/prices.yaml")]
    _fails(cli_runner, ["recommend", "cost", *base, *prices, "--batch-size", "0"], "field 'batch_size'")
    _fails(cli_runner, ["recommend", "cost", "--model", "bertt", "--db", str(db), *prices], "'bertt'")
    _fails(cli_runner, ["recommend", "cost", *base, *prices, "--max-latency-ms", "-1"], "max_latency_ms")
    _fails(cli_runner, ["recommend", "hardware", *base, "--max-latency-ms", "nan"], "finite number > 0")
    _fails(cli_runner, ["recommend", "batch-size", *base, "--max-latency-ms", "nan"], "finite number > 0")
    _fails(cli_runner, ["recommend", "hardware", *base, "--precision", "int4"], "field 'precision'")
    # batch-size chooses the batch size: it takes no --batch-size to ignore
    _fails(cli_runner, ["recommend", "batch-size", *base, "--batch-size", "4", "--max-latency-ms", "5"])
    out = cli_runner.invoke(cli, ["recommend", "batch-size", *base, "--max-latency-ms", "1e9"])
    assert out.exit_code == 0 and "128 is the largest batch size tried" in out.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2\nb: :\n", "not valid YAML"),
        ("- 1\n- 2\n", "field 'instances'"),
        ("instances:\n  - foo\n", "instance 0: expected a mapping"),
        (
            "instances:\n  - {name: x, hardware_type: cpu, hourly_usd: .nan, source: s, date: 2026-01-01}\n",
            "instance x, field 'hourly_usd': must be a finite number > 0",
        ),
        (
            "instances:\n  - {name: x, hardware_type: tpuu, hourly_usd: 1, source: s, date: 2026-01-01}\n",
            "instance x, field 'hardware_type': unknown hardware 'tpuu'",
        ),
    ],
)
def test_a_malformed_price_table_is_named(cli_runner, trained, tmp_path, text, expected):
    _, db = trained
    prices = tmp_path / "prices.yaml"
    prices.write_text(text)
    _fails(
        cli_runner,
        ["recommend", "cost", "--model", "bert", "--db", str(db), "--prices", str(prices)],
        expected,
    )


def test_paths_are_checked_before_the_work_and_nothing_is_created(cli_runner, trained, tmp_path):
    data, db = trained
    bad = tmp_path / "bad.parquet"
    bad.write_text("x")
    new_db = tmp_path / "new.duckdb"
    _fails(
        cli_runner,
        ["predict", "train", "--db", str(new_db), "--data", str(bad)],
        "bad.parquet: not a readable Parquet",
    )
    missing_dir = tmp_path / "no" / "such"
    _fails(
        cli_runner,
        ["predict", "train", "--db", str(missing_dir / "x.duckdb"), "--data", str(data)],
        "field '--db'",
        "does not exist",
    )
    _fails(
        cli_runner,
        ["predict", "suggest", "--budget", "2", "--output", str(missing_dir / "s.yaml"), "--db", str(db)],
        "field '--output'",
    )
    _fails(cli_runner, ["predict", "verify", "--db", str(tmp_path / "missing.duckdb")], "no such database")
    assert not new_db.exists() and not (tmp_path / "missing.duckdb").exists() and not missing_dir.exists()
