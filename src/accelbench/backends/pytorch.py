"""PyTorch eager: cpu, cuda (and rocm through torch's cuda API), mps; fp32, fp16, bf16, int8 (CPU)."""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accelbench.backends.base import Backend, BackendConfig, Prepared, check_threads, cpu_name, device_kind
from accelbench.errors import UnsupportedError, require

_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
UNSUPPORTED_PRECISIONS = ("int4", "int2")
_LOW_BIT_REASON = (
    "{p} on pytorch is not implemented: weight-only int4/int2 on CPU (torchao IntxWeightOnly, quanto, hqq) "
    "dequantizes at run time and torchao Int4WeightOnly does not run on CPU"
)


@dataclass
class PyTorchConfig(BackendConfig):
    """PyTorch options: inference_mode (else no_grad) around each call."""

    inference_mode: bool = True


class PyTorchBackend(Backend):
    """Eager PyTorch; int8 is dynamic quantization of nn.Linear (CPU only)."""

    name = "pytorch"
    config_class = PyTorchConfig
    config: PyTorchConfig
    precisions = ("fp32", "fp16", "bf16", "int8")
    devices = ("cpu", "cuda", "rocm", "mps")

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
        """Copy and cast the module for `precision` on `device` (built.module itself is left as it was)."""
        if precision in UNSUPPORTED_PRECISIONS:
            raise UnsupportedError(_LOW_BIT_REASON.format(p=precision))
        self.check(precision, device)
        check_threads(threads)
        torch = require("torch", "pytorch")
        target = _torch_device(torch, device)
        if threads is not None:
            torch.set_num_threads(threads)
        module = built.module
        if precision == "int8":
            if target.type != "cpu":
                raise UnsupportedError(
                    f"pytorch int8 is dynamic quantization, which runs on CPU only, not {device}"
                )
            module = _quantize_dynamic(torch, module)
            dtype = None
        else:
            dtype = getattr(torch, _DTYPES[precision])
            if dtype != torch.float32 or target.type != "cpu":
                # A copy, so the caller's fp32 CPU module stays usable as the accuracy reference.
                module = copy.deepcopy(module).to(device=target, dtype=dtype)
        prepared = PyTorchPrepared(torch, module.eval(), target, dtype, self.config.inference_mode)
        prepared.details.update(
            backend=self.name,
            precision=precision,
            torch_version=torch.__version__,
            threads=torch.get_num_threads(),
            grad_mode="inference_mode" if self.config.inference_mode else "no_grad",
        )
        if precision == "int8":
            prepared.details["quantization"] = (
                "torch.ao dynamic int8 (nn.Linear weights int8, activations fp32)"
            )
            prepared.details["quantized_engine"] = torch.backends.quantized.engine
        if precision == "fp16" and target.type == "cpu":
            prepared.details["note"] = _cpu_fp16_note()
        return prepared


class PyTorchPrepared(Prepared):
    """An eager module on one device; run() returns the output tensor, still on the device."""

    def __init__(self, torch: Any, module: Any, device: Any, dtype: Any, inference_mode: bool) -> None:
        super().__init__()
        self._torch, self.module, self._device, self._dtype = torch, module, device, dtype
        self._grad_ctx = torch.inference_mode if inference_mode else torch.no_grad
        self.device = device.type
        self.device_name = _device_name(torch, device)

    def convert_inputs(self, inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        """Floating inputs cast to the model's dtype and every input moved to the device."""
        out = []
        for t in inputs:
            if self._dtype is not None and t.is_floating_point():
                t = t.to(self._dtype)
            out.append(t.to(self._device))
        if self._device.type != "cpu":
            self.synchronize()  # the copy is not part of the first timed call
        return tuple(out)

    def run(self, converted: tuple[Any, ...]) -> Any:
        """One forward pass under inference_mode (or no_grad)."""
        with self._grad_ctx():
            return self.module(*converted)

    def synchronize(self) -> None:
        """torch.cuda/mps synchronize; nothing on CPU."""
        if self._device.type == "cuda":
            self._torch.cuda.synchronize(self._device)
        elif self._device.type == "mps":
            self._torch.mps.synchronize()

    def to_numpy(self, output: Any) -> Any:
        """float32 host copy."""
        return output.detach().float().cpu().numpy()

    def device_memory_peak_mb(self) -> float | None:
        """torch.cuda.max_memory_allocated in MiB on CUDA/ROCm; None elsewhere (MPS has no peak counter)."""
        if self._device.type == "cuda":
            return self._torch.cuda.max_memory_allocated(self._device) / 2**20
        return None

    def reset_device_peak(self) -> None:
        """torch.cuda.reset_peak_memory_stats on CUDA/ROCm."""
        if self._device.type == "cuda":
            self._torch.cuda.reset_peak_memory_stats(self._device)


def _torch_device(torch: Any, device: str) -> Any:
    kind = device_kind(device)
    if kind in ("cuda", "rocm"):
        if not torch.cuda.is_available():
            raise UnsupportedError(f"no CUDA device on this machine (torch {torch.__version__})")
        is_hip = getattr(torch.version, "hip", None) is not None
        if kind == "rocm" and not is_hip:
            raise UnsupportedError("this torch build is for CUDA, not ROCm")
        # ROCm builds of torch expose HIP devices through the cuda API.
        return torch.device("cuda" + device[len(kind) :])
    if kind == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise UnsupportedError("no MPS device on this machine")
        return torch.device("mps")
    return torch.device("cpu")


def _device_name(torch: Any, device: Any) -> str:
    if device.type == "cuda":
        return str(torch.cuda.get_device_name(device))
    if device.type == "mps":
        return "Apple MPS"
    return cpu_name()


def _quantize_dynamic(torch: Any, module: Any) -> Any:
    # torch.ao.quantization warns that it is deprecated; in torch 2.13 it is still the eager int8 path.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8, inplace=False)


def _cpu_fp16_note() -> str:
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        pass
    if "avx512_fp16" in flags or "amx_fp16" in flags:
        return "fp16 on CPU with native fp16 instructions"
    return "fp16 on CPU without native fp16 instructions: torch converts, expect it slower than fp32"
