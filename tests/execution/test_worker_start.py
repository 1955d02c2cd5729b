"""`accelbench worker start` joining a real Ray cluster, end to end (accelbench issue #3).

Two Linux network namespaces joined by a veth pair stand in for two machines: the head namespace
runs `ray start --head` (it only coordinates: no CPUs) and the coordinator (`accelbench run`), the
worker namespace runs the real `accelbench worker start` CLI. A namespace has its own addresses,
so Ray cannot rewrite the head address to the host's (what defeats a loopback-only setup), and
nothing listens outside the namespaces this test creates. Every process and namespace is named
after the test's pid and removed at the end. Needs root and iproute2; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from accelbench.cli.main import cli
from accelbench.ipfs.netns import netns_unavailable  # the same check the IPFS emulation uses

pytestmark = [pytest.mark.ray]

HEAD_IP, WORKER_IP, GCS_PORT = "10.200.0.1", "10.200.0.2", 6379
ADDRESS = f"{HEAD_IP}:{GCS_PORT}"
CLI = [sys.executable, "-m", "accelbench.cli.main"]
EXPECTED_TERMINATION, DRAINED_ON_SIGTERM = 1, 3  # ray NodeDeathInfo.Reason values; 2 is UNEXPECTED

# A driver in the head namespace: waits until the node at IP is alive and registered (or gone),
# then prints what ray.nodes() and accelbench's key-value registry say about it.
PROBE = r"""
import json, sys, time
import ray
from ray.experimental import internal_kv

address, ip, want, timeout_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
ray.init(address=address, log_to_driver=False)
deadline = time.monotonic() + timeout_s
while True:
    nodes = [n for n in ray.nodes() if n["NodeManagerAddress"] == ip]
    registry = {}
    for key in internal_kv._internal_kv_list("worker:", namespace="accelbench"):
        info = json.loads(internal_kv._internal_kv_get(key, namespace="accelbench"))
        registry[info["node_id"]] = info
    live = [n for n in nodes if n["Alive"]]
    done = bool(live and live[0]["NodeID"] in registry) if want == "alive" else bool(nodes and not live)
    if done or time.monotonic() > deadline:
        break
    time.sleep(0.5)
print(json.dumps({"nodes": nodes, "registry": registry}, default=str))
"""


class TwoHosts:
    """A head and a worker namespace on one veth link, the Ray head in the first; close() removes all."""

    def __init__(self) -> None:
        tag = os.getpid() % 100000
        self.head_ns, self.worker_ns, self.veth = f"abray{tag}h", f"abray{tag}w", f"abray{tag}"
        # Short on purpose: Ray's socket paths under it must stay below 107 characters.
        self.temp_dir = tempfile.mkdtemp(prefix=f"abray{tag}", dir="/tmp")
        self.procs: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
        # What a real cluster needs too: every node and driver shares the head's token.
        self.env.update(
            RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(16), RAY_USAGE_STATS_ENABLED="0"
        )

    def open(self) -> None:
        """Create the namespaces and the link, start the head and wait until it serves."""
        for ns in (self.head_ns, self.worker_ns):
            _ip("netns", "add", ns)
            _ip("link", "set", "lo", "up", ns=ns)
        _ip("link", "add", f"{self.veth}a", "type", "veth", "peer", "name", f"{self.veth}b")
        for end, ns, addr in (("a", self.head_ns, HEAD_IP), ("b", self.worker_ns, WORKER_IP)):
            _ip("link", "set", f"{self.veth}{end}", "netns", ns)
            _ip("addr", "add", f"{addr}/30", "dev", f"{self.veth}{end}", ns=ns)
            _ip("link", "set", f"{self.veth}{end}", "up", ns=ns)
        ray_start = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block"]
        head = self.spawn(self.head_ns, [*ray_start, "--node-ip-address", HEAD_IP, "--port", str(GCS_PORT),
                                         "--include-dashboard=false", "--num-cpus", "0",
                                         "--object-store-memory", "100000000", "--temp-dir", self.temp_dir],
                          "head.log")  # fmt: skip
        deadline = time.monotonic() + 90
        while "Ray runtime started" not in self.log("head.log"):
            assert head.poll() is None and time.monotonic() < deadline, self.log("head.log")[-3000:]
            time.sleep(0.5)

    def spawn(self, ns: str, args: list[str], log_name: str) -> subprocess.Popen:
        """Start a process in namespace `ns`, its output going to `log_name` in the temp dir."""
        with open(Path(self.temp_dir) / log_name, "wb") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", ns, *args], stdout=out, stderr=subprocess.STDOUT,
                                    env=self.env, start_new_session=True)  # fmt: skip
        self.procs.append(proc)
        return proc

    def run(self, ns: str, args: list[str], timeout_s: float = 120) -> subprocess.CompletedProcess:
        """Run a command in namespace `ns` to completion."""
        return subprocess.run(["ip", "netns", "exec", ns, *args], capture_output=True, text=True,
                              env=self.env, timeout=timeout_s)  # fmt: skip

    def probe(self, want: str, timeout_s: float) -> dict:
        """ray.nodes() entries of the worker's address and the registry, once the node is `want` (alive/dead)."""
        done = self.run(self.head_ns, [sys.executable, "-c", PROBE, ADDRESS, WORKER_IP, want, str(timeout_s)],
                        timeout_s=timeout_s + 60)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def log(self, name: str) -> str:
        """The output so far of the process that writes `name`."""
        path = Path(self.temp_dir) / name
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        """Stop every process started here (Ray drains on SIGTERM), then remove namespaces and files."""
        import psutil

        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(45)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)  # the session start_new_session gave it
                    proc.wait()
        for p in psutil.process_iter(["pid", "cmdline"]):  # Ray processes that outlived their parent
            if self.temp_dir in " ".join(p.info["cmdline"] or []):
                p.kill()
        for ns in (self.head_ns, self.worker_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # removes the veth with it
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = ["ip", *(["-n", ns] if ns else []), *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")


@pytest.fixture(scope="module")
def hosts():
    reason = netns_unavailable()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("ray")
    two = TwoHosts()
    try:
        two.open()
        yield two
    finally:
        two.close()


def _benchmark(hosts: TwoHosts, db: Path, hardware: str) -> subprocess.CompletedProcess:
    """`accelbench run` of one tiny BERT task on `hardware`, coordinated from the head namespace."""
    return hosts.run(hosts.head_ns, [*CLI, "run", "--models", "bert", "--sizes", "tiny", "--hardware", hardware,
                                     "--iterations", "3", "--warmup", "1", "--max-time", "1", "--no-validate",
                                     "--executor", "ray", "--ray-address", ADDRESS, "--db", str(db)],
                     timeout_s=240)  # fmt: skip


@pytest.mark.slow
@pytest.mark.network_ns
@pytest.mark.timeout(400)
def test_worker_joins_with_its_hardware_runs_its_task_and_leaves_on_sigterm(hosts, tmp_path):
    import psutil

    from accelbench.storage import Store

    started = datetime.now(UTC).replace(tzinfo=None)
    shown = hosts.run(hosts.worker_ns, [*CLI, "worker", "start", "--ray-address", ADDRESS, "--show"])
    assert shown.returncode == 0, shown.stderr
    expected = json.loads(shown.stdout)  # what detection finds on the worker "machine"
    types = {k.split(":")[1] for k in expected}
    hardware = "openvino" if "openvino" in types else "cpu"

    worker = hosts.spawn(hosts.worker_ns, [*CLI, "worker", "start", "--ray-address", ADDRESS,
                                           "--object-store-mb", "100"], "worker.log")  # fmt: skip
    seen = hosts.probe("alive", timeout_s=120)
    live = [n for n in seen["nodes"] if n["Alive"]]
    assert len(live) == 1, hosts.log("worker.log")[-3000:]
    node = live[0]
    assert {k: v for k, v in node["Resources"].items() if k.startswith("accelbench:")} == expected
    report = seen["registry"][node["NodeID"]]  # keyed by the worker's own node, not the head's
    assert report["resources"] == expected
    assert {h["hardware_type"] for h in report["hardware"]} == types
    assert abs(time.time() - report["load"]["time"]) < 30

    db = tmp_path / "bench.duckdb"
    done = _benchmark(hosts, db, hardware)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    store = Store(db, read_only=True)
    (result,) = store.query(
        "SELECT status, worker_id, hardware_type, latency_median_ms FROM performance_results"
    )
    assert result["status"] == "success" and result["latency_median_ms"] > 0, result
    assert result["worker_id"] == report["worker_id"] and result["hardware_type"] == hardware
    (row,) = store.query("SELECT * FROM benchmark_workers WHERE worker_id = ?", [report["worker_id"]])
    assert {k for k, v in json.loads(row["hardware_info"]).items() if v["available"]} == types
    capabilities = json.loads(row["capabilities"])
    assert capabilities["node_id"] == node["NodeID"]
    assert capabilities["capacity"] == {t: expected[f"accelbench:{t}"] for t in types}
    assert started - timedelta(seconds=1) <= row["last_heartbeat"] <= datetime.now(UTC).replace(tzinfo=None)
    assert row["total_executed_tasks"] == 1
    del store

    ray_processes = psutil.Process(worker.pid).children(recursive=True)  # `ray start`, raylet, ...
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(90) == 0, hosts.log("worker.log")[-3000:]
    _, still_running = psutil.wait_procs(ray_processes, timeout=30)
    assert not still_running, [p.cmdline()[:3] for p in still_running]
    gone = hosts.probe("dead", timeout_s=60)
    (dead,) = [n for n in gone["nodes"] if n["NodeID"] == node["NodeID"]]
    assert not dead["Alive"] and dead["DeathReason"] in (EXPECTED_TERMINATION, DRAINED_ON_SIGTERM), dead
    assert node["NodeID"] not in gone["registry"]

    db_after = tmp_path / "after.duckdb"
    after = _benchmark(hosts, db_after, hardware)
    assert after.returncode == 1, after.stdout[-3000:] + after.stderr[-3000:]
    (result,) = Store(db_after, read_only=True).query("SELECT status, worker_id FROM performance_results")
    assert result["status"] == "unschedulable" and result["worker_id"] is None, result


@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        (["--ray-address", "head-without-port"], "--ray-address", "is not host:port"),
        (["--ray-address", "127.0.0.1:6379"], "--ray-address", "loopback address, which Ray rewrites"),
        (
            ["--ray-address", "10.0.0.5:6379", "--object-store-mb", "10"],
            "--object-store-mb",
            "minimum of 79 MB",
        ),
    ],
)
def test_bad_worker_options_are_input_errors_naming_the_option(args, field, says):
    result = CliRunner().invoke(cli, ["worker", "start", *args])
    assert result.exit_code == 2, result.output
    assert f"field '{field}'" in result.output and says in result.output


def test_an_unreachable_head_fails_at_once_with_the_address():
    import socket

    pytest.importorskip("ray")
    with socket.socket() as s:  # a port nobody listens on (127.0.0.2: Ray does not rewrite it)
        s.bind(("127.0.0.2", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["worker", "start", "--ray-address", f"127.0.0.2:{port}"])
    assert result.exit_code == 1, result.output
    assert f"cannot reach the Ray head at 127.0.0.2:{port}" in result.output
    assert time.monotonic() - started < 5  # not Ray's tens of seconds of retries
