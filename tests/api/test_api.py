"""The REST API in-process through an ASGI client: answers, 422 naming the parameter, 404 without data."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from accelbench.api import create_app  # noqa: E402
from accelbench.storage import Store  # noqa: E402


@pytest.fixture
def client(api_db):
    with TestClient(create_app(api_db, refresh_seconds=0.2)) as c:
        yield c


def test_latency_prediction_says_how_sure_and_how_obtained(client):
    r = client.get(
        "/api/predict/latency",
        params={"model_name": "bert", "batch_size": 4, "sequence_length": 32, "backend": "pytorch"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lower_ms"] < body["predicted_latency_ms"] < body["upper_ms"]
    assert 0 < body["confidence_score"] <= 1 and body["in_domain"] and body["model_version"] == "api-1"
    assert body["similar_configurations"][0]["batch_size"] == 4 and "batch curve" in body["method"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"model_name": "gpt9"}, "model_name"),
        ({"model_name": "bert", "batch_size": 0}, "batch_size"),
        ({"model_name": "bert", "batch_size": "many"}, "batch_size"),
        ({"model_name": "bert", "precision": "fp9"}, "precision"),
        ({"model_name": "bert", "hardware_type": "tpu"}, "hardware_type"),
        ({}, "model_name"),
        # used to allocate the inputs of a 1e12 batch and answer 500
        ({"model_name": "bert", "batch_size": 10**12}, "batch_size"),
        ({"model_name": "bert", "sequence_length": 10**20}, "sequence_length"),
        ({"model_name": "bert", "threads": 0}, "threads"),
        ({"model_name": "bert", "backend": "tensorrt"}, "backend"),
    ],
)
def test_invalid_parameters_get_422_naming_the_parameter(client, params, name):
    r = client.get("/api/predict/latency", params=params)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", name]


def test_hardware_without_measurements_is_404_not_a_made_up_number(client):
    r = client.get("/api/predict/latency", params={"model_name": "bert", "hardware_type": "cuda"})
    assert r.status_code == 404 and "no measurements on cuda" in r.json()["detail"]


def test_batch_endpoint_keeps_order_and_names_the_bad_item(client):
    ok = client.post(
        "/api/predict/batch", json=[{"model_name": "bert"}, {"model_name": "t5", "target": "memory_peak_mb"}]
    )
    assert ok.status_code == 200
    assert [p["target"] for p in ok.json()] == ["latency_ms", "memory_peak_mb"]
    bad = client.post(
        "/api/predict/batch", json=[{"model_name": "bert"}, {"model_name": "bert", "precision": "x"}]
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", 1, "precision"]


def test_recommend_hardware_under_constraints(client):
    r = client.get(
        "/api/recommend/hardware",
        params={"model_name": "bert", "constraints": json.dumps({"max_latency_ms": 1e6})},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["recommended_hardware"][0].startswith("cpu/") and len(body["confidence_scores"]) == 2
    for bad in ("{not json", '{"max_latency": 5}', '{"max_latency_ms": -1}'):
        r = client.get("/api/recommend/hardware", params={"model_name": "bert", "constraints": bad})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "constraints"]
    r = client.get(
        "/api/recommend/hardware", params={"model_name": "bert", "constraints": '{"max_latency_ms": 0.001}'}
    )
    assert r.status_code == 422 and "no option meets" in r.json()["detail"][0]["msg"]


def test_ipfs_endpoint_is_404_without_data_and_answers_from_stored_rows(api_db):
    with TestClient(create_app(api_db)) as c:
        r = c.get("/api/ipfs/predict/acceleration", params={"content_size": 1000})
        assert r.status_code == 404 and r.json()["detail"].startswith("no IPFS benchmark data stored")
    with Store(api_db).transaction() as con:
        for size, lat in ((1_000, 5.0), (2_000, 6.0), (1_000_000, 90.0)):
            con.execute(
                "INSERT INTO ipfs_acceleration_metrics (acceleration_mode, content_size_bytes,"
                " retrieval_latency_ms, distribution_throughput_mbps, bandwidth_efficiency_ratio,"
                " peer_count) VALUES ('accelerated', ?, ?, 10.0, 0.9, 4)",
                [size, lat],
            )
    with TestClient(create_app(api_db)) as c:
        r = c.get("/api/ipfs/predict/acceleration", params={"content_size": 1500, "peer_count": 4})
        assert r.status_code == 200 and r.json()["predicted_latency_ms"] == 6.0  # median of the 3 stored
        assert r.json()["is_simulated"] is False
        r = c.get(
            "/api/ipfs/predict/acceleration", params={"content_size": 1500, "optimization_strategy": "x"}
        )
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "optimization_strategy"]


def test_openapi_schema_lists_the_plan_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/predict/latency",
        "/api/predict/batch",
        "/api/recommend/hardware",
        "/api/ipfs/predict/acceleration",
    ):
        assert p in paths


def test_served_predictions_are_logged(api_db):
    with TestClient(create_app(api_db)) as c:
        for bs in (1, 2, 3):
            assert (
                c.get("/api/predict/latency", params={"model_name": "bert", "batch_size": bs}).status_code
                == 200
            )
    rows = Store(api_db).query("SELECT configuration, target_metric, verified FROM performance_predictions")
    assert sorted(json.loads(r["configuration"])["batch_size"] for r in rows) == [1, 2, 3]
    assert {r["target_metric"] for r in rows} == {"latency_ms"} and not any(r["verified"] for r in rows)


def test_without_a_trained_model_predictions_are_404(tmp_path):
    with TestClient(create_app(tmp_path / "none.duckdb")) as c:
        r = c.get("/api/predict/latency", params={"model_name": "bert"})
        assert r.status_code == 404 and "no such database" in r.json()["detail"]
        assert c.get("/api/health").json()["model_version"] is None


def test_accelbench_serve_says_when_it_is_ready_and_answers(api_db):
    # the real command in its own process: it loads and warms the model up before listening
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = str(Path(sys.executable).parent / "accelbench")
    server = subprocess.Popen(
        [exe, "serve", "--db", str(api_db), "--port", str(port), "--no-log"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()  # the ready line comes before uvicorn listens
        assert "model api-1 (latency_ms, throughput_items_per_second, memory_peak_mb)" in line, line
        assert "warmed up in" in line and f"listening on http://127.0.0.1:{port}" in line
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/predict/latency", params={"model_name": "bert"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not listen within 30 s of its ready line"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["predicted_latency_ms"] > 0
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_model_whose_warm_up_fails_is_served_anyway_and_says_why(api_db, monkeypatch, caplog):
    from accelbench.api.state import ServiceState
    from accelbench.prediction.predictor import Predictor

    def broken(self: Predictor) -> float:
        raise RuntimeError("boom")

    monkeypatch.setattr(Predictor, "warm_up", broken)
    state = ServiceState(api_db, log_predictions=False)
    assert state.load()
    assert state.predictor is not None and state.predictor.bundle.version == "api-1"
    assert state.warm_up_seconds is None and state.warm_up_error == "RuntimeError: boom"
    assert "warming up model api-1 failed" in caplog.text  # logged with its traceback, not swallowed
