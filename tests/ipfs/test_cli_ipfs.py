"""`accelbench ipfs` commands: cid, add/unpack with CAR, get, bench storing its rows; bad input exits 2."""

from __future__ import annotations

import asyncio
import threading

from accelbench.cli.main import cli
from accelbench.storage import Store


def test_cid_prints_the_reference_cid(cli_runner, tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello world")
    result = cli_runner.invoke(cli, ["ipfs", "cid", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"


def test_add_writes_a_car_that_unpacks_to_the_same_bytes(cli_runner, tmp_path):
    src = tmp_path / "data.bin"
    src.write_bytes(bytes(range(256)) * 5000)
    car, out = tmp_path / "data.car", tmp_path / "out.bin"
    added = cli_runner.invoke(cli, ["ipfs", "add", str(src), "--car", str(car), "--chunk-size", "64KiB"])
    assert added.exit_code == 0, added.output
    unpacked = cli_runner.invoke(cli, ["ipfs", "unpack", str(car), "--output", str(out)])
    assert unpacked.exit_code == 0, unpacked.output
    assert out.read_bytes() == src.read_bytes()
    assert added.output.split()[0] == unpacked.output.split()[0]


def test_malformed_car_exits_2_with_a_clear_message(cli_runner, tmp_path):
    bad = tmp_path / "bad.car"
    bad.write_bytes(b"\x0anot a car")
    result = cli_runner.invoke(cli, ["ipfs", "unpack", str(bad)])
    assert result.exit_code == 2
    assert "bad.car" in result.output and "not a valid UnixFS CAR" in result.output


def test_malformed_cid_exits_2(cli_runner):
    result = cli_runner.invoke(cli, ["ipfs", "get", "bafy-not-a-cid", "--peer-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "is not a valid CID" in result.output


def test_bad_options_exit_2_before_anything_is_written(cli_runner, tmp_path):
    db = tmp_path / "t.duckdb"
    for args in (["--strategies", "teleport"], ["--bandwidth", "fast"], ["--content-sizes", "huge"],
                 ["--latency", "soon"], ["--peer-counts", "0"]):  # fmt: skip
        result = cli_runner.invoke(cli, ["ipfs", "bench", "--db", str(db), *args])
        assert result.exit_code == 2, (args, result.output)
    assert not db.exists()


def test_get_fetches_from_a_running_gateway(cli_runner, tmp_path):
    from accelbench.ipfs.gateway import GatewayPeer
    from accelbench.ipfs.unixfs import import_file

    imported = import_file(b"served by a real gateway" * 1000)
    loop = asyncio.new_event_loop()
    peer = GatewayPeer("p")
    for key, block in imported.blocks.items():
        from accelbench.ipfs.cids import cid_from_bytes

        peer.blockstore.put(cid_from_bytes(key), block)
    url = loop.run_until_complete(peer.start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        out = tmp_path / "got.bin"
        result = cli_runner.invoke(
            cli, ["ipfs", "get", str(imported.root), "--peer-url", url, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == b"served by a real gateway" * 1000
    finally:
        asyncio.run_coroutine_threadsafe(peer.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_bench_stores_one_metrics_row_per_scenario_and_every_retrieval(cli_runner, tmp_path):
    db = tmp_path / "t.duckdb"
    result = cli_runner.invoke(cli, [
        "ipfs", "bench", "--content-sizes", "512KiB", "--strategies", "standard,accelerated",
        "--peer-counts", "2,3", "--iterations", "2", "--bandwidth", "200mbit", "--profile", "legacy-cidv1",
        "--db", str(db),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store(db, read_only=True)
    rows = store.query("SELECT * FROM ipfs_acceleration_metrics ORDER BY id")
    assert [(r["strategy"], r["peer_count"]) for r in rows] == [
        ("standard", 2),
        ("accelerated", 2),
        ("standard", 3),
        ("accelerated", 3),
    ]
    for r in rows:
        assert r["is_simulated"] is False and r["tier"] == "real" and r["shaping"] == "application"
        assert r["content_size_bytes"] == 512 * 1024 and r["success_rate"] == 1.0 and r["retrievals"] == 2
        assert r["ttfb_p50_ms"] > 0 and r["ttlb_p95_ms"] >= r["ttlb_p50_ms"] > 0
        assert r["distribution_throughput_mbps"] > 0 and 0.9 < r["bandwidth_efficiency_ratio"] <= 1
        assert r["duplicate_block_ratio"] == 0
    raw = store.query(
        "SELECT metric_id, count(*) AS n, bool_and(success) AS ok FROM ipfs_retrievals GROUP BY 1"
    )
    assert sorted((r["n"], r["ok"]) for r in raw) == [(2, True)] * 4
    (run,) = store.query("SELECT status FROM test_runs")
    assert run["status"] == "completed"
