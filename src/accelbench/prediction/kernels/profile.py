"""A kernel profile: what one device measured for the grid of measure.py, stored as JSON.

A profile belongs to a device (`device` cpu or cuda and its `device_name`); a dataset row or a
query uses the profile of the device it ran on (a CPU profile serves the cpu and openvino rows of
that CPU, as the spec table's peaks do). Its id is a hash of the measurements.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from accelbench.errors import InputError

FORMAT = "accelbench-kernel-profile/1"
# hardware_type -> the torch device a profile of it was measured with
DEVICE_OF = {"cpu": "cpu", "openvino": "cpu", "cuda": "cuda", "rocm": "cuda"}
TABLES = ("mm", "bmm", "conv2d", "conv1d", "depthwise", "elementwise", "dispatch")


@dataclass
class KernelProfile:
    """Single-kernel timings of one device: per table, rows of [shape..., median seconds]."""

    device: str
    device_name: str
    compute_units: Any
    threads: int | None
    torch_version: str
    measured_at: str
    seconds: float
    command: str
    axes: dict[str, list[int]]
    tables: dict[str, list[list[float]]]
    _pricer: Any = field(default=None, repr=False, compare=False)
    _id: str = field(default="", repr=False, compare=False)

    @property
    def profile_id(self) -> str:
        """12 hex digits identifying the measurements (device and tables); computed once."""
        if not self._id:
            text = json.dumps([self.device, self.device_name, self.threads, self.tables], sort_keys=True)
            self._id = hashlib.sha256(text.encode()).hexdigest()[:12]
        return self._id

    def matches(self, row: dict[str, Any]) -> bool:
        """Whether `row` (a dataset row or a query) ran on the device this profile measured."""
        if DEVICE_OF.get(str(row.get("hardware_type"))) != self.device:
            return False
        name = str(row.get("device_name") or "")
        return not name or not self.device_name or name == self.device_name

    def estimate_ms(self, calls: Any) -> float:
        """Sum of the priced kernels of `calls` (a KernelCalls) in milliseconds."""
        if self._pricer is None:
            from accelbench.prediction.kernels.pricing import Pricer

            self._pricer = Pricer(self)
        return float(self._pricer.total_s(calls)) * 1e3

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (what save writes)."""
        out = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        return {"format": FORMAT, "profile_id": self.profile_id, **out}

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "") -> KernelProfile:
        """Inverse of to_dict; InputError naming `source` and the field for anything malformed."""
        if d.get("format") != FORMAT:
            raise InputError(
                f"not a kernel profile (format {d.get('format')!r}, expected {FORMAT})", file=source
            )
        for name in ("device", "device_name", "axes", "tables"):
            if name not in d:
                raise InputError("missing", file=source, field=name)
        missing = [t for t in TABLES if not d["tables"].get(t)]
        if missing:
            raise InputError(f"no measurements for {', '.join(missing)}", file=source, field="tables")
        keys = {f for f in cls.__dataclass_fields__ if not f.startswith("_")}
        values: dict[str, Any] = {k: d.get(k) for k in keys}
        return cls(**values)

    def save(self, path: str | Path) -> None:
        """Write the profile as JSON to `path` (parent folders created)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n")


_KNOWN: dict[str, KernelProfile] = {}  # profile_id -> every profile that priced a row in this process


def remember(profile: KernelProfile) -> KernelProfile:
    """Record `profile` (done for every profile that prices a row, kernels/columns.py), so that a
    model trained on those rows can store it and a row can be re-priced (see known_profiles)."""
    _KNOWN.setdefault(profile.profile_id, profile)
    return profile


def known_profiles(ids: set[str]) -> list[KernelProfile]:
    """The profiles of `ids` that priced a row in this process, by id."""
    return [_KNOWN[i] for i in sorted(ids) if i in _KNOWN]


@functools.cache
def load_profile(path: str | Path) -> KernelProfile:
    """The profile stored at `path` (cached); InputError naming the file when it is not one."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", file=str(path))
    try:
        data = json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("not a kernel profile (expected a JSON object)", file=str(path))
    return KernelProfile.from_dict(data, str(path))


def profiles_beside(paths: list[str | Path] | tuple[str | Path, ...]) -> list[Path]:
    """The kernel profiles (`kernels-*.json`) in the folders of the dataset files `paths`."""
    folders = sorted({Path(p).resolve().parent for p in paths})
    return sorted(f for folder in folders for f in folder.glob("kernels-*.json"))


def profile_for(row: dict[str, Any], profiles: list[KernelProfile]) -> KernelProfile | None:
    """The first profile that matches `row`'s device, None when none does."""
    return next((p for p in profiles if p.matches(row)), None)
