"""Schema version 2: accelbench's measured-result columns, raw samples, and every table of the plan.

The plan's tables (Appendix A and "Database Schema Enhancements") are created as written, with
sequences for integer ids. Foreign keys are documented, not declared: DuckDB cannot update or
delete rows that a declared foreign key references, which `db archive` and `db merge` need.
"""

_RESULT_COLUMNS = [
    ("task_name", "VARCHAR"),
    ("idempotency_key", "VARCHAR"),
    ("status", "VARCHAR DEFAULT 'success'"),
    ("error_message", "VARCHAR"),
    ("model_name", "VARCHAR"),
    ("model_size", "VARCHAR"),
    ("hardware_type", "VARCHAR"),
    ("backend", "VARCHAR"),
    ("device", "VARCHAR"),
    ("sequence_length", "INTEGER"),
    ("threads", "INTEGER"),
    ("weights", "VARCHAR"),
    ("latency_median_ms", "DOUBLE"),
    ("latency_p90_ms", "DOUBLE"),
    ("latency_p95_ms", "DOUBLE"),
    ("latency_p99_ms", "DOUBLE"),
    ("latency_std_ms", "DOUBLE"),
    ("latency_min_ms", "DOUBLE"),
    ("latency_max_ms", "DOUBLE"),
    ("first_inference_ms", "DOUBLE"),
    ("load_time_ms", "DOUBLE"),
    ("device_memory_peak_mb", "DOUBLE"),
    ("process_peak_rss_mb", "DOUBLE"),
    ("max_abs_error", "DOUBLE"),
    ("ci_half_width_percent", "DOUBLE"),
    ("stop_reason", "VARCHAR"),
    ("power_watts", "DOUBLE"),
    ("power_is_estimate", "BOOLEAN"),
    ("cpu_set", "VARCHAR"),
    ("concurrent_tasks", "INTEGER"),
    ("attempt", "INTEGER DEFAULT 1"),
    ("worker_id", "VARCHAR"),
    ("config_hash", "VARCHAR"),
]

STATEMENTS = [
    *(f"ALTER TABLE performance_results ADD COLUMN IF NOT EXISTS {n} {t}" for n, t in _RESULT_COLUMNS),
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_results_idempotency ON performance_results(idempotency_key)",
    "ALTER TABLE hardware_platforms ADD COLUMN IF NOT EXISTS fingerprint VARCHAR",
    "ALTER TABLE hardware_platforms ADD COLUMN IF NOT EXISTS compute_capability DOUBLE",
    "ALTER TABLE models ADD COLUMN IF NOT EXISTS weights VARCHAR",
    "ALTER TABLE test_runs ADD COLUMN IF NOT EXISTS status VARCHAR",
    """CREATE TABLE IF NOT EXISTS performance_samples (
        result_id BIGINT NOT NULL,
        iteration INTEGER NOT NULL,
        latency_ns BIGINT NOT NULL)""",
    # --- the plan's distributed-benchmarking tables
    "CREATE SEQUENCE IF NOT EXISTS seq_assignment_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_contribution_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_dependency_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_validation_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_allocation_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_ipfs_metric_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_topology_sim_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_pred_model_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_prediction_id START 1",
    "CREATE SEQUENCE IF NOT EXISTS seq_precision_result_id START 1",
    """CREATE TABLE IF NOT EXISTS distributed_benchmark_runs (
        run_id VARCHAR PRIMARY KEY, suite_name VARCHAR, suite_version VARCHAR,
        start_time TIMESTAMP, end_time TIMESTAMP, coordinator_hostname VARCHAR,
        worker_count INTEGER, completion_status VARCHAR, completion_percentage FLOAT,
        error_count INTEGER, config JSON, git_commit_hash VARCHAR, git_branch VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS benchmark_workers (
        worker_id VARCHAR PRIMARY KEY, hostname VARCHAR, registration_time TIMESTAMP,
        last_heartbeat TIMESTAMP, status VARCHAR, hardware_info JSON, capabilities JSON,
        current_load FLOAT, total_executed_tasks INTEGER, total_execution_time_seconds FLOAT)""",
    """CREATE TABLE IF NOT EXISTS worker_task_assignments (
        assignment_id INTEGER PRIMARY KEY DEFAULT nextval('seq_assignment_id'),
        worker_id VARCHAR, task_id VARCHAR, assignment_time TIMESTAMP, start_time TIMESTAMP,
        end_time TIMESTAMP, status VARCHAR, error_message TEXT)""",
    """CREATE TABLE IF NOT EXISTS worker_benchmark_contributions (
        contribution_id INTEGER PRIMARY KEY DEFAULT nextval('seq_contribution_id'),
        run_id VARCHAR, worker_id VARCHAR, benchmark_count INTEGER, hardware_type VARCHAR,
        total_execution_time_seconds FLOAT, start_time TIMESTAMP, end_time TIMESTAMP,
        resource_utilization JSON)""",
    """CREATE TABLE IF NOT EXISTS benchmark_tasks (
        task_id VARCHAR PRIMARY KEY, run_id VARCHAR, parent_suite_id VARCHAR, name VARCHAR,
        priority INTEGER, status VARCHAR, creation_time TIMESTAMP, start_time TIMESTAMP,
        end_time TIMESTAMP, assigned_worker_id VARCHAR, retry_count INTEGER, config JSON,
        requirements JSON)""",
    """CREATE TABLE IF NOT EXISTS task_dependencies (
        dependency_id INTEGER PRIMARY KEY DEFAULT nextval('seq_dependency_id'),
        task_id VARCHAR, depends_on_task_id VARCHAR, dependency_type VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS benchmark_result_validation (
        validation_id INTEGER PRIMARY KEY DEFAULT nextval('seq_validation_id'),
        benchmark_id INTEGER, validation_method VARCHAR, validation_time TIMESTAMP,
        outlier_score FLOAT, coefficient_of_variation FLOAT, is_valid BOOLEAN,
        confidence_score FLOAT, retest_count INTEGER, validation_notes TEXT,
        validator_worker_id VARCHAR, validation_details JSON)""",
    """CREATE TABLE IF NOT EXISTS hardware_resource_allocations (
        allocation_id INTEGER PRIMARY KEY DEFAULT nextval('seq_allocation_id'),
        worker_id VARCHAR, task_id VARCHAR, hardware_type VARCHAR, allocation_time TIMESTAMP,
        release_time TIMESTAMP, exclusive BOOLEAN, resource_details JSON)""",
    """CREATE TABLE IF NOT EXISTS ipfs_acceleration_metrics (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_ipfs_metric_id'),
        benchmark_id INTEGER, acceleration_mode VARCHAR, content_size_bytes BIGINT,
        retrieval_latency_ms FLOAT, distribution_throughput_mbps FLOAT,
        bandwidth_efficiency_ratio FLOAT, cache_hit_ratio FLOAT, peer_count INTEGER,
        network_topology_config JSON, p2p_optimization_config JSON,
        is_simulated BOOLEAN DEFAULT false, simulation_reason VARCHAR,
        created_at TIMESTAMP DEFAULT current_timestamp)""",
    """CREATE TABLE IF NOT EXISTS network_topology_simulation (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_topology_sim_id'),
        ipfs_metric_id INTEGER, simulation_timestamp TIMESTAMP, node_count INTEGER,
        average_node_degree FLOAT, network_diameter INTEGER, average_path_length FLOAT,
        clustering_coefficient FLOAT, content_replication_factor FLOAT,
        simulation_duration_seconds FLOAT, simulation_config JSON, simulation_results JSON)""",
    """CREATE TABLE IF NOT EXISTS predictive_performance_models (
        model_id INTEGER PRIMARY KEY DEFAULT nextval('seq_pred_model_id'),
        model_type VARCHAR, target_metric VARCHAR, training_date TIMESTAMP, model_version VARCHAR,
        model_accuracy FLOAT, model_parameters JSON, serialized_model BLOB)""",
    """CREATE TABLE IF NOT EXISTS performance_predictions (
        prediction_id INTEGER PRIMARY KEY DEFAULT nextval('seq_prediction_id'),
        model_id INTEGER, hardware_type VARCHAR, model_name VARCHAR, configuration JSON,
        predicted_value FLOAT, confidence_score FLOAT, prediction_date TIMESTAMP, verified BOOLEAN,
        verification_value FLOAT, prediction_error FLOAT)""",
    """CREATE TABLE IF NOT EXISTS precision_benchmark_results (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_precision_result_id'),
        model_id INTEGER, hardware_id INTEGER, precision_format VARCHAR, bits INTEGER,
        quantization_method VARCHAR, latency_ms FLOAT, throughput_items_per_second FLOAT,
        memory_mb FLOAT, accuracy_metric_name VARCHAR, accuracy_metric_value FLOAT,
        accuracy_drop_percent FLOAT, run_date TIMESTAMP)""",
]
