"""Change points (PELT) on seeded series, `accelbench history`, and cross-platform correlation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accelbench.analysis.changepoints import detect_change_points
from accelbench.analysis.correlation import spearman
from accelbench.analysis.synthetic import insert_synthetic_run, lognormal_latencies_ns
from accelbench.cli.main import cli


@pytest.mark.parametrize("step_at", [10, 25, 40])
def test_planted_change_point_is_located_within_one_run(step_at):
    rng = np.random.default_rng(step_at)
    values = 10.0 * (1 + 0.02 * rng.standard_normal(50))
    values[step_at:] *= 1.10
    cps = detect_change_points(values)
    assert len(cps) == 1 and abs(cps[0] - step_at) <= 1


def test_flat_noisy_series_has_no_change_point():
    rng = np.random.default_rng(5)
    false = sum(bool(detect_change_points(10.0 * (1 + 0.02 * rng.standard_normal(40)))) for _ in range(50))
    assert false <= 3


def test_history_dates_the_change_and_names_the_commit(store, db_path, cli_runner):
    rng = np.random.default_rng(0)
    for i in range(12):
        factor = 1.0 if i < 7 else 1.2
        insert_synthetic_run(
            store,
            [{"latencies_ns": lognormal_latencies_ns(rng, 30, 10.0 * factor, 0.02)}],
            git_commit=f"{i:040x}",
            started_at=f"2025-06-{i + 1:02d} 12:00:00",
        )
    store.close()
    args = ["history", "--db", str(db_path), "--model", "bert", "--hardware", "cpu", "--include-simulated"]
    out = cli_runner.invoke(cli, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    (series,) = json.loads(out.output)
    (cp,) = series["change_points"]
    assert cp["run_id"] == 8 and cp["git_commit"] == f"{7:040x}" and cp["started_at"].startswith("2025-06-08")
    text = cli_runner.invoke(cli, args).output
    assert "change at run 8 (2025-06-08 12:00:00, commit 000000000000)" in text


def test_spearman_exact():
    assert spearman([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0])[0] == pytest.approx(1.0)
    assert spearman([1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0])[0] == pytest.approx(-1.0)
    assert spearman([1.0, 2.0], [1.0, 2.0]) == (None, None)


def test_correlate_platforms(store, db_path, cli_runner):
    rng = np.random.default_rng(0)
    models = {"bert": 1.0, "t5": 2.0, "vit": 3.0, "gpt2": 4.0}
    rows = [
        {
            "model_name": m,
            "hardware_type": hw,
            "latencies_ns": lognormal_latencies_ns(rng, 20, f * scale, 0.01),
        }
        for m, f in models.items()
        for hw, scale in (("cpu", 10.0), ("cuda", 1.0))
    ]
    insert_synthetic_run(store, rows)
    store.close()
    out = cli_runner.invoke(
        cli,
        [
            "compare",
            "--db",
            str(db_path),
            "--correlate",
            "cpu,cuda",
            "--include-simulated",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    corr = json.loads(out.output)
    assert corr["pairs"] == 4 and corr["rho"] == pytest.approx(1.0)
