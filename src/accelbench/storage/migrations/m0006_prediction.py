"""Schema version 6 (prediction): model provenance and the prediction log's interval and verification.

The plan's predictive_performance_models and performance_predictions tables (m0002) lack what
closing the loop needs: which target a logged prediction is of, its 90 % interval, whether it was
in domain, the model version, and which measured result verified it and when.
"""

STATEMENTS = [
    "ALTER TABLE predictive_performance_models ADD COLUMN IF NOT EXISTS data_fingerprint VARCHAR",
    "ALTER TABLE predictive_performance_models ADD COLUMN IF NOT EXISTS training_rows INTEGER",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS target_metric VARCHAR",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS model_version VARCHAR",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS lower_bound DOUBLE",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS upper_bound DOUBLE",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS in_domain BOOLEAN",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS verified_at TIMESTAMP",
    "ALTER TABLE performance_predictions ADD COLUMN IF NOT EXISTS verified_result_id BIGINT",
]
