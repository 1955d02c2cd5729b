"""db merge: several coordinators' databases into one, duplicates resolved by the stated rule."""

from __future__ import annotations

import pytest
from exec_helpers import make_suite, make_task

from accelbench.errors import InputError
from accelbench.execution import run_suite
from accelbench.execution.probes import SleepProbe
from accelbench.storage import Store
from accelbench.storage.merge import merge_databases


def _db(path, names, fail=None):
    store = Store(path)
    run_suite(
        make_suite(*[make_task(n) for n in names], name="shared"),
        store,
        workers=1,
        task_fn=SleepProbe(0.0, fail=fail or {}),
    )
    return store


def test_merge_keeps_every_result_once_and_prefers_the_more_complete(tmp_path):
    _db(tmp_path / "a.duckdb", ["a", "b"], fail={"b": "crashed"})
    _db(tmp_path / "b.duckdb", ["b", "c"])
    report = merge_databases(tmp_path / "out.duckdb", [tmp_path / "a.duckdb", tmp_path / "b.duckdb"])
    out = Store(tmp_path / "out.duckdb")
    rows = out.query("SELECT task_name, status, run_id FROM performance_results ORDER BY task_name")
    assert [(r["task_name"], r["status"]) for r in rows] == [
        ("a", "success"),
        ("b", "success"),
        ("c", "success"),
    ]
    assert report.duplicates_resolved == 1
    (decision,) = out.query("SELECT kept_source, dropped_source, rule FROM merge_decisions")
    assert decision == {
        "kept_source": str(tmp_path / "b.duckdb"),
        "dropped_source": str(tmp_path / "a.duckdb"),
        "rule": "more complete",
    }
    assert out.query("SELECT count(*) AS n FROM test_runs") == [{"n": 2}]
    tasks = out.query("SELECT task_id, run_id FROM benchmark_tasks ORDER BY task_id")
    assert all(t["task_id"].startswith(t["run_id"] + ":") for t in tasks) and len(tasks) == 4


def test_equal_duplicates_keep_the_newer(tmp_path):
    _db(tmp_path / "old.duckdb", ["a"])
    _db(tmp_path / "new.duckdb", ["a"])
    merge_databases(tmp_path / "out.duckdb", [tmp_path / "old.duckdb", tmp_path / "new.duckdb"])
    out = Store(tmp_path / "out.duckdb")
    (decision,) = out.query("SELECT kept_source, rule FROM merge_decisions")
    assert decision == {"kept_source": str(tmp_path / "new.duckdb"), "rule": "newer"}
    assert out.query("SELECT count(*) AS n FROM performance_results") == [{"n": 1}]


def test_merge_refuses_to_overwrite(tmp_path):
    _db(tmp_path / "a.duckdb", ["a"])
    with pytest.raises(InputError, match="already exists"):
        merge_databases(tmp_path / "a.duckdb", [tmp_path / "a.duckdb"])
