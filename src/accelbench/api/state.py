"""What the API serves from memory: the newest trained models and IPFS rows, refreshed without holding the DB.

DuckDB lets one process hold the file, and a running benchmark writes to it. So requests never
touch the database: models and IPFS rows are loaded at start-up and reloaded by a background thread
when a newer model version appears, each time through a short connection that retries
while the benchmark holds the lock. Served predictions are queued and written by another background
thread in small transactions, retried later when the file is busy.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.prediction.predictor import Prediction, Predictor

log = logging.getLogger("accelbench.api")
_IPFS_SQL = (
    "SELECT acceleration_mode, content_size_bytes, retrieval_latency_ms, distribution_throughput_mbps,"
    " bandwidth_efficiency_ratio, peer_count, CAST(network_topology_config AS VARCHAR) AS topology,"
    " coalesce(is_simulated, false) AS is_simulated FROM ipfs_acceleration_metrics LIMIT 200000"
)


def _is_lock_error(exc: BaseException) -> bool:
    return "lock" in str(exc).lower()


class ServiceState:
    """Models and IPFS rows in memory, a refresher thread and a prediction-log writer thread."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        refresh_seconds: float = 5.0,
        lock_wait_seconds: float = 2.0,
        log_predictions: bool = True,
    ) -> None:
        self.db_path = str(db_path)
        self.refresh_seconds = refresh_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self.log_enabled = log_predictions
        self.predictor: Predictor | None = None
        self.unavailable_reason = "not loaded yet"
        self.ipfs_rows: list[dict[str, Any]] = []
        self.loaded_at: float | None = None
        self.warm_up_seconds: float | None = None  # of the model in use (None: not warmed up)
        self.warm_up_error: str | None = None  # why the last warm-up failed
        self.last_error: str | None = None
        self.logged = 0
        self._queue: queue.Queue[Prediction] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._store_obj: Any = None

    # -- loading ---------------------------------------------------------------------------------
    def _store(self) -> Any:
        from accelbench.storage import Store

        # One Store (migrated once), read-write like the log writer: DuckDB refuses two
        # configurations of one file in one process.
        if self._store_obj is None:
            self._store_obj = Store(self.db_path, lock_wait_seconds=self.lock_wait_seconds)
        return self._store_obj

    def load(self) -> bool:
        """Load the newest models and the IPFS rows if the version changed; False if the DB was busy."""
        import duckdb

        from accelbench.prediction.learner import InsufficientDataError
        from accelbench.prediction.predictor import Predictor
        from accelbench.prediction.registry import latest_version, load_bundle

        if not Path(self.db_path).exists():
            self.unavailable_reason = f"{self.db_path}: no such database (run `accelbench predict train`)"
            return True
        try:
            store = self._store()
            version = latest_version(store)
            if version is None:
                self.unavailable_reason = "no trained model stored: run `accelbench predict train`"
            elif self.predictor is None or self.predictor.bundle.version != version:
                fresh = Predictor(load_bundle(store, version))
                self.warm_up_seconds = self._warm_up(fresh)
                self.predictor = fresh
            self.ipfs_rows = store.query(_IPFS_SQL)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            self.last_error = f"database busy, kept the models loaded before: {exc}"
            return False
        except InsufficientDataError as exc:
            self.unavailable_reason = exc.detail
        self.loaded_at, self.last_error = time.time(), None
        return True

    def _warm_up(self, predictor: Predictor) -> float | None:
        """Warm `predictor` up before it serves (its first queries would wait seconds otherwise);
        a failure is logged with its traceback and kept in warm_up_error, and the model is served
        anyway: only the queries that fail the same way fail (None: it failed)."""
        self.warm_up_error = None
        try:
            return predictor.warm_up()
        except Exception as exc:
            log.exception("warming up model %s failed; serving it anyway", predictor.bundle.version)
            self.warm_up_error = f"{type(exc).__name__}: {exc}"
            return None

    # -- prediction log --------------------------------------------------------------------------
    def enqueue(self, predictions: list[Prediction]) -> None:
        """Queue served predictions for performance_predictions (written by the log thread)."""
        if self.log_enabled:
            for p in predictions:
                self._queue.put(p)

    def flush(self) -> int:
        """Write queued predictions in one transaction; on a busy database put them back and return 0."""
        import duckdb

        from accelbench.prediction.registry import log_predictions

        batch: list[Prediction] = []
        while not self._queue.empty() and len(batch) < 1000:
            batch.append(self._queue.get_nowait())
        if not batch:
            return 0
        try:
            n = log_predictions(self._store(), batch)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            for p in batch:
                self._queue.put(p)
            return 0
        self.logged += n
        return n

    @property
    def pending(self) -> int:
        """Predictions served but not yet written."""
        return self._queue.qsize()

    # -- threads ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Load once, then start the refresher and log-writer threads."""
        self.load()
        for target in (self._refresh_loop, self._flush_loop):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Stop the threads and write what is still queued (waiting for the lock if need be)."""
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        deadline = time.monotonic() + 30
        while self.pending and time.monotonic() < deadline:
            if not self.flush():
                time.sleep(0.2)

    def _refresh_loop(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            self.load()

    def _flush_loop(self) -> None:
        while not self._stop.wait(0.5):
            self.flush()
