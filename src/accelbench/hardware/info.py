"""What a hardware detector reports about one platform."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PLATFORMS = ("cpu", "cuda", "rocm", "mps", "openvino", "qnn", "webnn", "webgpu")


@dataclass
class HardwareInfo:
    """One platform as detected on this machine; `available` False comes with a `reason`."""

    hardware_type: str
    available: bool
    reason: str = ""
    device_name: str = ""
    memory_gb: float | None = None
    compute_units: int | None = None
    runtime_version: str | None = None
    driver_version: str | None = None
    compute_capability: float | None = None
    isa_flags: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HardwareInfo:
        """Inverse of to_dict; unknown keys are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
