"""Versioned models in predictive_performance_models, and the prediction log in performance_predictions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from accelbench.prediction.bundle import ModelBundle
from accelbench.prediction.learner import InsufficientDataError

if TYPE_CHECKING:
    from accelbench.prediction.predictor import Prediction
    from accelbench.storage import Store


def save_bundle(store: Store, bundle: ModelBundle, metrics: dict[str, Any] | None = None) -> dict[str, int]:
    """Store one row per target (same version) in one transaction; returns target -> model_id."""
    ids = {}
    with store.transaction() as con:
        for target, model in bundle.models.items():
            m = (metrics or {}).get(target, {})
            params = {
                "hyperparameters": model.hyper,
                "half_widths_log": model.half_widths,
                "domain": model.domain,
                "metrics": m,
                "skipped_targets": bundle.skipped,
            }
            accuracy = m.get("random", {}).get("within_10_percent")
            row = con.execute(
                "INSERT INTO predictive_performance_models (model_type, target_metric, training_date,"
                " model_version, model_accuracy, model_parameters, serialized_model, data_fingerprint,"
                " training_rows) VALUES ('batch-curves+lightgbm', ?, current_timestamp, ?, ?, ?, ?, ?, ?)"
                " RETURNING model_id",
                [
                    target,
                    bundle.version,
                    accuracy,
                    json.dumps(params, default=str),
                    bundle.blob(target),
                    bundle.data_fingerprint,
                    model.n_rows,
                ],
            ).fetchone()
            ids[target] = int(row[0]) if row else 0
    bundle.model_ids = ids
    return ids


def latest_version(store: Store) -> str | None:
    """Version string of the newest stored latency model (None if none is stored)."""
    rows = store.query(
        "SELECT model_version FROM predictive_performance_models WHERE target_metric ="
        " 'latency_ms' ORDER BY model_id DESC LIMIT 1"
    )
    return rows[0]["model_version"] if rows else None


def load_bundle(store: Store, version: str | None = None) -> ModelBundle:
    """The stored bundle of `version` (default: newest); InsufficientDataError if none is stored."""
    version = version or latest_version(store)
    if version is None:
        raise InsufficientDataError(
            "no trained prediction model stored in this database: run `accelbench predict train` first"
        )
    rows = store.query(
        "SELECT model_id, serialized_model FROM predictive_performance_models WHERE model_version = ?",
        [version],
    )
    if not rows:
        raise InsufficientDataError(f"no stored model version '{version}'", field="version")
    return ModelBundle.from_blobs({r["model_id"]: bytes(r["serialized_model"]) for r in rows})


def list_versions(store: Store) -> list[dict[str, Any]]:
    """Stored model versions with their targets, row counts and data fingerprints, newest first."""
    return store.query(
        "SELECT model_version, min(training_date) AS training_date, string_agg(target_metric, ',') AS targets,"
        " max(training_rows) AS training_rows, any_value(data_fingerprint) AS data_fingerprint"
        " FROM predictive_performance_models GROUP BY model_version ORDER BY min(model_id) DESC"
    )


def prediction_log_rows(predictions: list[Prediction]) -> list[list[Any]]:
    """performance_predictions values for served predictions (see log_predictions)."""
    return [
        [
            p.model_id,
            p.query["hardware_type"],
            p.query["model_name"],
            json.dumps(p.query),
            p.predicted_value,
            p.confidence_score,
            p.target,
            p.model_version,
            p.lower,
            p.upper,
            p.in_domain,
        ]
        for p in predictions
    ]


def log_predictions(store: Store, predictions: list[Prediction]) -> int:
    """Append served predictions to performance_predictions (unverified); returns how many."""
    values = prediction_log_rows(predictions)
    if not values:
        return 0
    with store.transaction() as con:
        con.executemany(
            "INSERT INTO performance_predictions (model_id, hardware_type, model_name, configuration,"
            " predicted_value, confidence_score, prediction_date, verified, target_metric, model_version,"
            " lower_bound, upper_bound, in_domain) VALUES (?, ?, ?, ?, ?, ?, current_timestamp, false,"
            " ?, ?, ?, ?, ?)",
            values,
        )
    return len(values)
