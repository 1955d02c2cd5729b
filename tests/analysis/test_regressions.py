"""Regression detection: power and false-positive rate on seeded trials, and `accelbench compare`."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from accelbench.analysis.baselines import resolve_baseline
from accelbench.analysis.regressions import classify_change, severity_of
from accelbench.analysis.synthetic import insert_synthetic_run, lognormal_latencies_ns
from accelbench.cli.main import cli

TRIALS = 300


def test_detects_10_percent_slowdown_at_3_percent_noise():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(TRIALS):
        base = lognormal_latencies_ns(rng, 30, 10.0, 0.03)
        cur = lognormal_latencies_ns(rng, 30, 11.0, 0.03)
        hits += classify_change(cur, base)[0] == "regression"
    assert hits / TRIALS >= 0.95


def test_a_a_comparison_rarely_raises_a_regression():
    rng = np.random.default_rng(1)
    false = sum(
        classify_change(
            lognormal_latencies_ns(rng, 30, 10.0, 0.03), lognormal_latencies_ns(rng, 30, 10.0, 0.03)
        )[0]
        == "regression"
        for _ in range(TRIALS)
    )
    assert false / TRIALS <= 0.05


@pytest.mark.parametrize(
    ("change", "severity"), [(0.05, "minor"), (0.10, "major"), (0.249, "major"), (-0.3, "critical")]
)
def test_severity_thresholds(change, severity):
    assert severity_of(change) == severity


def compare(cli_runner, db_path, *args):
    return cli_runner.invoke(
        cli, ["compare", "--db", str(db_path), "--include-simulated", "--no-notify", *args]
    )


def test_compare_reports_regression_and_improvement(two_runs, db_path, store, cli_runner):
    base, cur = two_runs
    store.close()
    result = compare(cli_runner, db_path, "--baseline", str(base), "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    status = {c["key"]["model_name"]: (c["status"], c["severity"]) for c in report["comparisons"]}
    assert status == {
        "bert": ("regression", "critical"),
        "t5": ("improvement", "major"),
        "vit": ("unchanged", None),
        "gpt2": ("unchanged", None),
    }
    assert report["current_run_id"] == cur and report["include_simulated"] is True


def test_fail_on_critical_and_never(two_runs, db_path, store, cli_runner):
    store.close()
    assert compare(cli_runner, db_path, "--baseline", "1", "--fail-on", "critical").exit_code == 1
    assert compare(cli_runner, db_path, "--baseline", "1", "--fail-on", "never").exit_code == 0


def test_markdown_is_a_pr_comment(two_runs, db_path, store, cli_runner):
    store.close()
    result = compare(cli_runner, db_path, "--baseline", "main", "--format", "markdown")
    md = result.output
    assert md.startswith("### accelbench: run 2 vs run 1, the latest on branch main")
    assert "| bert-tiny cpu/pytorch fp32 bs1 seq128 t2 |" in md and "critical" in md
    assert "<details>" in md and "is_simulated" in md


def test_baseline_by_commit_prefix_and_window(two_runs, store):
    base, cur = two_runs
    assert resolve_baseline(store, "aaaaaaa", current_run_id=cur).run_id == base
    window = resolve_baseline(store, "last-7d", current_run_id=cur)
    assert window.kind == "window" and window.window_hours == 168


def test_baseline_by_git_ref(tmp_path, make_run, store):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run([*git, "tag", "v1"], check=True)
    sha = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    rng = np.random.default_rng(0)
    base, _ = make_run(rng, {"bert": 1.0}, git_commit=sha)
    cur, _ = make_run(rng, {"bert": 1.0})
    assert resolve_baseline(store, "v1", current_run_id=cur, repo_dir=str(repo)).run_id == base


def test_unknown_baseline_is_an_input_error(two_runs, db_path, store, cli_runner):
    store.close()
    result = compare(cli_runner, db_path, "--baseline", "no-such-branch")
    assert result.exit_code == 2 and "cannot resolve baseline 'no-such-branch'" in result.output


def test_failed_current_result_is_a_critical_regression(make_run, store):
    from accelbench.analysis.baselines import Baseline
    from accelbench.analysis.regressions import compare_runs

    base, _ = make_run(np.random.default_rng(0), {"bert": 1.0, "t5": 1.0})
    cur, _ = insert_synthetic_run(store, [{"model_name": "bert", "status": "failed"}, {"model_name": "vit"}])
    report = compare_runs(store, cur, Baseline("run", "run 1", run_id=base), include_simulated=True)
    assert [(c.key["model_name"], c.status, c.severity) for c in report.comparisons] == [
        ("bert", "failed", "critical")
    ]
    assert len(report.unmatched_result_ids) == 1 and report.fails("critical")


def test_simulated_rows_are_ignored_unless_asked(two_runs, db_path, store, cli_runner):
    store.close()
    result = cli_runner.invoke(cli, ["compare", "--db", str(db_path), "--baseline", "1", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["comparisons"] == []


def test_threshold_parsing(two_runs, db_path, store, cli_runner):
    store.close()
    # 35 % is above bert's 30 % slowdown: nothing counts as a regression.
    assert compare(cli_runner, db_path, "--baseline", "1", "--threshold", "35%").exit_code == 0
    assert compare(cli_runner, db_path, "--baseline", "1", "--threshold", "abc").exit_code == 2
