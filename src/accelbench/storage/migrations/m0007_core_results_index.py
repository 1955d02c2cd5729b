"""Schema version 7 (core): drop the unique index on performance_results.idempotency_key.

Exactly-once storage is enforced where the write happens: Store.write_task_result checks the
keys against stored rows (a semi-join) inside the same transaction, and DuckDB admits one writing
process per file while the coordinator writes from one thread. The index duplicated that check
and cost about a third of bulk-insert time (maintaining an ART over 100,000 string keys).
"""

STATEMENTS = [
    "DROP INDEX IF EXISTS idx_results_idempotency",
]
