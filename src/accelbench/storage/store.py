"""Store: the DuckDB file every result goes to, opened briefly so readers can get in between writes.

DuckDB lets one process hold a file open for writing, and while it does no other process can open
it at all. The Store therefore opens the file for each unit of work and closes it afterwards
(about 10 ms here), and retries with backoff while another process holds the lock. Pass
`hold=True` to keep one connection for many operations (bulk loads, tests, in-memory databases).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accelbench.errors import InputError
from accelbench.storage.migrations import all_migrations
from accelbench.storage.rows import concat_columns, measurement_columns, sample_table

if TYPE_CHECKING:
    import duckdb

    from accelbench.runner.result import TaskResult
    from accelbench.tasks.task import BenchmarkTask

LOCK_WAIT_SECONDS = 30.0


class Store:
    """A DuckDB database of benchmark results, migrated to the current schema on first write."""

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        read_only: bool = False,
        hold: bool = False,
        lock_wait_seconds: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.hold = hold or self.path == ":memory:"
        self.lock_wait_seconds = lock_wait_seconds
        self._con: duckdb.DuckDBPyConnection | None = None
        self._migrated = False

    # -- connections -------------------------------------------------------------------------
    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work; closed afterwards unless the Store holds it."""
        con = self._con or self._open()
        try:
            yield con
        finally:
            if self.hold:
                self._con = con
            else:
                con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside BEGIN/COMMIT; rolled back on any exception."""
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def close(self) -> None:
        """Close a held connection."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def _open(self) -> duckdb.DuckDBPyConnection:
        import duckdb

        if self.read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise FileNotFoundError(f"{self.path}: no such database (run `accelbench run` first)")
        deadline = time.monotonic() + self.lock_wait_seconds
        delay = 0.01
        while True:
            try:
                con = duckdb.connect(self.path, read_only=self.read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    # a directory, a missing directory, a file that is not a DuckDB database: the
                    # user's path, not an internal error
                    reason = str(exc).strip().splitlines()[0]
                    raise InputError(f"cannot open as a DuckDB database: {reason}", file=self.path) from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)  # backoff while another process holds the write lock
                delay = min(delay * 2, 0.25)
        if not self._migrated:
            self._check_is_ours(con)
            if not self.read_only:
                migrate(con)
            self._migrated = True
        return con

    def _check_is_ours(self, con: duckdb.DuckDBPyConnection) -> None:
        """InputError for a DuckDB file with tables but none of accelbench's: reading it failed with
        a catalog error, and writing would have added accelbench's schema to someone else's file."""
        tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        if self.read_only and not tables:
            con.close()
            raise InputError(
                "an empty DuckDB database: no accelbench results (run `accelbench run`)", file=self.path
            )
        if tables and "schema_migrations" not in tables:
            con.close()
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise InputError(
                f"a DuckDB database of something else (tables {shown}), not accelbench's; give another --db",
                file=self.path,
            )

    # -- queries ------------------------------------------------------------------------------
    def query(self, sql: str, params: list[Any] | tuple[Any, ...] | None = None) -> list[dict[str, Any]]:
        """Run SQL and return rows as dicts."""
        with self.connect() as con:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description] if cur.description else []
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def schema_version(self) -> int:
        """Highest migration applied (0 for an empty database)."""
        with self.connect() as con:
            return _schema_version(con)

    # -- writes -------------------------------------------------------------------------------
    def create_run(
        self,
        test_name: str,
        *,
        test_type: str = "benchmark",
        config: dict[str, Any] | None = None,
        environment: dict[str, Any] | None = None,
        command_line: str = "",
    ) -> int:
        """Insert a test_runs row and return its run_id."""
        env = environment or {}
        meta = {"config": config or {}, "environment": env}
        with self.transaction() as con:
            (run_id,) = con.execute(
                "INSERT INTO test_runs (test_name, test_type, started_at, git_commit, git_branch, command_line,"
                " metadata, status) VALUES (?, ?, current_timestamp, ?, ?, ?, ?, 'running') RETURNING run_id",
                [
                    test_name,
                    test_type,
                    env.get("git_commit"),
                    env.get("git_branch"),
                    command_line,
                    json.dumps(meta, default=str),
                ],
            ).fetchall()[0]
        return int(run_id)

    def finish_run(self, run_id: int, status: str) -> None:
        """Mark a run finished with `status` (completed | failed | interrupted)."""
        with self.transaction() as con:
            con.execute(
                "UPDATE test_runs SET completed_at = current_timestamp, status = ?, success = ?,"
                " execution_time_seconds = epoch(current_timestamp) - epoch(started_at) WHERE run_id = ?",
                [status, status == "completed", run_id],
            )

    def write_task_result(self, run_id: int, task: BenchmarkTask, result: TaskResult) -> list[int]:
        """Store a task's measurements and raw samples in one transaction; returns new result_ids.

        Idempotent: a measurement whose key (run, task, precision, batch size, attempt) is
        already stored is skipped, so a retry racing a late result stores it once.
        """
        with self.transaction() as con:
            return self.insert_results(con, run_id, [(task, result)])

    def insert_results(
        self, con: duckdb.DuckDBPyConnection, run_id: int, items: list[tuple[BenchmarkTask, TaskResult]]
    ) -> list[int]:
        """Insert every (task, result)'s measurements not stored yet, inside the caller's transaction.

        One existence check, one id allocation and one Arrow insert for the whole batch; a key
        that appears twice in the batch (a late duplicate) is stored once. Returns new result_ids.
        """
        import pyarrow as pa

        data = concat_columns([measurement_columns(run_id, task, result) for task, result in items])
        if not len(data):
            return []
        keys = data.columns["idempotency_key"]
        con.register("_new_keys", pa.table({"idempotency_key": keys}))
        existing = {
            k
            for (k,) in con.execute(
                "SELECT idempotency_key FROM _new_keys SEMI JOIN performance_results USING (idempotency_key)"
            ).fetchall()
        }
        con.unregister("_new_keys")
        seen: set[str] = set()
        mask = []
        for k in keys:
            mask.append(k not in existing and k not in seen)
            seen.add(k)
        if not all(mask):
            data = data.keep(mask)
            if not len(data):
                return []
        ids = [
            i for (i,) in con.execute("SELECT nextval('seq_result_id') FROM range(?)", [len(data)]).fetchall()
        ]
        model_ids = {key: self._model_id(con, info) for key, info in data.models.items()}
        hardware_ids = {fp: self._hardware_id(con, info) for fp, info in data.hardware.items()}
        columns = dict(data.columns)
        columns["result_id"] = ids
        columns["model_id"] = [model_ids[k] for k in data.model_keys]
        columns["hardware_id"] = [hardware_ids[k] for k in data.hardware_keys]
        table = pa.table(columns)
        names = ", ".join(table.column_names)
        con.register("_new_results", table)
        con.execute(f"INSERT INTO performance_results ({names}) SELECT {names} FROM _new_results")
        con.unregister("_new_results")
        samples = sample_table(ids, data.latencies)
        if samples.num_rows:
            con.register("_new_samples", samples)
            con.execute("INSERT INTO performance_samples SELECT * FROM _new_samples")
            con.unregister("_new_samples")
        return ids

    def _model_id(self, con: duckdb.DuckDBPyConnection, info: dict[str, Any]) -> int:
        row = con.execute(
            "SELECT model_id FROM models WHERE model_family = ? AND model_size = ? AND weights = ?",
            [info["family"], info["size"], info["weights"]],
        ).fetchall()
        if row:
            return int(row[0][0])
        (mid,) = con.execute(
            "INSERT INTO models (model_name, model_family, model_type, model_size, parameters_million,"
            " weights, metadata) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING model_id",
            [
                f"{info['family']}-{info['size']}",
                info["family"],
                info.get("modality"),
                info["size"],
                info.get("parameters_million"),
                info["weights"],
                json.dumps(info.get("metadata", {})),
            ],
        ).fetchall()[0]
        return int(mid)

    def _hardware_id(self, con: duckdb.DuckDBPyConnection, info: dict[str, Any]) -> int:
        row = con.execute(
            "SELECT hardware_id FROM hardware_platforms WHERE fingerprint = ?", [info["fingerprint"]]
        ).fetchall()
        if row:
            return int(row[0][0])
        (hid,) = con.execute(
            "INSERT INTO hardware_platforms (hardware_type, device_name, platform, platform_version,"
            " driver_version, memory_gb, compute_units, metadata, fingerprint) VALUES (?,?,?,?,?,?,?,?,?)"
            " RETURNING hardware_id",
            [
                info["hardware_type"],
                info.get("device_name"),
                info.get("platform"),
                info.get("platform_version"),
                info.get("driver_version"),
                info.get("memory_gb"),
                info.get("compute_units"),
                json.dumps(info.get("metadata", {})),
                info["fingerprint"],
            ],
        ).fetchall()[0]
        return int(hid)


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0]
    if not exists or not exists[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0]
    return int(row[0] or 0) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the database lacks, each in one transaction; returns those applied.

    Versions are compared as a set, not against the maximum, because numbers are reserved per
    area and an area's migration may ship after a higher-numbered one.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR,"
        " applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    present = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for migration in all_migrations():
        if migration.version in present:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                [migration.version, migration.name],
            )
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        applied.append(migration.version)
    return applied
