"""Request bodies of the prediction API (pydantic models)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from accelbench.prediction.query import MAX_QUERY


class PredictRequest(BaseModel):
    """One configuration to predict, and which target (latency_ms by default)."""

    model_name: str
    model_size: str = "tiny"
    hardware_type: str = "cpu"
    batch_size: int = Field(1, ge=1, le=MAX_QUERY["batch_size"])
    sequence_length: int = Field(128, ge=1, le=MAX_QUERY["sequence_length"])
    precision: str = "fp32"
    backend: str | None = None
    threads: int | None = Field(None, ge=1)
    target: str = "latency_ms"
