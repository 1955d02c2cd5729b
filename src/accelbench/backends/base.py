"""The `Backend` interface every runtime implements, and the `Prepared` model it returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from accelbench.errors import InputError, UnsupportedError
from accelbench.models.catalog import PRECISIONS


@dataclass
class BackendConfig:
    """Options shared by every backend; each backend subclasses it with its own."""


class Prepared:
    """A model made ready on one runtime, device and precision; what the runner times.

    `convert_inputs` runs outside the timed region (casts, device copies, numpy);
    `run` + `synchronize` is exactly what one timed iteration does.
    """

    device: str = "cpu"
    device_name: str = ""

    def __init__(self) -> None:
        # What the runner stores beside the figures: precision actually used, cache hit, threads...
        self.details: dict[str, Any] = {}
        # Set by backends whose artifact is valid for the example shapes only (exported graphs).
        self.input_shapes: list[tuple[int, ...]] | None = None

    def check_shapes(self, inputs: tuple[Any, ...]) -> None:
        """ValueError if `inputs` differ in shape from those this model was prepared with."""
        if self.input_shapes is None:
            return
        got = [tuple(t.shape) for t in inputs]
        if got != self.input_shapes:
            # A traced graph may return a wrong result for other shapes without raising (seen: llava).
            raise ValueError(f"prepared for input shapes {self.input_shapes}, got {got}: prepare again")

    def convert_inputs(self, inputs: tuple[Any, ...]) -> Any:
        """Turn torch tensors into what `run` takes (outside the timed region)."""
        raise NotImplementedError

    def run(self, converted: Any) -> Any:
        """Issue one inference on already-converted inputs; returns the runtime's output."""
        raise NotImplementedError

    def synchronize(self) -> None:
        """Wait until the last `run` has finished (no-op for synchronous runtimes)."""

    def to_numpy(self, output: Any) -> Any:
        """The output of `run` as a float32 numpy array on the host (for the accuracy check)."""
        raise NotImplementedError

    def device_memory_peak_mb(self) -> float | None:
        """Peak device memory in MiB since `reset_device_peak`, or None where the runtime has none."""
        return None

    def reset_device_peak(self) -> None:
        """Start a new device memory peak window (no-op where there is no device memory counter)."""


class Backend:
    """One runtime; `prepare` turns a built model into a `Prepared` for a precision and device."""

    name: ClassVar[str] = ""
    config_class: ClassVar[type[BackendConfig]] = BackendConfig
    # Statically known capabilities, used for listings without importing the runtime.
    precisions: ClassVar[tuple[str, ...]] = ()
    devices: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: BackendConfig | None = None) -> None:
        self.config = config if config is not None else self.config_class()

    def prepare(
        self,
        built: Any,
        precision: str,
        device: str,
        example_inputs: tuple[Any, ...],
        *,
        threads: int | None = None,
        cache_dir: str | Path | None = None,
    ) -> Prepared:
        """Make `built` runnable; raises UnsupportedError(reason) for a combination that cannot run."""
        raise NotImplementedError

    def check(self, precision: str, device: str) -> None:
        """Raise InputError for an unknown precision, UnsupportedError for one this backend lacks."""
        if precision not in PRECISIONS:
            raise InputError(
                f"unknown precision '{precision}'; expected one of {', '.join(PRECISIONS)}", field="precision"
            )
        kind = device_kind(device)
        if kind not in self.devices:
            raise UnsupportedError(
                f"{self.name} does not run on device '{device}' (it runs on {', '.join(self.devices)})"
            )
        if precision not in self.precisions:
            raise UnsupportedError(
                f"{self.name} has no {precision} path (it has {', '.join(self.precisions)})"
            )


def device_kind(device: str) -> str:
    """'cuda:1' -> 'cuda'; device names are lower-cased."""
    return device.lower().split(":", 1)[0]


def check_threads(threads: int | None) -> None:
    """Reject a thread count below 1 (None means the runtime's default)."""
    if threads is not None and threads < 1:
        raise InputError(f"threads must be >= 1, got {threads}", field="threads")


def cpu_name() -> str:
    """The CPU model name from /proc/cpuinfo, or the platform's processor string."""
    import platform

    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"
