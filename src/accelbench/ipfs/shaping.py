"""Application-layer network conditions: token-bucket bandwidth, added latency and jitter.

`tc netem` does not exist on these machines, so latency is always added in user space (the peer
waits before answering). Bandwidth is shaped here unless the peers run in network namespaces
with tbf/htb qdiscs (see netns.py); each result records which shaping was used.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from accelbench.errors import InputError

_BW_UNITS = {"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "kbps": 8e3, "mbps": 8e6, "gbps": 8e9}


def parse_bandwidth(text: str, *, field: str = "--bandwidth") -> float:
    """'50mbit' -> 50e6 bits per second (tc's units: bit, kbit, mbit, gbit; kbps/mbps/gbps are bytes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*", text or "")
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _BW_UNITS or float(match.group(1)) <= 0:
        raise InputError(
            f"{text!r} is not a bandwidth like 50mbit, 800kbit or 1gbit", item="command line", field=field
        )
    return float(match.group(1)) * _BW_UNITS[unit]


def parse_latency_ms(text: str, *, field: str = "--latency") -> float:
    """'20ms' / '0.1s' / '0' -> milliseconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|us)?\s*", text or "")
    if not match:
        raise InputError(f"{text!r} is not a latency like 20ms or 0.1s", item="command line", field=field)
    scale = {"ms": 1.0, "s": 1000.0, "us": 0.001, None: 1.0}[match.group(2)]
    return float(match.group(1)) * scale


class TokenBucket:
    """Rate limiter for one direction of one peer, shared by all its connections (bits per second)."""

    def __init__(self, rate_bps: float | None, burst_bytes: int = 64 * 1024) -> None:
        self.rate_bytes_per_s = rate_bps / 8 if rate_bps else None
        self.burst_bytes = burst_bytes
        self._tokens = float(burst_bytes)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def consume(self, nbytes: int) -> None:
        """Wait until `nbytes` may be sent; returns at once when unlimited."""
        if self.rate_bytes_per_s is None or nbytes <= 0:
            return
        async with self._lock:  # FIFO: one sender waits at a time, so connections share the rate fairly
            now = time.monotonic()
            self._tokens = min(self.burst_bytes, self._tokens + (now - self._last) * self.rate_bytes_per_s)
            self._last = now
            self._tokens -= nbytes
            if self._tokens < 0:
                await asyncio.sleep(-self._tokens / self.rate_bytes_per_s)


@dataclass(frozen=True)
class LinkConditions:
    """A peer's network as its clients see it: added latency and jitter (ms), upload/download (bit/s)."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    upload_bps: float | None = None
    download_bps: float | None = None
    shaping: str = "application"  # "application" | "netns-tbf" | "none"

    def delay_s(self, rng: random.Random) -> float:
        """One request's added delay in seconds: latency ± uniform jitter, never negative."""
        jitter = rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in network_topology_config)."""
        return asdict(self)
