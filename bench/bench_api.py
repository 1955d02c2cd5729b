"""Single-prediction latency through the REST API: a real uvicorn server on 127.0.0.1, open-loop load.

Trains models on the reference dataset into a temporary database (or uses --db), starts
`accelbench serve` in its own process, then sends GET /api/predict/latency at a fixed rate
(requests are scheduled at t0 + i/rate whether or not earlier ones finished, so queueing shows).
Served predictions are logged to the database as in production. Each distinct query is
sent once before timing (a shape the model was not trained on is traced on its first query,
~20-30 ms once); with --cold nothing is sent before timing, and the first request after start is
timed on its own (the server warms its models up before it serves). With --busy-cores N, N
processes spin on the CPU while requests are timed: what a benchmark running beside the API (the
case the API is designed for) does to it. Goal (issue 6): p99 <= 20 ms at 200 req/s.
Usage: .venv/bin/python bench/bench_api.py [--rate 200] [--requests 2000] [--db PATH] [--cold]
       [--busy-cores N]
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trained_db(directory: str) -> str:
    from accelbench.prediction.service import train_and_store, training_rows

    files = sorted(glob.glob("data/reference/*.parquet"))
    if not files:
        sys.exit("no data/reference/*.parquet: collect it first (see data/reference/README.md)")
    path = str(Path(directory) / "bench_api.duckdb")
    bundle = train_and_store(path, training_rows(None, files))
    print(f"trained {bundle.version} on {files}")
    return path


async def load(url: str, rate: float, n: int, cold: bool) -> tuple[list[float], float, int]:
    import httpx

    params = [{"model_name": "bert", "batch_size": 1 + i % 16, "sequence_length": 128} for i in range(n)]
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:
        if cold:  # the first request a freshly started server answers (a trained shape)
            t = time.perf_counter()
            await client.get("/api/predict/latency", params=params[0])
            print(f"first request after start: {(time.perf_counter() - t) * 1e3:.2f} ms")
        else:  # each distinct query once: a shape the model was not trained on is traced once
            for p in params[:16]:
                await client.get("/api/predict/latency", params=p)

        async def one(i: int, at: float) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            t = time.perf_counter()
            r = await client.get("/api/predict/latency", params=params[i])
            latencies.append((time.perf_counter() - t) * 1e3)
            errors += r.status_code != 200

        t0 = time.perf_counter() + 0.1
        await asyncio.gather(*(one(i, t0 + i / rate) for i in range(n)))
        wall = time.perf_counter() - t0
    return latencies, wall, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--cold", action="store_true", help="send nothing before timing")
    ap.add_argument("--busy-cores", type=int, default=0, help="processes spinning on the CPU meanwhile")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or trained_db(tmp)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "accelbench"), "serve", "--db", db, "--port", str(port)]
        )
        try:
            url = f"http://127.0.0.1:{port}"
            import httpx

            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/api/health", timeout=1).json().get("model_version"):
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit("server did not come up with a model in 60 s")
                time.sleep(0.2)
            spin = [
                subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy_cores)
            ]
            try:
                lat, wall, errors = asyncio.run(load(url, args.rate, args.requests, args.cold))
            finally:
                for p in spin:
                    p.kill()
        finally:
            server.terminate()
            server.wait(timeout=30)
    q = statistics.quantiles(lat, n=100)
    busy = f", {args.busy_cores} core(s) kept busy" if args.busy_cores else ""
    print(
        f"{len(lat)} requests at {args.rate:.0f}/s target{busy}, achieved {len(lat) / wall:.0f}/s, errors {errors}"
    )
    print(
        f"latency ms: p50 {q[49]:.2f}  p90 {q[89]:.2f}  p99 {q[98]:.2f}  max {max(lat):.2f}  "
        f"(goal p99 <= 20 ms: {'met' if q[98] <= 20 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
