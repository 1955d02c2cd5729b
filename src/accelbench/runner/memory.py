"""Peak host memory of this process during a region: the kernel's high-water mark, or a sampler.

On Linux the kernel tracks peak RSS (VmHWM) and lets a process reset it (`/proc/self/clear_refs`
← "5"), which measures the true peak with no thread running beside the timed loop. Elsewhere a
sampling thread polls RSS every few milliseconds (it can miss short spikes; results say which).
"""

from __future__ import annotations

import threading
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _read_hwm_kb() -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakMemory:
    """Context manager measuring peak RSS (MB) of this process inside the `with` block."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.peak_mb: float | None = None
        self.method = "none"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._peak_bytes = 0

    def __enter__(self) -> PeakMemory:
        try:
            _CLEAR_REFS.write_text("5")
            self.method = "vmhwm"
        except OSError:
            self._start_sampler()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.method == "vmhwm":
            kb = _read_hwm_kb()
            self.peak_mb = kb / 1024.0 if kb is not None else None
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.peak_mb = self._peak_bytes / 2**20

    def _start_sampler(self) -> None:
        import psutil

        proc = psutil.Process()
        self.method = "sampler"

        def sample() -> None:
            while not self._stop.is_set():
                self._peak_bytes = max(self._peak_bytes, proc.memory_info().rss)
                self._stop.wait(self.interval_s)

        self._peak_bytes = proc.memory_info().rss
        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()


def process_peak_rss_mb() -> float | None:
    """Peak RSS of this process since it started (or since the last reset), in MB."""
    import resource

    kb = _read_hwm_kb()
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0
