"""Placement prefers a worker whose artifact cache already holds the task's exported model."""

from __future__ import annotations

from exec_helpers import make_suite, make_task

from accelbench.backends.cache import ArtifactCache
from accelbench.execution.coordinator import Coordinator, _Options
from accelbench.execution.node import cached_models
from accelbench.execution.workers import WorkerSpec, cpu_hardware


def test_heartbeat_lists_the_models_in_the_artifact_cache(tmp_path):
    cache = ArtifactCache(tmp_path)
    parts = {"family": "bert", "size": "tiny", "backend": "onnxruntime", "precision": "fp32"}
    cache.get_or_create(parts, lambda d: (d / "model.onnx").write_bytes(b"x"))
    assert cached_models(str(tmp_path)) == ["bert-tiny/onnxruntime"]


class _TwoIdleWorkers:
    """The executor surface placement reads: two identical idle CPU workers (no processes needed)."""

    slots_per_unit = 1

    def __init__(self, cached_on_second: list[str]) -> None:
        cpu = cpu_hardware()
        self._workers = [
            WorkerSpec("w1", "h1", [cpu], {"cpu": 1}),
            WorkerSpec("w2", "h2", [cpu], {"cpu": 1}, load={"cached_models": cached_on_second}),
        ]

    def workers(self) -> list[WorkerSpec]:
        return self._workers


def test_placement_prefers_the_worker_holding_the_model(store):
    task = make_task("t")
    model = f"{task.config.model}-{task.config.size}/{task.config.backend}"
    for cached, expected in (([model], "w2"), ([], "w1"), (["other-tiny/pytorch"], "w1")):
        coord = Coordinator(
            make_suite(task),
            store,
            _TwoIdleWorkers(cached),
            run_id=1,
            resumed=False,
            progress=None,
            options=_Options(),
        )
        worker, *_ = coord.placement.place(task)
        assert worker.worker_id == expected, cached
