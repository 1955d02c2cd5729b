"""Executors (local, ray) and the coordinator: scheduling, retries, resume, tracking tables.

`run_suite(suite, store, ...)` is the entry point; nothing heavy is imported until it runs.
"""

from accelbench.execution.events import ProgressEvent, RunSummary
from accelbench.execution.runs import run_suite, stream_results

__all__ = ["ProgressEvent", "RunSummary", "run_suite", "stream_results"]
