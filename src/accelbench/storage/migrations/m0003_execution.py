"""Schema version 3: what the execution layer needs beyond the plan's tracking tables.

benchmark_tasks gains the config hash and wall time (task-time history for estimates and ETA)
and the error of a task that did not succeed; `merge_decisions` records every choice
`db merge` makes between two copies of the same result.
"""

STATEMENTS = [
    "ALTER TABLE benchmark_tasks ADD COLUMN IF NOT EXISTS config_hash VARCHAR",
    "ALTER TABLE benchmark_tasks ADD COLUMN IF NOT EXISTS wall_time_seconds DOUBLE",
    "ALTER TABLE benchmark_tasks ADD COLUMN IF NOT EXISTS error_message VARCHAR",
    "ALTER TABLE benchmark_workers ADD COLUMN IF NOT EXISTS load_details JSON",
    "CREATE INDEX IF NOT EXISTS idx_benchmark_tasks_hash ON benchmark_tasks(config_hash)",
    "CREATE SEQUENCE IF NOT EXISTS seq_merge_decision_id START 1",
    """CREATE TABLE IF NOT EXISTS merge_decisions (
        decision_id INTEGER PRIMARY KEY DEFAULT nextval('seq_merge_decision_id'),
        merged_at TIMESTAMP DEFAULT current_timestamp,
        merge_key VARCHAR, kept_source VARCHAR, kept_result_id BIGINT,
        dropped_source VARCHAR, dropped_result_id BIGINT, rule VARCHAR, detail VARCHAR)""",
]
