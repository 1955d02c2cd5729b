"""Schema version 5 (ipfs and simulation): measured retrieval figures, raw per-retrieval rows, calibrations.

The plan's ipfs_acceleration_metrics row holds one scenario (content size x strategy x peers x
network); its plan columns keep their meaning: retrieval_latency_ms is the median time to the
last verified block, distribution_throughput_mbps the median payload throughput, cache_hit_ratio
the block hit ratio, peer_count the peers in the swarm. The columns added here carry the
percentiles and ratios the issue asks for. Every retrieval is also kept in ipfs_retrievals.
`tier` says how the figures were obtained: real (loopback peers, application-layer shaping),
emulated (network namespaces with tbf), simulated (is_simulated = true, with its calibration).
"""

_METRIC_COLUMNS = [
    ("run_id", "INTEGER"),
    ("tier", "VARCHAR"),
    ("strategy", "VARCHAR"),
    ("root_cid", "VARCHAR"),
    ("chunk_profile", "VARCHAR"),
    ("shaping", "VARCHAR"),
    ("retrievals", "INTEGER"),
    ("success_rate", "DOUBLE"),
    ("ttfb_p50_ms", "DOUBLE"),
    ("ttfb_p90_ms", "DOUBLE"),
    ("ttfb_p95_ms", "DOUBLE"),
    ("ttlb_p50_ms", "DOUBLE"),
    ("ttlb_p90_ms", "DOUBLE"),
    ("ttlb_p95_ms", "DOUBLE"),
    ("throughput_p50_mbps", "DOUBLE"),
    ("duplicate_block_ratio", "DOUBLE"),
    ("cache_hit_ratio_bytes", "DOUBLE"),
    ("bytes_received", "BIGINT"),
    ("peers_connected", "DOUBLE"),
    ("peers_contributing", "DOUBLE"),
    ("bad_peers", "JSON"),
    ("calibration_id", "INTEGER"),
]

STATEMENTS = [
    *(f"ALTER TABLE ipfs_acceleration_metrics ADD COLUMN IF NOT EXISTS {n} {t}" for n, t in _METRIC_COLUMNS),
    "CREATE SEQUENCE IF NOT EXISTS seq_ipfs_retrieval_id START 1",
    """CREATE TABLE IF NOT EXISTS ipfs_retrievals (
        retrieval_id BIGINT PRIMARY KEY DEFAULT nextval('seq_ipfs_retrieval_id'),
        metric_id INTEGER,
        run_id INTEGER,
        iteration INTEGER,
        strategy VARCHAR,
        root_cid VARCHAR,
        client VARCHAR,
        success BOOLEAN,
        error_message VARCHAR,
        payload_bytes BIGINT,
        dag_bytes BIGINT,
        ttfb_ms DOUBLE,
        ttlb_ms DOUBLE,
        throughput_mbps DOUBLE,
        bytes_received BIGINT,
        blocks_received INTEGER,
        duplicate_blocks INTEGER,
        cache_hit_blocks INTEGER,
        cache_hit_bytes BIGINT,
        network_unique_bytes BIGINT,
        peers_connected INTEGER,
        peers_contributing INTEGER,
        bad_peers JSON,
        is_simulated BOOLEAN DEFAULT false,
        simulation_reason VARCHAR,
        created_at TIMESTAMP DEFAULT current_timestamp)""",
    "CREATE INDEX IF NOT EXISTS idx_ipfs_retrievals_metric ON ipfs_retrievals(metric_id)",
    "CREATE SEQUENCE IF NOT EXISTS seq_ipfs_calibration_id START 1",
    """CREATE TABLE IF NOT EXISTS ipfs_calibrations (
        calibration_id INTEGER PRIMARY KEY DEFAULT nextval('seq_ipfs_calibration_id'),
        created_at TIMESTAMP DEFAULT current_timestamp,
        per_request_overhead_ms DOUBLE,
        bandwidth_factor DOUBLE,
        tolerance DOUBLE,
        within_tolerance BOOLEAN,
        median_error_percent DOUBLE,
        source VARCHAR,
        scenarios JSON,
        results JSON)""",
]
