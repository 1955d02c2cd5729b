"""Schema version 4 (analysis): the `result_verdicts` view, the latest verdict of every result.

benchmark_result_validation keeps every validation (a result re-validated gets a new row); readers
want the latest one. Join it as
`LEFT JOIN result_verdicts v ON v.result_id = r.result_id`.
"""

STATEMENTS = [
    """CREATE OR REPLACE VIEW result_verdicts AS
    SELECT benchmark_id AS result_id,
           CASE WHEN is_valid THEN 'VALID' ELSE 'INVALID' END AS verdict,
           is_valid,
           confidence_score AS stability_score,
           coefficient_of_variation,
           outlier_score AS outlier_fraction,
           retest_count,
           validation_notes AS verdict_notes,
           validation_method,
           validation_time,
           validation_details
    FROM benchmark_result_validation
    QUALIFY row_number() OVER (PARTITION BY benchmark_id ORDER BY validation_id DESC) = 1""",
]
