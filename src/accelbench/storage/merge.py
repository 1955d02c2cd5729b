"""Merge several accelbench databases (e.g. one per coordinator) into a new one.

Rule for the same result stored in more than one input — same suite, git commit, task, config
hash, precision, batch size, attempt and hardware fingerprint — the input with the more complete
result wins (success over any failure, then more timed iterations), then the newer (created_at).
Every such choice is recorded in `merge_decisions`. Rows within one input are never dropped: each
database is already exactly-once on its own. Ids are renumbered; run ids in the tracking tables
(`<run_id>` and `<run_id>:<task>`) follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accelbench.errors import InputError
from accelbench.storage.paths import check_parent_dir

_KEY = (
    "coalesce(tr.test_name, '') || '|' || coalesce(tr.git_commit, '') || '|' || coalesce(pr.task_name, pr.test_case, '')"
    " || '|' || coalesce(pr.config_hash, '') || '|' || coalesce(pr.precision, '') || '|' || pr.batch_size"
    " || '|a' || coalesce(pr.attempt, 1) || '|' || coalesce(hp.fingerprint, hp.hardware_type || hp.device_name, '')"
)
# Lower is more complete: measured figures beat failures of any kind.
_STATUS_RANK = (
    "CASE coalesce(pr.status, 'success') WHEN 'success' THEN 0 WHEN 'unsupported' THEN 2 ELSE 1 END"
)
_RUN_TABLES = (
    "benchmark_tasks",
    "task_dependencies",
    "worker_task_assignments",
    "hardware_resource_allocations",
    "worker_benchmark_contributions",
)


@dataclass
class MergeReport:
    """What a merge did: rows kept per table, duplicates resolved, and tables left out (with why)."""

    out_path: str
    inputs: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    duplicates_resolved: int = 0
    skipped_tables: dict[str, str] = field(default_factory=dict)


def merge_databases(out_path: str | Path, inputs: list[str | Path]) -> MergeReport:
    """Write a new database at `out_path` holding every input's results, duplicates resolved by the rule."""
    import duckdb

    from accelbench.storage.store import Store, migrate

    out_path = Path(out_path)
    if out_path.exists():
        raise InputError("already exists; merge writes a new database", file=str(out_path))
    check_parent_dir(out_path)
    if len(inputs) < 1:
        raise InputError("give at least one input database", field="inputs")
    for p in inputs:
        if not Path(p).exists():
            raise InputError("no such database", file=str(p))
        with Store(p).connect():  # brings an older input up to the current schema first
            pass
    report = MergeReport(str(out_path), [str(p) for p in inputs])
    con = duckdb.connect(str(out_path))
    try:
        migrate(con)
        con.execute("BEGIN TRANSACTION")
        for i, path in enumerate(inputs):
            con.execute(f"ATTACH '{Path(path).resolve()}' AS src{i} (READ_ONLY)")
        _choose_winners(con, len(inputs), report)
        for i in range(len(inputs)):
            _copy_input(con, i, report)
        con.execute("COMMIT")
    except BaseException:
        con.close()
        out_path.unlink(missing_ok=True)  # nothing half-written
        raise
    for table in ("test_runs", "performance_results", "performance_samples", "merge_decisions", *_RUN_TABLES):
        report.rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    _note_skipped(con, len(inputs), report)
    con.close()
    return report


def _choose_winners(con: Any, n: int, report: MergeReport) -> None:
    parts = [
        f"""SELECT {i} AS src, pr.result_id, {_KEY} AS merge_key, {_STATUS_RANK} AS status_rank,
                 coalesce(pr.iterations, 0) AS iterations, pr.created_at
               FROM src{i}.performance_results pr
               LEFT JOIN src{i}.test_runs tr ON tr.run_id = pr.run_id
               LEFT JOIN src{i}.hardware_platforms hp ON hp.hardware_id = pr.hardware_id"""
        for i in range(n)
    ]
    con.execute("CREATE TEMP TABLE _cand AS " + " UNION ALL ".join(parts))
    # One score per (key, input): its best row; the best-scoring input keeps all its rows for that key.
    con.execute("""CREATE TEMP TABLE _score AS SELECT merge_key, src, min(status_rank) AS status_rank,
                   max(iterations) AS iterations, max(created_at) AS created_at, min(result_id) AS result_id
                   FROM _cand GROUP BY merge_key, src""")
    con.execute("""CREATE TEMP TABLE _ranked AS SELECT *, row_number() OVER (PARTITION BY merge_key
                   ORDER BY status_rank, iterations DESC, created_at DESC NULLS LAST, src) AS rk FROM _score""")
    names = ", ".join(f"({i}, ?)" for i in range(n))
    con.execute(
        f"CREATE TEMP TABLE _src_names (src INTEGER, name VARCHAR); INSERT INTO _src_names VALUES {names}",
        report.inputs,
    )
    con.execute("""INSERT INTO merge_decisions (merge_key, kept_source, kept_result_id, dropped_source,
                   dropped_result_id, rule, detail)
                   SELECT l.merge_key, wn.name, w.result_id, ln.name, l.result_id,
                     CASE WHEN w.status_rank <> l.status_rank OR w.iterations <> l.iterations
                          THEN 'more complete' ELSE 'newer' END,
                     format('kept status_rank={} iterations={} created_at={}; dropped status_rank={} iterations={} created_at={}',
                            w.status_rank, w.iterations, w.created_at, l.status_rank, l.iterations, l.created_at)
                   FROM _ranked l JOIN _ranked w ON w.merge_key = l.merge_key AND w.rk = 1
                   JOIN _src_names wn ON wn.src = w.src JOIN _src_names ln ON ln.src = l.src WHERE l.rk > 1""")
    report.duplicates_resolved = con.execute("SELECT count(*) FROM _ranked WHERE rk > 1").fetchone()[0]
    con.execute("""CREATE TEMP TABLE _keep AS SELECT c.src, c.result_id FROM _cand c
                   JOIN _ranked r ON r.merge_key = c.merge_key AND r.src = c.src AND r.rk = 1""")


def _columns(con: Any, table: str, schema: str = "main", catalog: str | None = None) -> list[str]:
    cat = f" AND table_catalog = '{catalog}'" if catalog else ""
    rows = con.execute(
        f"SELECT column_name FROM information_schema.columns WHERE table_name = ?"
        f" AND table_schema = ?{cat} ORDER BY ordinal_position",
        [table, schema],
    ).fetchall()
    return [r[0] for r in rows]


def _copy(
    con: Any, src: str, table: str, overrides: dict[str, str], where: str = "", alias: str = "t"
) -> None:
    out_cols = _columns(con, table, catalog=_out_catalog(con))
    src_cols = set(_columns(con, table, catalog=src))
    cols = [c for c in out_cols if c in overrides or c in src_cols]
    exprs = [overrides.get(c, f"{alias}.{c}") for c in cols]
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {src}.{table} {alias} {where}"
    )


def _out_catalog(con: Any) -> str:
    return con.execute("SELECT current_database()").fetchone()[0]


def _copy_input(con: Any, i: int, report: MergeReport) -> None:
    s = f"src{i}"
    # Lookup rows: hardware by fingerprint, models by family/size/weights; ids are remapped.
    con.execute(f"""INSERT INTO hardware_platforms (hardware_type, device_name, platform, platform_version,
        driver_version, memory_gb, compute_units, metadata, fingerprint, compute_capability)
        SELECT hardware_type, device_name, platform, platform_version, driver_version, memory_gb, compute_units,
               metadata, fingerprint, compute_capability FROM {s}.hardware_platforms h
        WHERE NOT EXISTS (SELECT 1 FROM hardware_platforms o WHERE o.fingerprint IS NOT DISTINCT FROM h.fingerprint
                          AND o.hardware_type = h.hardware_type AND o.device_name IS NOT DISTINCT FROM h.device_name)""")
    con.execute(f"""INSERT INTO models (model_name, model_family, model_type, model_size, parameters_million,
        metadata, weights) SELECT model_name, model_family, model_type, model_size, parameters_million, metadata, weights
        FROM {s}.models m WHERE NOT EXISTS (SELECT 1 FROM models o WHERE o.model_family IS NOT DISTINCT FROM
        m.model_family AND o.model_size IS NOT DISTINCT FROM m.model_size AND o.weights IS NOT DISTINCT FROM m.weights
        AND o.model_name = m.model_name)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _hw AS SELECT h.hardware_id AS old, min(o.hardware_id) AS new
        FROM {s}.hardware_platforms h JOIN hardware_platforms o ON o.fingerprint IS NOT DISTINCT FROM h.fingerprint
        AND o.hardware_type = h.hardware_type AND o.device_name IS NOT DISTINCT FROM h.device_name GROUP BY 1""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _mod AS SELECT m.model_id AS old, min(o.model_id) AS new
        FROM {s}.models m JOIN models o ON o.model_family IS NOT DISTINCT FROM m.model_family AND o.model_size
        IS NOT DISTINCT FROM m.model_size AND o.weights IS NOT DISTINCT FROM m.weights AND o.model_name = m.model_name
        GROUP BY 1""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _run AS SELECT run_id AS old, nextval('seq_run_id') AS new
        FROM {s}.test_runs""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _res AS SELECT k.result_id AS old, nextval('seq_result_id') AS new
        FROM _keep k WHERE k.src = {i}""")
    _copy(con, s, "test_runs", {"run_id": "(SELECT new FROM _run WHERE old = t.run_id)"})
    _copy(
        con,
        s,
        "performance_results",
        {
            "result_id": "r.new",
            "run_id": "(SELECT new FROM _run WHERE old = t.run_id)",
            "model_id": "(SELECT new FROM _mod WHERE old = t.model_id)",
            "hardware_id": "(SELECT new FROM _hw WHERE old = t.hardware_id)",
            "idempotency_key": "CASE WHEN t.idempotency_key IS NULL THEN NULL ELSE"
            " (SELECT new FROM _run WHERE old = t.run_id) || '/' || split_part(t.idempotency_key, '/', 2)"
            " || '/' || split_part(t.idempotency_key, '/', 3) || '/' || split_part(t.idempotency_key, '/', 4)"
            " || '/' || split_part(t.idempotency_key, '/', 5) END",
        },
        "JOIN _res r ON r.old = t.result_id",
    )
    con.execute(f"""INSERT INTO performance_samples SELECT r.new, s.iteration, s.latency_ns
        FROM {s}.performance_samples s JOIN _res r ON r.old = s.result_id""")
    new_run = "(SELECT CAST(new AS VARCHAR) FROM _run WHERE CAST(old AS VARCHAR) = {col})"
    new_task = (
        "(SELECT CAST(new AS VARCHAR) FROM _run WHERE CAST(old AS VARCHAR) = split_part({col}, ':', 1))"
        " || ':' || split_part({col}, ':', 2)"
    )
    _copy(con, s, "distributed_benchmark_runs", {"run_id": new_run.format(col="t.run_id")})
    _copy(
        con,
        s,
        "benchmark_tasks",
        {"task_id": new_task.format(col="t.task_id"), "run_id": new_run.format(col="t.run_id")},
    )
    _copy(
        con,
        s,
        "task_dependencies",
        {
            "dependency_id": "nextval('seq_dependency_id')",
            "task_id": new_task.format(col="t.task_id"),
            "depends_on_task_id": new_task.format(col="t.depends_on_task_id"),
        },
    )
    for table, seq in (
        ("worker_task_assignments", "seq_assignment_id"),
        ("hardware_resource_allocations", "seq_allocation_id"),
    ):
        idcol = "assignment_id" if table == "worker_task_assignments" else "allocation_id"
        _copy(con, s, table, {idcol: f"nextval('{seq}')", "task_id": new_task.format(col="t.task_id")})
    _copy(
        con,
        s,
        "worker_benchmark_contributions",
        {"contribution_id": "nextval('seq_contribution_id')", "run_id": new_run.format(col="t.run_id")},
    )
    # A worker known to several inputs keeps the row with the latest heartbeat.
    _copy(
        con,
        s,
        "benchmark_workers",
        {},
        "WHERE true ON CONFLICT (worker_id) DO UPDATE SET"
        " last_heartbeat = greatest(benchmark_workers.last_heartbeat, excluded.last_heartbeat)",
    )


def _note_skipped(con: Any, n: int, report: MergeReport) -> None:
    done = {
        "test_runs",
        "performance_results",
        "performance_samples",
        "hardware_platforms",
        "models",
        "distributed_benchmark_runs",
        "benchmark_workers",
        "merge_decisions",
        "schema_migrations",
        *_RUN_TABLES,
    }
    for i in range(n):
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?"
            " AND table_schema = 'main'",
            [f"src{i}"],
        ).fetchall():
            if table in done:
                continue
            (rows,) = con.execute(f"SELECT count(*) FROM src{i}.{table}").fetchone()
            if rows:
                report.skipped_tables[table] = "not merged yet (ids it references are renumbered)"
