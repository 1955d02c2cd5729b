"""Task states, dependencies and ready queues: which task may start next. Pure logic, no I/O.

Ready tasks are grouped by their HardwareRequirements (a handful of classes even for 10,000
tasks), each class a heap ordered by priority (1 is most urgent), then longest estimated time
first, then suite order. Picking the next task looks only at the head of each class.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable
from typing import Any


def requirements_key(task: Any) -> str:
    """Tasks with equal requirements share a ready queue and a placement decision."""
    return json.dumps(task.requirements.to_dict(), sort_keys=True)


class Scheduler:
    """Dependency counts, final statuses and per-requirements ready heaps of one run."""

    def __init__(self, tasks: Iterable[Any], estimates_s: dict[str, float]) -> None:
        self.tasks = {t.name: t for t in tasks}
        self.estimates_s = estimates_s
        self.index = {name: i for i, name in enumerate(self.tasks)}
        self.status: dict[str, str] = {}
        self.dependents: dict[str, list[str]] = {n: [] for n in self.tasks}
        self.waiting: dict[str, int] = {}
        self.ready: dict[str, list[tuple[int, float, int, str]]] = {}
        for t in self.tasks.values():
            for dep in set(t.dependencies):
                self.dependents[dep].append(t.name)

    # -- set-up --------------------------------------------------------------------------------
    def preset(self, name: str, status: str) -> None:
        """Record a status stored before this coordinator started (resume)."""
        self.status[name] = status

    def start(self) -> list[tuple[str, str]]:
        """Queue every task whose dependencies are met; returns (task, reason) of tasks now blocked."""
        blocked: list[tuple[str, str]] = []
        for name, t in self.tasks.items():
            if name in self.status:
                continue
            deps = set(t.dependencies)
            failed = sorted(
                d for d in deps if self.status.get(d, "success") != "success" and d in self.status
            )
            if failed:
                blocked += self._block(name, failed[0])
                continue
            self.waiting[name] = sum(1 for d in deps if d not in self.status)
            if self.waiting[name] == 0:
                self.push(name)
        return blocked

    # -- transitions ---------------------------------------------------------------------------
    def push(self, name: str) -> None:
        """Make `name` ready (again, for a retry)."""
        t = self.tasks[name]
        key = (t.priority, -self.estimates_s.get(name, 0.0), self.index[name], name)
        heapq.heappush(self.ready.setdefault(requirements_key(t), []), key)

    def finish(self, name: str, status: str) -> list[tuple[str, str]]:
        """Record `name` final; queue dependents it unblocks; returns (task, reason) of those now blocked."""
        self.status[name] = status
        blocked: list[tuple[str, str]] = []
        for child in self.dependents[name]:
            if child in self.status:
                continue
            if status != "success":
                blocked += self._block(child, name)
                continue
            if child in self.waiting:
                self.waiting[child] -= 1
                if self.waiting[child] == 0:
                    self.push(child)
        return blocked

    def _block(self, name: str, failed_dep: str) -> list[tuple[str, str]]:
        # Iterative, so a long dependency chain cannot hit the recursion limit.
        out: list[tuple[str, str]] = []
        stack = [(name, failed_dep)]
        while stack:
            n, dep = stack.pop()
            if n in self.status:
                continue
            reason = f"dependency '{dep}' ended {self.status.get(dep, 'blocked')}"
            self.status[n] = "blocked"
            out.append((n, reason))
            stack += [(c, n) for c in self.dependents[n] if c not in self.status]
        return out

    def pop_next(self, place: Callable[[Any], Any]) -> tuple[Any, Any] | None:
        """The most urgent ready task that `place(task)` finds room for, with place's answer."""
        heads = sorted((heap[0], key) for key, heap in self.ready.items() if heap)
        for (_, _, _, name), key in heads:
            task = self.tasks[name]
            slot = place(task)
            if slot is not None:
                heapq.heappop(self.ready[key])
                return task, slot
        return None

    def drop_ready(self, key: str) -> list[str]:
        """Empty one ready class (its tasks became unschedulable); returns their names."""
        names = [entry[3] for entry in self.ready.pop(key, [])]
        return names

    @property
    def ready_count(self) -> int:
        """Tasks ready to start."""
        return sum(len(h) for h in self.ready.values())

    def pending(self) -> list[str]:
        """Tasks not final yet."""
        return [n for n in self.tasks if n not in self.status]
