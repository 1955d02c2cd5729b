"""The API shares the DuckDB file with a benchmark writing to it from another process."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from accelbench.api import create_app  # noqa: E402
from accelbench.storage import Store  # noqa: E402

# Like `accelbench run`: a Store that takes the file for each transaction, here held 200 ms each time.
WRITER = """
import sys, time
from accelbench.storage import Store
store = Store(sys.argv[1])
with store.transaction() as con:
    con.execute("CREATE TABLE IF NOT EXISTS writer_ticks (t DOUBLE)")
print("started", flush=True)
end, n = time.time() + float(sys.argv[2]), 0
while time.time() < end:
    with store.transaction() as con:
        con.execute("INSERT INTO writer_ticks VALUES (?)", [time.time()])
        time.sleep(0.2)
    n += 1
    time.sleep(0.1)
print(n, flush=True)
"""

NEW_VERSION = """
import sys
from accelbench.prediction.registry import load_bundle, save_bundle
from accelbench.storage import Store
store = Store(sys.argv[1])
bundle = load_bundle(store)
bundle.version = "api-2"
save_bundle(store, bundle)
"""


def test_requests_are_answered_and_logged_while_a_writer_holds_the_file(api_db):
    with TestClient(create_app(api_db, refresh_seconds=0.5)) as client:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(api_db), "3"], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout.readline().strip() == "started"
        seconds = []
        while writer.poll() is None:
            t = time.perf_counter()
            r = client.get(
                "/api/predict/latency", params={"model_name": "bert", "batch_size": 1 + len(seconds)}
            )
            seconds.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            time.sleep(0.05)
        ticks = int(writer.stdout.read().split()[-1])
    assert writer.returncode == 0 and ticks >= 3  # the writer kept writing
    assert len(seconds) >= 10 and max(seconds) < 2.0  # from memory: never the 30 s lock wait
    logged = Store(api_db).query("SELECT configuration FROM performance_predictions")
    assert sorted(json.loads(r["configuration"])["batch_size"] for r in logged) == list(
        range(1, len(seconds) + 1)
    )


def test_a_newer_model_version_is_picked_up_without_restart(api_db):
    with TestClient(create_app(api_db, refresh_seconds=0.2)) as client:
        assert client.get("/api/health").json()["model_version"] == "api-1"
        subprocess.run([sys.executable, "-c", NEW_VERSION, str(api_db)], check=True)
        deadline = time.monotonic() + 10
        while client.get("/api/health").json()["model_version"] != "api-2":
            assert time.monotonic() < deadline, "new version not loaded"
            time.sleep(0.1)
        r = client.get("/api/predict/latency", params={"model_name": "bert"})
        assert r.json()["model_version"] == "api-2"
