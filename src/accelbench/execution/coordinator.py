"""The coordinator: schedules a suite's tasks on an executor's workers and is the only DuckDB writer.

It dispatches ready tasks (dependencies met) by priority then longest estimate, on a worker that
meets the task's HardwareRequirements and has room, retries attempts lost with their worker,
records timeouts, blocks dependents of failed tasks, and writes results plus the tracking tables
in batches (one transaction per flush, every `flush_interval_s`) through its ledger (ledger.py).
Which worker takes a task is placement.py's decision.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accelbench.execution import tracking
from accelbench.execution.estimates import EtaClock, estimate_seconds, history_seconds
from accelbench.execution.events import ProgressEvent, RunSummary
from accelbench.execution.ledger import Attempt, Ledger
from accelbench.execution.placement import Placement
from accelbench.execution.scheduler import Scheduler
from accelbench.execution.workers import WorkerSpec
from accelbench.runner.result import TaskResult, failed_measurements

log = logging.getLogger(__name__)

TIMEOUT_GRACE_S = 2.0  # the runner kills at the timeout itself; this is the coordinator's backstop
HEARTBEAT_INTERVAL_S = 2.0


@dataclass
class _Options:
    max_retries: int = 2
    retry_backoff_s: float = 0.5
    validate: bool = False
    retest_count: int = 0
    flush_interval_s: float = 0.5
    timeout_grace_s: float = TIMEOUT_GRACE_S


class Coordinator:
    """Runs one suite (or resumes one run) on one executor; see the module docstring."""

    def __init__(
        self,
        suite: Any,
        store: Any,
        executor: Any,
        *,
        run_id: int,
        resumed: bool,
        progress: Callable[[ProgressEvent], None] | None,
        options: _Options,
    ) -> None:
        self.suite, self.store, self.executor, self.run_id = suite, store, executor, run_id
        self.resumed, self.progress, self.opt = resumed, progress, options
        self.tasks = {t.name: t for t in suite.tasks}
        self.configs = {t.name: json.dumps(t.config.to_dict(), sort_keys=True) for t in suite.tasks}
        # Same digest as BenchmarkTask.config_hash, from the JSON computed once per task.
        self.hashes = {n: hashlib.sha256(c.encode()).hexdigest()[:16] for n, c in self.configs.items()}
        self.workers: dict[str, WorkerSpec] = {w.worker_id: w for w in executor.workers()}
        self.placement = Placement(self.workers, executor.slots_per_unit)
        self.in_flight: dict[int, Attempt] = {}
        self.current_attempt: dict[str, int] = {}
        self.lost_retries: dict[str, int] = {}
        self.retests: dict[str, int] = {}
        self.retry_heap: list[tuple[float, str]] = []
        self.final: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.skipped = 0
        self._key = 0
        self._stored_early: set[tuple[str, int]] = set()  # attempts stored before validation
        self.ledger = Ledger(store, run_id)

    # -- set-up --------------------------------------------------------------------------------
    def _prepare(self, env: dict[str, Any], config: dict[str, Any]) -> Scheduler:
        now = time.time()
        with self.store.transaction() as con:
            history = history_seconds(con, list(self.hashes.values()))
            stored = tracking.stored_statuses(con, self.run_id, set(self.tasks)) if self.resumed else {}
            tracking.register_run(
                con,
                self.run_id,
                self.suite,
                env=env,
                config=config,
                hashes=self.hashes,
                configs=self.configs,
                resumed=self.resumed,
                now=now,
            )
            tracking.upsert_workers(con, list(self.workers.values()), now)
        self.estimates = estimate_seconds(self.suite.tasks, self.hashes, history)
        sched = Scheduler(self.suite.tasks, self.estimates)
        for name, status in stored.items():
            sched.preset(name, status)
            self.final[name] = status
            self.counts[status] = self.counts.get(status, 0) + 1
        self.skipped = len(stored)
        self.sched = sched
        self.eta = EtaClock({n: s for n, s in self.estimates.items() if n not in stored}, self._parallelism())
        for t in self.suite.tasks:
            if t.name not in stored and not self.placement.eligible_for(t):
                self._finalize(t, "unschedulable", None, self.placement.why_unschedulable(t), attempt=1)
        for name, reason in sched.start():
            self._finalize_blocked(name, reason)
        return sched

    def _parallelism(self) -> int:
        return max(1, sum(sum(w.capacity.values()) for w in self.workers.values() if w.alive))

    def _dispatch(self) -> int:
        n = 0
        while True:
            picked = self.sched.pop_next(self.placement.place)
            if picked is None:
                return n
            task, (worker, hw_type, unit, units) = picked
            attempt = self.current_attempt.get(task.name, 0) + 1
            self.current_attempt[task.name] = attempt
            timeout_s = task.config.timeout_minutes * 60.0
            # Ray may queue an attempt behind others on the node, so its deadline allows for that wait.
            wait_factor = self.executor.slots_per_unit
            deadline = time.time() + (timeout_s + self.opt.timeout_grace_s) * wait_factor
            self._key += 1
            details = self.executor.submit(
                self._key,
                task,
                attempt=attempt,
                worker=worker,
                unit=unit,
                units=units,
                concurrent_tasks=len(self.in_flight),
                timeout_s=timeout_s,
            )
            self.placement.take(task, worker, unit, units)
            self.in_flight[self._key] = Attempt(
                task,
                attempt,
                worker,
                hw_type,
                unit,
                units,
                time.time(),
                deadline,
                dict(details or {}, node_id=worker.node_id),
            )
            self._emit("task_started", task.name, None)
            n += 1

    # -- outcomes ------------------------------------------------------------------------------
    def _on_outcome(self, key: Any, outcome: Any) -> None:
        att = self.in_flight.pop(key, None)
        if att is None:
            return
        self.placement.release(att.worker, att.unit, att.units)
        name = att.task.name
        if att.draining or name in self.final or att.attempt != self.current_attempt.get(name):
            return  # a late answer for an attempt already settled: never stored twice
        now = time.time()
        if isinstance(outcome, BaseException):
            self.ledger.record_attempt(att, "lost", str(outcome), now)
            done = self.lost_retries.get(name, 0)
            if done < self.opt.max_retries:
                self.lost_retries[name] = done + 1
                self.placement.lost_on(name, att.worker)
                heapq.heappush(self.retry_heap, (now + self.opt.retry_backoff_s * 2**done, name))
                self._emit("task_retry", name, "lost")
                return
            error = f"worker lost {done + 1} times, last: {type(outcome).__name__}: {outcome}"
            self._finalize(att.task, "crashed", None, error, attempt=att.attempt, att=att)
            return
        result: TaskResult = outcome
        self.ledger.record_attempt(att, result.status, result.error, now, result)
        if self.opt.validate and result.status == "success" and self._retest_wanted(att.task, result):
            return
        self._finalize(att.task, result.status, result, result.error, attempt=att.attempt, att=att)

    def _retest_wanted(self, task: Any, result: TaskResult) -> bool:
        """Store now and validate; True when the task was resubmitted for a retest."""
        ids = self._flush(extra=[(task, result)], wait=True)
        try:
            from accelbench.analysis.verdicts import validate_and_store  # type: ignore[import-not-found]
        except ImportError:
            log.warning("accelbench.analysis.verdicts is not available: results are stored without verdicts")
            self.opt.validate = False
            self._stored_early.add((task.name, result.attempt))
            return False
        verdicts = validate_and_store(self.store, ids)
        self._stored_early.add((task.name, result.attempt))
        if any(not v.is_valid for v in verdicts) and self.retests.get(task.name, 0) < self.opt.retest_count:
            self.retests[task.name] = self.retests.get(task.name, 0) + 1
            self.sched.push(task.name)
            self._emit("task_retry", task.name, "invalid")
            return True
        return False

    def _check_timeouts(self, now: float) -> None:
        for key, att in list(self.in_flight.items()):
            if att.draining or att.deadline is None or now < att.deadline:
                continue
            att.draining = True
            self.executor.cancel(key)
            limit = att.task.config.timeout_minutes * 60.0
            error = f"timed out: no result within {limit:.1f} s (+{self.opt.timeout_grace_s:.1f} s grace)"
            self.ledger.record_attempt(att, "timeout", error, now)
            if att.task.name not in self.final:
                self._finalize(att.task, "timeout", None, error, attempt=att.attempt, att=att)

    def _release_retries(self, now: float) -> None:
        while self.retry_heap and self.retry_heap[0][0] <= now:
            _, name = heapq.heappop(self.retry_heap)
            if name not in self.final:
                self.sched.push(name)

    def _finalize(
        self,
        task: Any,
        status: str,
        result: TaskResult | None,
        error: str | None,
        *,
        attempt: int,
        att: Attempt | None = None,
    ) -> None:
        name = task.name
        if result is None:
            result = TaskResult(
                task_name=name,
                status=status,
                error=error,
                attempt=attempt,
                measurements=failed_measurements(task, status, error or status, attempt=attempt),
                worker_id=att.worker.worker_id if att else None,
            )
        self.final[name] = status
        self.counts[status] = self.counts.get(status, 0) + 1
        if (name, result.attempt) not in self._stored_early:
            self.ledger.add_result(task, result)
        wall = result.wall_time_seconds
        self.ledger.task_finished(
            name,
            status,
            att,
            retry_count=self.lost_retries.get(name, 0) + self.retests.get(name, 0),
            wall_time_seconds=wall,
            error=error,
        )
        self.eta.task_done(name, wall)
        self._emit("task_finished", name, status)
        if status not in ("blocked",):
            for child, reason in self.sched.finish(name, status):
                self._finalize_blocked(child, reason)

    def _finalize_blocked(self, name: str, reason: str) -> None:
        # The scheduler already marked it and its own dependents blocked.
        self._finalize(self.tasks[name], "blocked", None, reason, attempt=1)

    def _flush(
        self, extra: list[tuple[Any, TaskResult]] | None = None, heartbeat: bool = False, wait: bool = False
    ) -> list[int]:
        """Hand the pending rows to the ledger's writer; with `wait`, block until stored and return ids."""
        return self.ledger.flush(
            self.workers.values(),
            self.placement.busy,
            self._progress_row(),
            extra=extra,
            heartbeat=heartbeat,
            wait=wait,
        )

    def _progress_row(self) -> dict[str, Any]:
        total = len(self.tasks) or 1
        errors = sum(v for k, v in self.counts.items() if k != "success")
        return {
            "percent": 100.0 * len(self.final) / total,
            "errors": errors,
            "workers": sum(1 for w in self.workers.values() if w.alive),
        }

    def _emit(self, kind: str, name: str | None, status: str | None) -> None:
        if self.progress is None:
            return
        failed = sum(v for k, v in self.counts.items() if k != "success")
        running = sum(1 for a in self.in_flight.values() if not a.draining)
        self.progress(
            ProgressEvent(
                kind,
                name,
                status,
                len(self.final),
                running,
                failed,
                len(self.tasks),
                self.eta.eta_seconds() if kind != "start" else None,
            )
        )

    # -- main loop -----------------------------------------------------------------------------
    def run(self, env: dict[str, Any], config: dict[str, Any]) -> RunSummary:
        """Run every task not already stored; returns the summary (the store holds every result)."""
        started = time.time()
        self._prepare(env, config)
        self._emit("start", None, None)
        next_flush = next_beat = time.time()
        try:
            while True:
                self._dispatch()
                now = time.time()
                if not self.in_flight and not self.retry_heap:
                    if self.sched.ready_count == 0:
                        break
                    self._give_up_unplaceable()
                    continue
                waits = [next_flush - now, 0.5]
                waits += [a.deadline - now for a in self.in_flight.values() if a.deadline and not a.draining]
                if self.retry_heap:
                    waits.append(self.retry_heap[0][0] - now)
                for key, outcome in self.executor.poll(max(0.0, min(waits))):
                    self._on_outcome(key, outcome)
                self._dispatch()  # refill freed slots before any bookkeeping
                now = time.time()
                self._check_timeouts(now)
                self._release_retries(now)
                if now >= next_beat:
                    self._heartbeat()
                    next_beat = now + HEARTBEAT_INTERVAL_S
                if now >= next_flush:
                    self._flush(heartbeat=False)
                    next_flush = now + self.opt.flush_interval_s
        except BaseException:
            self.executor.shutdown()
            self.ledger.join_quietly()
            raise
        self.executor.shutdown()
        self._flush(heartbeat=True, wait=True)
        self.ledger.close()
        return self._summary(started)

    def _give_up_unplaceable(self) -> None:
        # Nothing runs and nothing waits for a retry, yet tasks are ready: no live worker can take them.
        for key in list(self.sched.ready):
            for name in self.sched.drop_ready(key):
                task = self.tasks[name]
                self._finalize(
                    task,
                    "unschedulable",
                    None,
                    self.placement.why_unschedulable(task),
                    attempt=self.current_attempt.get(name, 0) + 1,
                )

    def _heartbeat(self) -> None:
        before = {w.worker_id for w in self.workers.values() if w.alive}
        for w in self.executor.refresh():
            self.workers[w.worker_id] = w
        self.placement.workers_changed()
        lost = before - {w.worker_id for w in self.workers.values() if w.alive}
        for wid in lost:
            log.warning("worker %s missed its heartbeat: marked lost; its tasks are retried elsewhere", wid)
            for key, att in list(self.in_flight.items()):
                if att.worker.worker_id == wid and not att.draining:
                    self.executor.cancel(key)
        self._flush(heartbeat=True)

    def _summary(self, started: float) -> RunSummary:
        failed = sorted(n for n, s in self.final.items() if s != "success")
        return RunSummary(
            run_id=self.run_id,
            counts=dict(self.counts),
            failed_tasks=failed,
            elapsed_seconds=time.time() - started,
            skipped_tasks=self.skipped,
        )

    def contributions(self) -> list[dict[str, Any]]:
        """Per-worker contribution rows of this coordinator session."""
        return self.ledger.contributions()
