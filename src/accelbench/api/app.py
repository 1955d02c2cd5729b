"""The prediction REST API (the plan's Appendix B), answering from models held in memory."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from accelbench.api.ipfs import predict_acceleration
from accelbench.api.schemas import PredictRequest
from accelbench.api.state import ServiceState
from accelbench.errors import InputError
from accelbench.prediction.learner import InsufficientDataError
from accelbench.prediction.query import MAX_QUERY


def create_app(db_path: str | Path, *, refresh_seconds: float = 5.0, log_predictions: bool = True) -> Any:
    """A FastAPI app serving predictions from `db_path`'s newest trained models (its ServiceState is
    `app.state.service`: loaded and warmed up at start-up, before the first request)."""
    from fastapi import Body, FastAPI, Query, Request
    from fastapi.responses import JSONResponse

    state = ServiceState(db_path, refresh_seconds=refresh_seconds, log_predictions=log_predictions)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        state.start()
        yield
        state.stop()

    app = FastAPI(
        title="accelbench prediction API",
        version="1",
        description="Learned performance predictions with 90 % intervals; every number says how it "
        "was obtained.",
        lifespan=lifespan,
    )
    app.state.service = state

    @app.exception_handler(InsufficientDataError)
    async def _no_data(request: Request, exc: InsufficientDataError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc), "parameter": exc.field})

    @app.exception_handler(InputError)
    async def _bad_input(request: Request, exc: InputError) -> JSONResponse:
        loc = ["query", exc.field] if exc.field else ["query"]
        return JSONResponse(
            status_code=422, content={"detail": [{"loc": loc, "msg": exc.detail, "type": "value_error"}]}
        )

    def predictor() -> Any:
        if state.predictor is None:
            raise InsufficientDataError(f"no prediction model available: {state.unavailable_reason}")
        return state.predictor

    def _latency_body(p: Any) -> dict[str, Any]:
        return {
            "predicted_latency_ms": p.predicted_value,
            "lower_ms": p.lower,
            "upper_ms": p.upper,
            "interval_coverage": p.coverage,
            "confidence_score": p.confidence_score,
            "in_domain": p.in_domain,
            "out_of_domain": p.out_of_domain,
            "similar_configurations": p.nearest_measured,
            "model_version": p.model_version,
            "model_id": p.model_id,
            "method": p.method,
            "query": p.query,
        }

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        """Which model version is loaded, when, and how many predictions wait to be logged."""
        p = state.predictor
        return {
            "model_version": p.bundle.version if p else None,
            "targets": p.targets if p else [],
            "unavailable_reason": None if p else state.unavailable_reason,
            "loaded_at": state.loaded_at,
            "last_error": state.last_error,
            "warm_up_seconds": state.warm_up_seconds,
            "warm_up_error": state.warm_up_error,
            "predictions_logged": state.logged,
            "predictions_pending": state.pending,
        }

    @app.get("/api/predict/latency")
    def predict_latency(
        model_name: str,
        hardware_type: str = "cpu",
        batch_size: int = Query(1, ge=1, le=MAX_QUERY["batch_size"]),
        sequence_length: int = Query(128, ge=1, le=MAX_QUERY["sequence_length"]),
        precision: str = "fp32",
        model_size: str = "tiny",
        backend: str | None = None,
        threads: int | None = Query(None, ge=1),
    ) -> dict[str, Any]:
        """Predicted latency (ms) of one configuration with a 90 % interval and similar measured ones."""
        from accelbench.prediction.query import Query as PQuery

        p = predictor().predict(
            PQuery(
                model_name,
                model_size,
                hardware_type,
                batch_size,
                sequence_length,
                precision,
                backend,
                threads,
            )
        )
        state.enqueue([p])
        return _latency_body(p)

    @app.post("/api/predict/batch")
    def predict_batch(requests: list[PredictRequest] = Body(..., max_length=1000)) -> Any:
        """Predictions for a list of configurations (each with its own target), in request order."""
        from accelbench.prediction.query import Query as PQuery

        out = []
        for i, r in enumerate(requests):
            q = PQuery(
                r.model_name,
                r.model_size,
                r.hardware_type,
                r.batch_size,
                r.sequence_length,
                r.precision,
                r.backend,
                r.threads,
            )
            try:
                p = predictor().predict(q, r.target)
            except InputError as exc:
                code = 404 if isinstance(exc, InsufficientDataError) else 422
                return JSONResponse(
                    status_code=code,
                    content={
                        "detail": [
                            {
                                "loc": ["body", i, *([exc.field] if exc.field else [])],
                                "msg": exc.detail,
                                "type": "value_error",
                            }
                        ]
                    },
                )
            out.append(p)
        state.enqueue(out)
        return [p.to_dict() for p in out]

    @app.get("/api/recommend/hardware")
    def recommend_hardware(
        model_name: str,
        model_size: str = "tiny",
        constraints: str = "{}",
        available_hardware: str | None = None,
        batch_size: int = Query(1, ge=1, le=MAX_QUERY["batch_size"]),
        sequence_length: int = Query(128, ge=1, le=MAX_QUERY["sequence_length"]),
        precision: str | None = None,
    ) -> dict[str, Any]:
        """Hardware ranked by predicted throughput under constraints (JSON: max_latency_ms, min_throughput,
        max_memory_mb, max_power_watts); available_hardware is a comma list."""
        from accelbench.prediction.recommend import Constraints, rank_hardware

        try:
            parsed = json.loads(constraints)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}", field="constraints") from None
        if not isinstance(parsed, dict):
            raise InputError("must be a JSON object", field="constraints")
        available = (
            [h.strip() for h in available_hardware.split(",") if h.strip()] if available_hardware else None
        )
        result = rank_hardware(
            predictor(),
            model_name,
            model_size,
            batch_size=batch_size,
            sequence_length=sequence_length,
            precision=precision,
            constraints=Constraints.from_dict(parsed),
            available=available,
        )
        rec = result["recommended"]
        return {
            "recommended_hardware": [f"{o['hardware_type']}/{o['backend']}/{o['precision']}" for o in rec],
            "expected_metrics": [o["predicted"] for o in rec],
            "confidence_scores": [o["confidence_score"] for o in rec],
            **result,
        }

    @app.get("/api/ipfs/predict/acceleration")
    def ipfs_acceleration(
        content_size: int = Query(..., ge=1),
        peer_count: int = Query(1, ge=1),
        network_topology: str | None = None,
        optimization_strategy: str | None = None,
    ) -> Any:
        """Content-retrieval figures from the stored IPFS benchmark rows nearest to the query."""
        if not state.ipfs_rows:
            return JSONResponse(
                status_code=404,
                content={"detail": "no IPFS benchmark data stored (run `accelbench ipfs bench` first)"},
            )
        return predict_acceleration(
            state.ipfs_rows, content_size, peer_count, network_topology, optimization_strategy
        )

    return app
