"""Export tables to Parquet/CSV/JSON, and archive old results to compressed Parquet that stays queryable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accelbench.storage.store import Store

EXPORT_TABLES = ("performance_results", "performance_samples", "test_runs", "models", "hardware_platforms")
_FORMATS = {
    "parquet": "(FORMAT parquet, COMPRESSION zstd)",
    "csv": "(FORMAT csv, HEADER)",
    "json": "(FORMAT json, ARRAY true)",
}


def export_tables(
    store: Store, out_dir: Path, fmt: str, tables: tuple[str, ...] = EXPORT_TABLES
) -> list[Path]:
    """Write each table to `out_dir/<table>.<fmt>`; returns the files written."""
    from accelbench.errors import InputError

    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            "exists and is not a directory; export writes one file per table into a directory",
            file=str(out_dir),
        )
    written = []
    with store.connect() as con:  # the database is opened (and checked) before anything is created
        out_dir.mkdir(parents=True, exist_ok=True)
        for table in tables:
            path = out_dir / f"{table}.{fmt}"
            con.execute(f"COPY {table} TO '{_sql_path(path)}' {_FORMATS[fmt]}")
            written.append(path)
    return written


@dataclass
class ArchiveReport:
    """What `archive_older_than` moved: row counts and the Parquet files written."""

    results_moved: int
    samples_moved: int
    files: list[Path]


def archive_older_than(store: Store, days: float, archive_dir: Path) -> ArchiveReport:
    """Move results older than `days` (and their samples) into zstd Parquet under `archive_dir`.

    The rows leave the live tables in the same transaction that writes the files, and the views
    `performance_results_all` / `performance_samples_all` union live and archived rows, so
    archived results stay queryable from the same database.
    """
    archive_dir = archive_dir.resolve()
    archive_dir.mkdir(parents=True, exist_ok=True)
    with store.transaction() as con:
        cutoff = f"current_timestamp - INTERVAL {float(days) * 86400:.0f} SECOND"
        (n,) = con.execute(
            f"SELECT count(*) FROM performance_results WHERE created_at < {cutoff}"
        ).fetchall()[0]
        if n == 0:
            return ArchiveReport(0, 0, [])
        (stamp,) = con.execute("SELECT strftime(current_timestamp, '%Y%m%dT%H%M%S')").fetchall()[0]
        res_path = archive_dir / f"performance_results_{stamp}.parquet"
        smp_path = archive_dir / f"performance_samples_{stamp}.parquet"
        con.execute(
            f"CREATE TEMP TABLE _old AS SELECT result_id FROM performance_results WHERE created_at < {cutoff}"
        )
        con.execute(
            f"COPY (SELECT * FROM performance_results WHERE result_id IN (SELECT result_id FROM _old))"
            f" TO '{_sql_path(res_path)}' {_FORMATS['parquet']}"
        )
        (m,) = con.execute(
            "SELECT count(*) FROM performance_samples WHERE result_id IN (SELECT result_id FROM _old)"
        ).fetchall()[0]
        con.execute(
            f"COPY (SELECT * FROM performance_samples WHERE result_id IN (SELECT result_id FROM _old))"
            f" TO '{_sql_path(smp_path)}' {_FORMATS['parquet']}"
        )
        con.execute("DELETE FROM performance_samples WHERE result_id IN (SELECT result_id FROM _old)")
        con.execute("DELETE FROM performance_results WHERE result_id IN (SELECT result_id FROM _old)")
        con.execute("DROP TABLE _old")
        _create_union_views(con, archive_dir)
    return ArchiveReport(int(n), int(m), [res_path, smp_path])


def _create_union_views(con: Any, archive_dir: Path) -> None:
    for table in ("performance_results", "performance_samples"):
        glob = _sql_path(archive_dir / f"{table}_*.parquet")
        con.execute(
            f"CREATE OR REPLACE VIEW {table}_all AS SELECT * FROM {table}"
            f" UNION ALL BY NAME SELECT * FROM read_parquet('{glob}', union_by_name = true)"
        )


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
