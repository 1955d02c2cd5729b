"""Store many tasks' results in one transaction with a handful of statements, not several per task.

Same rows and idempotency as Store.write_task_result (it uses the storage layer's column builder
and id lookups), but one existence check, one id allocation and one Arrow insert per batch, so
10,000 tasks do not make the database the bottleneck.
"""

from __future__ import annotations

from typing import Any

from accelbench.storage.rows import ResultColumns, measurement_columns, sample_table


def _concat(parts: list[ResultColumns]) -> ResultColumns:
    columns: dict[str, list[Any]] = {}
    for p in parts:
        for name in p.columns:
            columns.setdefault(name, [])
    out = ResultColumns(columns, [], {}, [], {}, [])
    for p in parts:
        n = len(p)
        for name, values in columns.items():
            values.extend(p.columns.get(name, [None] * n))
        out.model_keys += p.model_keys
        out.models.update(p.models)
        out.hardware_keys += p.hardware_keys
        out.hardware.update(p.hardware)
        out.latencies += p.latencies
    return out


def write_results(con: Any, store: Any, run_id: int, items: list[tuple[Any, Any]]) -> list[int]:
    """Insert the measurements of every (task, TaskResult) in `items` not stored yet; returns new result_ids."""
    import pyarrow as pa

    data = _concat([measurement_columns(run_id, task, result) for task, result in items])
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
    for k in keys:  # a key twice in one batch (a late duplicate) is stored once
        mask.append(k not in existing and k not in seen)
        seen.add(k)
    if not all(mask):
        data = data.keep(mask)
    if not len(data):
        return []
    ids = [i for (i,) in con.execute("SELECT nextval('seq_result_id') FROM range(?)", [len(data)]).fetchall()]
    model_ids = {key: store._model_id(con, info) for key, info in data.models.items()}
    hardware_ids = {fp: store._hardware_id(con, info) for fp, info in data.hardware.items()}
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
