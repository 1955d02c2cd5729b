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
