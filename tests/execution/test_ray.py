"""The Ray executor on a simulated multi-node cluster (ray.cluster_utils.Cluster, loopback only).

Nodes advertise different accelbench hardware through custom resources; there is no GPU here, so
the "cuda" node is a CPU process that only *claims* a GPU resource — the tasks are sleep probes,
which is what placement tests need.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest
from exec_helpers import make_suite, make_task, results_per_task

from accelbench.execution import run_suite
from accelbench.execution.probes import SleepProbe

pytestmark = [pytest.mark.ray, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray")
    import ray._private.ray_constants as ray_constants
    from ray.cluster_utils import Cluster

    # Ray rewrites 127.0.0.1 to the host's routable address unless told this is a one-host cluster.
    saved = ray_constants.ENABLE_RAY_CLUSTER
    ray_constants.ENABLE_RAY_CLUSTER = False

    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 0, "include_dashboard": False, "node_ip_address": "127.0.0.1"},
    )
    nodes = {
        "cpu-a": c.add_node(num_cpus=2, resources={"accelbench:cpu": 2}, node_ip_address="127.0.0.1"),
        "cpu-b": c.add_node(num_cpus=2, resources={"accelbench:cpu": 2}, node_ip_address="127.0.0.1"),
        "gpu": c.add_node(
            num_cpus=1,
            resources={"accelbench:cuda": 1, "accelbench:cuda:memory_gb": 80, "accelbench:cuda:cc_x10": 86},
            node_ip_address="127.0.0.1",
        ),
    }
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    yield c, {name: n.node_id for name, n in nodes.items()}
    ray.shutdown()
    c.shutdown()
    ray_constants.ENABLE_RAY_CLUSTER = saved


def _workers_of(store, run_id):
    rows = store.query("SELECT task_name, worker_id FROM performance_results WHERE run_id = ?", [run_id])
    return {r["task_name"]: r["worker_id"] for r in rows}


def test_each_task_lands_on_a_node_meeting_its_requirements(cluster, store):
    _, nodes = cluster
    suite = make_suite(
        *[make_task(f"cpu{i}") for i in range(4)],
        make_task("gpu-ok", hardware="cuda", min_compute_capability=8.0, min_memory_gb=40),
        make_task("gpu-too-old", hardware="cuda", min_compute_capability=9.0),
    )
    summary = run_suite(suite, store, executor="ray", task_fn=SleepProbe(0.05))
    placed = _workers_of(store, summary.run_id)
    assert placed["gpu-ok"] == f"ray:{nodes['gpu'][:12]}"
    cpu_workers = {f"ray:{nodes['cpu-a'][:12]}", f"ray:{nodes['cpu-b'][:12]}"}
    assert all(placed[f"cpu{i}"] in cpu_workers for i in range(4))
    (row,) = store.query(
        "SELECT status, error_message FROM performance_results WHERE task_name = 'gpu-too-old'"
    )
    assert row["status"] == "unschedulable" and "compute capability >= 9.0" in row["error_message"]
    registered = {r["worker_id"] for r in store.query("SELECT worker_id FROM benchmark_workers")}
    assert registered == cpu_workers | {f"ray:{nodes['gpu'][:12]}"}


def test_worker_killed_mid_task_is_retried_elsewhere_and_stored_once(cluster, store, tmp_path):
    suite = make_suite(make_task("victim", minutes=5), make_task("other"))
    killed = {}

    def killer():
        pid_file = tmp_path / "victim.a1.pid"
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)
        killed["pid"] = int(pid_file.read_text())
        os.kill(killed["pid"], signal.SIGKILL)

    thread = threading.Thread(target=killer)
    thread.start()
    summary = run_suite(
        suite,
        store,
        executor="ray",
        retry_backoff_s=0.05,
        task_fn=SleepProbe(0.0, durations_s={"victim": 2.0}, marker_dir=str(tmp_path)),
    )
    thread.join()
    assert summary.exit_code == 0, summary
    assert results_per_task(store, summary.run_id) == {"victim": 1, "other": 1}
    (row,) = store.query("SELECT attempt, worker_id FROM performance_results WHERE task_name = 'victim'")
    attempts = store.query(
        "SELECT worker_id, status FROM worker_task_assignments WHERE task_id = ? ORDER BY assignment_id",
        [f"{summary.run_id}:victim"],
    )
    assert [a["status"] for a in attempts] == ["lost", "success"]
    assert row["attempt"] == 2 and row["worker_id"] == attempts[1]["worker_id"] != attempts[0]["worker_id"]


def test_exclusive_task_holds_the_whole_node(cluster, store, tmp_path):
    suite = make_suite(make_task("excl", exclusive=True, minutes=10), *[make_task(f"t{i}") for i in range(4)])
    summary = run_suite(suite, store, executor="ray", task_fn=SleepProbe(0.2, marker_dir=str(tmp_path)))
    rows = store.query(
        "SELECT task_id, worker_id, start_time, end_time FROM worker_task_assignments WHERE task_id LIKE ?",
        [f"{summary.run_id}:%"],
    )
    (ex,) = [r for r in rows if r["task_id"].endswith(":excl")]
    same_node = [r for r in rows if r["worker_id"] == ex["worker_id"] and r is not ex]
    bad = [
        r for r in same_node if not (r["end_time"] <= ex["start_time"] or r["start_time"] >= ex["end_time"])
    ]
    assert not bad, (ex, bad)


def test_missing_ray_is_a_clear_missing_extra_error(store, monkeypatch):
    from accelbench.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "ray", None)  # what an install without the extra looks like
    with pytest.raises(MissingExtraError, match=r"accelbench\[ray\]"):
        run_suite(make_suite(make_task("a")), store, executor="ray", task_fn=SleepProbe())


def test_a_worker_that_stops_heartbeating_is_marked_lost(cluster):
    import json
    import time

    from ray.experimental import internal_kv

    from accelbench.execution.ray_executor import KV_NAMESPACE, _missed_heartbeats
    from accelbench.execution.runs import make_executor

    _, node_ids = cluster
    assert _missed_heartbeats({"load": {"time": 100.0}}, now=116.0)  # 3 × 5 s intervals missed
    assert not _missed_heartbeats({"load": {"time": 100.0}}, now=110.0)
    assert not _missed_heartbeats(None)  # plain `ray start` nodes: Ray's health checks decide

    def report(node: str, age_s: float) -> None:
        info = {
            "worker_id": f"w-{node}",
            "hostname": "h",
            "node_id": node_ids[node],
            "hardware": [],
            "load": {"time": time.time() - age_s},
        }
        internal_kv._internal_kv_put(f"worker:{node_ids[node]}", json.dumps(info), namespace=KV_NAMESPACE)

    try:
        report("cpu-a", 60.0)
        report("cpu-b", 1.0)
        alive = {w.worker_id: w.alive for w in make_executor("ray", SleepProbe(0.0)).refresh()}
        assert alive["w-cpu-a"] is False and alive["w-cpu-b"] is True
    finally:
        for node in ("cpu-a", "cpu-b"):
            internal_kv._internal_kv_del(f"worker:{node_ids[node]}", namespace=KV_NAMESPACE)


def test_a_node_that_leaves_the_cluster_is_marked_lost(cluster):
    # Ray lists a dead node with empty resources; the executor used to skip it and keep it alive.
    from accelbench.execution.runs import make_executor

    c, _ = cluster
    extra = c.add_node(num_cpus=1, resources={"accelbench:cpu": 1}, node_ip_address="127.0.0.1")
    c.wait_for_nodes()
    executor = make_executor("ray", SleepProbe(0.0))
    assert [w.alive for w in executor.refresh() if w.node_id == extra.node_id] == [True]
    c.remove_node(extra)
    deadline = time.time() + 30
    while time.time() < deadline:
        states = [w.alive for w in executor.refresh() if w.node_id == extra.node_id]
        if states == [False]:
            break
        time.sleep(0.5)
    assert states == [False]
    assert extra.node_id not in {w.node_id for w in executor.workers()}
