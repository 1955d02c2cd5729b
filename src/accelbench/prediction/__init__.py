"""Learned performance prediction: features, per-target models with conformal intervals, evaluation,
recommendations and the loop that verifies served predictions against later measurements.

Nothing heavy is imported here; import the submodules (they import lightgbm/scipy inside functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.prediction.predictor import Predictor  # noqa: F401
    from accelbench.prediction.verify import verify_predictions  # noqa: F401

_LAZY = {
    "Predictor": "predictor",
    "Query": "query",
    "verify_predictions": "verify",
    "accuracy_over_time": "verify",
    "train_bundle": "bundle",
    "evaluate": "evaluation",
    "load_predictor": "service",
    "training_rows": "service",
    "train_and_store": "service",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accelbench.prediction' has no attribute {name!r}")
    return getattr(importlib.import_module(f"accelbench.prediction.{module}"), name)
