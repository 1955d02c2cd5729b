"""ONNX Runtime on the model exported by torch.onnx: CPU provider (CUDA where present); fp32, int8."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accelbench.backends.base import Backend, BackendConfig, Prepared, check_threads, cpu_name, device_kind
from accelbench.backends.cache import ArtifactCache
from accelbench.backends.keys import key_parts
from accelbench.backends.onnx_export import DEFAULT_OPSET, MODEL_FILE, export_onnx
from accelbench.errors import UnsupportedError, require

_PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider", "rocm": "ROCMExecutionProvider"}
_UNSUPPORTED = {
    "fp16": "onnxruntime fp16 is not implemented here: the CPU provider lacks fp16 kernels for most ops, "
    "and converting the graph to fp16 for GPU providers is not done",
    "bf16": "onnxruntime has no bf16 path for exported models here (no bf16 kernels in the CPU provider)",
    "int4": "onnxruntime int4 (MatMulNBits weight-only) is not implemented here",
    "int2": "onnxruntime has no int2 kernels",
}


@dataclass
class OnnxRuntimeConfig(BackendConfig):
    """ONNX Runtime options: opset of the export, graph optimization level (ORT's names)."""

    opset: int = DEFAULT_OPSET
    graph_optimization_level: str = "ORT_ENABLE_ALL"


class OnnxRuntimeBackend(Backend):
    """ONNX Runtime InferenceSession over a cached export; int8 = onnxruntime dynamic quantization."""

    name = "onnxruntime"
    config_class = OnnxRuntimeConfig
    config: OnnxRuntimeConfig
    precisions = ("fp32", "int8")
    devices = ("cpu", "cuda", "rocm")

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
        """Export (or reuse from the cache) the ONNX model, quantize for int8, open a session."""
        if precision in _UNSUPPORTED:
            raise UnsupportedError(_UNSUPPORTED[precision])
        self.check(precision, device)
        check_threads(threads)
        ort = require("onnxruntime", "onnxruntime")
        require("onnx", "onnxruntime")
        provider = _PROVIDERS[device_kind(device)]
        if provider not in ort.get_available_providers():
            raise UnsupportedError(
                f"onnxruntime {ort.__version__} here has no {provider} "
                f"(available: {', '.join(ort.get_available_providers())}); "
                + (
                    "no CUDA device on this machine or onnxruntime-gpu not installed"
                    if device != "cpu"
                    else ""
                )
            )
        cache = ArtifactCache(cache_dir)
        path, hit = self._artifact(cache, built, example_inputs, precision)
        opts = ort.SessionOptions()
        opts.graph_optimization_level = getattr(
            ort.GraphOptimizationLevel, self.config.graph_optimization_level
        )
        if threads is not None:
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
        device_id = int(device.split(":", 1)[1]) if ":" in device else 0
        provider_options = [{"device_id": device_id}] if provider != "CPUExecutionProvider" else [{}]
        session = ort.InferenceSession(
            str(path), sess_options=opts, providers=[provider], provider_options=provider_options
        )
        prepared = OnnxRuntimePrepared(ort, session, device_kind(device), device_id)
        prepared.input_shapes = [tuple(t.shape) for t in example_inputs]
        prepared.details.update(
            backend=self.name,
            precision=precision,
            onnxruntime_version=ort.__version__,
            providers=session.get_providers(),
            threads=threads,  # None: ORT's default (one per physical core)
            opset=self.config.opset,
            artifact_cache="hit" if hit else "miss",
            artifact_key=path.parent.name,
        )
        if precision == "int8":
            prepared.details["quantization"] = (
                "onnxruntime quantize_dynamic (weights QInt8, activations uint8 at run time)"
            )
        return prepared

    def _artifact(
        self, cache: ArtifactCache, built: Any, inputs: tuple[Any, ...], precision: str
    ) -> tuple[Path, bool]:
        libs = ("onnx", "onnxruntime")
        opts = {"opset": self.config.opset}
        before = cache.builds
        fp32_dir = cache.get_or_create(
            key_parts(built, inputs, backend="onnx", artifact_precision="fp32", libraries=libs, options=opts),
            lambda d: export_onnx(built, inputs, d, self.config.opset),
        )
        if precision == "fp32":
            return fp32_dir / MODEL_FILE, cache.builds == before
        int8_dir = cache.get_or_create(
            key_parts(built, inputs, backend="onnx", artifact_precision="int8", libraries=libs, options=opts),
            lambda d: _quantize(fp32_dir / MODEL_FILE, d / MODEL_FILE),
        )
        return int8_dir / MODEL_FILE, cache.builds == before


class OnnxRuntimePrepared(Prepared):
    """An InferenceSession; CPU runs synchronously, GPU providers run through IO binding."""

    def __init__(self, ort: Any, session: Any, device: str, device_id: int) -> None:
        super().__init__()
        self._ort, self.session, self.device, self._device_id = ort, session, device, device_id
        self._input_names = [i.name for i in session.get_inputs()]
        self._last_binding: Any = None
        self.device_name = cpu_name() if device == "cpu" else f"{device}:{device_id}"

    def convert_inputs(self, inputs: tuple[Any, ...]) -> Any:
        """numpy feeds on CPU; on a GPU, inputs copied to the device and bound with an IOBinding."""
        self.check_shapes(inputs)
        arrays = [t.detach().cpu().numpy() for t in inputs]
        feeds = dict(zip(self._input_names, arrays, strict=True))
        if self.device == "cpu":
            return feeds
        binding = self.session.io_binding()
        for name, arr in feeds.items():
            binding.bind_ortvalue_input(
                name, self._ort.OrtValue.ortvalue_from_numpy(arr, "cuda", self._device_id)
            )
        binding.bind_output("output", "cuda", self._device_id)
        return binding

    def run(self, converted: Any) -> Any:
        """session.run on CPU; run_with_iobinding on a GPU (output stays on the device)."""
        if self.device == "cpu":
            return self.session.run(None, converted)[0]
        self.session.run_with_iobinding(converted)
        self._last_binding = converted
        return converted

    def synchronize(self) -> None:
        """Nothing on CPU (session.run returns when done); on a GPU, wait for the bound outputs."""
        if self._last_binding is not None:
            self._last_binding.synchronize_outputs()

    def to_numpy(self, output: Any) -> Any:
        """float32 host array (GPU outputs copied back)."""
        import numpy as np

        if self.device != "cpu":
            output = output.copy_outputs_to_cpu()[0]
        return np.asarray(output, dtype=np.float32)


def _quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic logs a pre-processing suggestion at WARNING on every call.
    logger = logging.getLogger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    except Exception as exc:
        raise UnsupportedError(f"onnxruntime int8 quantization failed: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.setLevel(level)
