"""OpenVINO on CPU (GPU where present): fp32, bf16, fp16, int8 weights; precision hint always explicit."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accelbench.backends.base import Backend, BackendConfig, Prepared, check_threads, device_kind
from accelbench.backends.cache import ArtifactCache
from accelbench.backends.keys import key_parts
from accelbench.errors import MissingExtraError, UnsupportedError, require

IR_FILE = "model.xml"
# On AMX CPUs OpenVINO runs f32 requests in bf16 unless told otherwise (NOTES.md): always say which.
_HINTS = {"fp32": "f32", "bf16": "bf16", "fp16": "f16", "int8": "f32"}
_CAPABILITY = {"bf16": "BF16", "fp16": "FP16"}
_UNSUPPORTED = {
    "int4": "openvino int4 (NNCF int4 weight compression) is not implemented here",
    "int2": "openvino has no int2 path",
}


@dataclass
class OpenVinoConfig(BackendConfig):
    """OpenVINO options: PERFORMANCE_HINT (LATENCY: one stream, one request at a time)."""

    performance_hint: str = "LATENCY"


class OpenVinoBackend(Backend):
    """OpenVINO IR converted from the torch module; int8 = NNCF int8 weight compression."""

    name = "openvino"
    config_class = OpenVinoConfig
    config: OpenVinoConfig
    precisions = ("fp32", "bf16", "fp16", "int8")
    devices = ("cpu", "gpu")

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
        """Convert (or reuse) the IR and compile it with INFERENCE_PRECISION_HINT set for `precision`."""
        if precision in _UNSUPPORTED:
            raise UnsupportedError(_UNSUPPORTED[precision])
        self.check(precision, device)
        check_threads(threads)
        ov = require("openvino", "openvino")
        core = ov.Core()
        ov_device = device_kind(device).upper()
        if ov_device not in [d.split(".")[0] for d in core.available_devices]:
            raise UnsupportedError(
                f"no OpenVINO {ov_device} device on this machine "
                f"(available: {', '.join(core.available_devices)})"
            )
        caps = core.get_property(ov_device, "OPTIMIZATION_CAPABILITIES")
        if precision in _CAPABILITY and _CAPABILITY[precision] not in caps:
            raise UnsupportedError(
                f"OpenVINO {ov_device} here has no native {precision} "
                f"(OPTIMIZATION_CAPABILITIES: {', '.join(caps)})"
            )
        cache = ArtifactCache(cache_dir)
        path, hit = self._artifact(cache, built, example_inputs, precision)
        hint = _HINTS[precision]
        props: dict[str, Any] = {
            "INFERENCE_PRECISION_HINT": hint,
            "PERFORMANCE_HINT": self.config.performance_hint,
        }
        if threads is not None and ov_device == "CPU":
            props["INFERENCE_NUM_THREADS"] = threads
        compiled = core.compile_model(core.read_model(str(path)), ov_device, props)
        used = str(compiled.get_property("INFERENCE_PRECISION_HINT"))
        if _type_name(used) != hint:
            # A plugin may quietly pick another precision (f16 -> bf16 on CPU): refuse rather than mislabel.
            raise UnsupportedError(f"OpenVINO {ov_device} ran {_type_name(used)} when {hint} was asked")
        prepared = OpenVinoPrepared(
            compiled, device_kind(device), core.get_property(ov_device, "FULL_DEVICE_NAME")
        )
        prepared.input_shapes = [tuple(t.shape) for t in example_inputs]
        prepared.details.update(
            backend=self.name,
            precision=precision,
            openvino_version=ov.get_version(),
            inference_precision=_type_name(used),
            performance_hint=str(compiled.get_property("PERFORMANCE_HINT")),
            threads=int(compiled.get_property("INFERENCE_NUM_THREADS")) if ov_device == "CPU" else None,
            artifact_cache="hit" if hit else "miss",
            artifact_key=path.parent.name,
        )
        if precision == "int8":
            prepared.details["quantization"] = (
                "NNCF weight compression INT8_ASYM per channel; activations f32"
            )
        return prepared

    def _artifact(
        self, cache: ArtifactCache, built: Any, inputs: tuple[Any, ...], precision: str
    ) -> tuple[Path, bool]:
        before = cache.builds
        # fp32, bf16 and fp16 share one f32 IR: the precision is chosen at compile time.
        fp32_dir = cache.get_or_create(
            key_parts(built, inputs, backend="openvino", artifact_precision="fp32", libraries=("openvino",)),
            lambda d: _convert(built, inputs, d),
        )
        if precision != "int8":
            return fp32_dir / IR_FILE, cache.builds == before
        try:
            require("nncf", "openvino")
        except MissingExtraError as exc:
            raise UnsupportedError(f"openvino int8 needs NNCF: {exc}") from exc
        int8_dir = cache.get_or_create(
            key_parts(
                built, inputs, backend="openvino", artifact_precision="int8", libraries=("openvino", "nncf")
            ),
            lambda d: _compress_int8(fp32_dir / IR_FILE, d),
        )
        return int8_dir / IR_FILE, cache.builds == before


class OpenVinoPrepared(Prepared):
    """One compiled model; each converted input set gets its own infer request with inputs bound."""

    def __init__(self, compiled: Any, device: str, device_name: str) -> None:
        super().__init__()
        self.compiled, self.device, self.device_name = compiled, device, str(device_name)

    def convert_inputs(self, inputs: tuple[Any, ...]) -> Any:
        """An infer request with the inputs set as ov.Tensors sharing numpy memory (no copy inside run)."""
        import numpy as np
        import openvino as ov

        self.check_shapes(inputs)
        request = self.compiled.create_infer_request()
        arrays = [np.ascontiguousarray(t.detach().cpu().numpy()) for t in inputs]
        for i, arr in enumerate(arrays):
            request.set_input_tensor(i, ov.Tensor(arr, shared_memory=True))
        return request, arrays  # the arrays stay alive as long as the request that shares them

    def run(self, converted: Any) -> Any:
        """request.infer() on the bound inputs (synchronous); returns the request."""
        request = converted[0]
        request.infer()
        return request

    def to_numpy(self, output: Any) -> Any:
        """Copy of output 0 as float32."""
        import numpy as np

        return np.array(output.get_output_tensor(0).data, dtype=np.float32)


def _type_name(ov_type: str) -> str:
    """'<Type: 'float32'>' / 'f32' / 'bf16' -> OpenVINO's short name ('f32', 'bf16', 'f16')."""
    text = ov_type.lower()
    for long, short in (("bfloat16", "bf16"), ("float32", "f32"), ("float16", "f16")):
        if long in text:
            return short
    return text.strip()


def _convert(built: Any, inputs: tuple[Any, ...], directory: Path) -> None:
    import openvino as ov

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings from transformers code
            model = ov.convert_model(built.module, example_input=tuple(inputs))
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        name = f"{getattr(built, 'family', 'model')}/{getattr(built, 'size', '?')}"
        raise UnsupportedError(
            f"OpenVINO conversion of {name} failed: {type(exc).__name__}: {first}"
        ) from exc
    # save_model compresses weights to f16 by default; that would make "fp32" results f16-weighted.
    ov.save_model(model, str(directory / IR_FILE), compress_to_fp16=False)


def _compress_int8(src: Path, directory: Path) -> None:
    import nncf
    import openvino as ov

    model = nncf.compress_weights(ov.Core().read_model(str(src)))  # INT8_ASYM, per channel
    ov.save_model(model, str(directory / IR_FILE), compress_to_fp16=False)
