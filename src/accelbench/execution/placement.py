"""Where a task can run: the live workers that meet its hardware requirements and have room, and
which of them to prefer (one this task has not been lost on, then one that holds the model, then
the idlest)."""

from __future__ import annotations

from typing import Any

from accelbench.execution.scheduler import requirements_key
from accelbench.execution.workers import WorkerSpec, unit_type

# (worker, hardware type it matched as, unit type, units taken)
Slot = tuple[WorkerSpec, str, str, int]


def model_key(task: Any) -> str:
    """The artifact a worker holds after running `task`: model, size and runtime."""
    return f"{task.config.model}-{task.config.size}/{task.config.backend}"


class Placement:
    """The units in use per worker and the preferences that pick a worker for a task."""

    def __init__(self, workers: dict[str, WorkerSpec], slots_per_unit: int) -> None:
        self.workers = workers  # the coordinator's dict: heartbeats update it in place
        self.slots_per_unit = slots_per_unit  # attempts an executor runs at once per unit (Ray: 2)
        self.used: dict[tuple[str, str], int] = {}  # (worker id, unit type) -> units taken
        self.avoid: dict[str, set[str]] = {}  # task name -> workers an attempt of it was lost on
        self.seen_models: dict[str, set[str]] = {}  # worker id -> model_key()s it ran in this run
        self._eligible: dict[str, list[tuple[WorkerSpec, str]]] = {}  # requirements -> (worker, type)

    def eligible_for(self, task: Any) -> list[tuple[WorkerSpec, str]]:
        """Live workers meeting the task's requirements, each with the hardware type it matched as."""
        key = requirements_key(task)
        if key not in self._eligible:
            found = []
            for w in self.workers.values():
                hw_type, _ = w.match(task.requirements)
                if hw_type is not None:
                    found.append((w, hw_type))
            self._eligible[key] = found
        return [(w, h) for w, h in self._eligible[key] if w.alive]

    def why_unschedulable(self, task: Any) -> str:
        """Why no live worker can take `task`, worker by worker."""
        alive = [w for w in self.workers.values() if w.alive]
        if not alive:
            return "no live worker"
        reasons = [f"{w.worker_id}: {w.match(task.requirements)[1]}" for w in alive]
        return "no worker meets the hardware requirements (" + "; ".join(reasons) + ")"

    def place(self, task: Any) -> Slot | None:
        """The preferred worker with room for `task` now, or None."""
        best, best_rank = None, None
        model = model_key(task)
        for w, hw_type in self.eligible_for(task):
            unit = unit_type(hw_type)
            cap = w.capacity.get(unit, 0)
            used = self.used.get((w.worker_id, unit), 0)
            exclusive = task.requirements.exclusive_access
            if exclusive and used > 0 or not exclusive and used >= cap * self.slots_per_unit:
                continue
            # Prefer a worker not failed by this task before, then one that holds the model (ran it in this
            # run, or its heartbeat lists it in its artifact cache), then the idlest.
            rank = (
                w.worker_id in self.avoid.get(task.name, ()),
                model not in self.seen_models.get(w.worker_id, ())
                and model not in (w.load or {}).get("cached_models", ()),
                used / max(cap, 1),
            )
            if best_rank is None or rank < best_rank:
                best, best_rank = (w, hw_type, unit, cap if exclusive else 1), rank
        return best

    def take(self, task: Any, worker: WorkerSpec, unit: str, units: int) -> None:
        """`task` was submitted to `worker`, holding `units` of `unit`."""
        self.used[(worker.worker_id, unit)] = self.used.get((worker.worker_id, unit), 0) + units
        self.seen_models.setdefault(worker.worker_id, set()).add(model_key(task))

    def release(self, worker: WorkerSpec, unit: str, units: int) -> None:
        """An attempt on `worker` ended: its units are free again."""
        self.used[(worker.worker_id, unit)] -= units

    def lost_on(self, task_name: str, worker: WorkerSpec) -> None:
        """An attempt of `task_name` was lost with `worker`: prefer others for its retries."""
        self.avoid.setdefault(task_name, set()).add(worker.worker_id)

    def busy(self, w: WorkerSpec) -> bool:
        """Whether `w` holds any units."""
        return any(v > 0 for (wid, _), v in self.used.items() if wid == w.worker_id)

    def workers_changed(self) -> None:
        """Workers joined, left or changed (a heartbeat): match requirements again."""
        self._eligible.clear()
