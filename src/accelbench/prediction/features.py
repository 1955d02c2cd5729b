"""Features of one configuration: model architecture, FLOPs and bytes per inference, runtime, hardware.

Model numbers come from `accelbench.models` (parameter_count, model_features, flops_per_inference)
and hardware peaks from `accelbench.hardware.specs`; when a function is missing, the value is left
missing (NaN, which the trees handle) or, for FLOPs, approximated as 2 x parameters x tokens and the
row says so in `flops_source`. Nothing here is ever invented as a measurement.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from accelbench.errors import InputError
from accelbench.models.catalog import FAMILIES, PRECISION_BITS

# Columns the learned models read, in order. Categorical ones are encoded as integer codes.
NUMERIC_FEATURES = (
    "log_parameters",
    "num_layers",
    "hidden_size",
    "num_heads",
    "log_flops",
    "log_bytes",
    "log2_batch_size",
    "log2_sequence_length",
    "precision_bits",
    "threads",
    "compute_units",
    "memory_gb",
    "log_peak_flops",
    "log_bandwidth_gbps",
    "log_arithmetic_intensity",
    "log_operator_calls",
    "conv_flop_share",
)
# What models trained before the operator counts existed read (a stored Encoder without names).
LEGACY_NUMERIC_FEATURES = NUMERIC_FEATURES[:15]
# `modality` is not a feature: with convolutional image families in the data it made the trees put a
# held-out vit among them (52 % MAPE held out); conv_flop_share says what the model is made of.
CATEGORICAL_FEATURES = ("model_name", "backend", "hardware_type", "precision")
FEATURE_NAMES = NUMERIC_FEATURES + CATEGORICAL_FEATURES

# Raw columns a dataset row carries (the Parquet export schema), besides the targets.
CONFIG_COLUMNS = (
    "model_name",
    "model_size",
    "hardware_type",
    "backend",
    "device",
    "precision",
    "batch_size",
    "sequence_length",
    "threads",
    "hardware_fingerprint",
    "device_name",
    "compute_units",
    "memory_gb",
)
MODEL_COLUMNS = (
    "parameter_count",
    "num_layers",
    "hidden_size",
    "num_heads",
    "flops_per_inference",
    "bytes_per_inference",
    "flops_source",
    "precision_bits",
    "modality",
    "operator_calls",
    "leaf_modules",
    "conv_flop_share",
)
STRUCTURE_COLUMNS = ("operator_calls", "leaf_modules", "conv_flop_share")
HARDWARE_COLUMNS = ("peak_flops", "memory_bandwidth_gbps", "spec_source")


def _models_api() -> Any:
    try:
        import accelbench.models as models
    except ImportError:
        return None
    return models


def _pick(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


APPROX_FLOPS = "approx 2*parameters*batch*sequence"
MODELS_FLOPS = "accelbench.models.flops_per_inference"


def model_columns(
    family: str,
    size: str,
    batch_size: int,
    sequence_length: int,
    precision: str,
    parameter_count_hint: float | None = None,
    flops_method: str | None = None,
    architecture: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Architecture, FLOPs and bytes of one inference of `family`/`size` (FLOPs in floating-point ops).

    `flops_method` (MODELS_FLOPS or APPROX_FLOPS; None: the best available) and `architecture`
    (num_layers, hidden_size, num_heads and STRUCTURE_COLUMNS as in training rows) keep a query's
    features identical to those of the data the model was trained on. Operator counts absent from
    `architecture` are computed (structure_columns; imports torch on first use).
    """
    arch = tuple((architecture or {}).get(k) for k in ("num_layers", "hidden_size", "num_heads"))
    out = dict(
        _model_columns(
            family, size, batch_size, sequence_length, precision, parameter_count_hint, flops_method, arch
        )
    )
    given = architecture or {}
    recorded = {k: given[k] for k in STRUCTURE_COLUMNS if k in given}
    if len(recorded) == len(STRUCTURE_COLUMNS):
        # as recorded at training (None included), so a query's features match the training rows'
        return out | recorded
    # a column the training rows did not carry (a model stored before it existed) is computed
    return out | structure_columns(family, size) | recorded


@functools.lru_cache(maxsize=256)
def structure_columns(family: str, size: str) -> dict[str, Any]:
    """Operator calls of one forward pass, leaf modules and the convolution share of FLOPs of
    `family`/`size` (None where unknown).

    Counted by `accelbench.models.structure` without allocating weights (torch is imported here, on
    first use; about 0.05-1 s per model, then cached). Without torch, or for a family the zoo does
    not know, the values stay None (NaN features, which the trees handle).
    """
    from accelbench.models.structure import model_structure

    try:
        counts = model_structure(family, size)
    except (ImportError, InputError):  # no torch (accelbench[pytorch]) or a family this zoo lacks
        return {c: None for c in STRUCTURE_COLUMNS}
    return {c: counts.get(c) for c in STRUCTURE_COLUMNS}


def fill_structure(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add STRUCTURE_COLUMNS to rows that lack them (datasets exported before they existed), in place."""
    for r in rows:
        if any(r.get(c) is None for c in STRUCTURE_COLUMNS):
            computed = structure_columns(str(r["model_name"]), str(r["model_size"]))
            r.update({c: v for c, v in computed.items() if r.get(c) is None})
    return rows


@functools.lru_cache(maxsize=4096)
def _model_columns(
    family: str,
    size: str,
    batch_size: int,
    sequence_length: int,
    precision: str,
    hint: float | None,
    flops_method: str | None,
    arch: tuple[Any, ...],
) -> dict[str, Any]:
    models = _models_api()
    has_models = models is not None and hasattr(models, "flops_per_inference")
    out: dict[str, Any] = {
        "parameter_count": hint,
        "num_layers": arch[0],
        "hidden_size": arch[1],
        "num_heads": arch[2],
        "flops_per_inference": None,
        "flops_source": None,
        "precision_bits": PRECISION_BITS.get(precision),
        "modality": FAMILIES.get(family, (None,))[0],
    }
    known = hint is not None and all(a is not None for a in arch)
    if not known and models is not None and hasattr(models, "model_features"):
        feats = models.model_features(family, size)
        out["num_layers"] = arch[0] or _pick(feats, "num_layers", "layers", "num_hidden_layers")
        out["hidden_size"] = arch[1] or _pick(feats, "hidden_size", "hidden", "d_model")
        out["num_heads"] = arch[2] or _pick(
            feats, "num_heads", "attention_heads", "heads", "num_attention_heads"
        )
        if out["parameter_count"] is None:
            out["parameter_count"] = _pick(feats, "parameter_count", "parameters")
    if has_models and flops_method in (None, MODELS_FLOPS):
        out["flops_per_inference"] = float(
            models.flops_per_inference(family, size, batch_size, sequence_length)
        )
        out["flops_source"] = MODELS_FLOPS
    elif out["parameter_count"]:
        # Standard dense-transformer estimate; labelled so nobody mistakes it for a count.
        out["flops_per_inference"] = 2.0 * float(out["parameter_count"]) * batch_size * sequence_length
        out["flops_source"] = APPROX_FLOPS
    out["bytes_per_inference"] = bytes_per_inference(out, batch_size, sequence_length)
    return out


def bytes_per_inference(cols: dict[str, Any], batch_size: int, sequence_length: int) -> float | None:
    """Bytes moved by one inference: weights once plus one activation tensor per layer (an estimate)."""
    params, bits = cols.get("parameter_count"), cols.get("precision_bits") or 32
    if not params:
        return None
    weights = float(params) * bits / 8
    hidden, layers = cols.get("hidden_size"), cols.get("num_layers")
    activations = 4.0 * batch_size * sequence_length * hidden * layers if hidden and layers else 0.0
    return weights + activations


def hardware_columns(hardware: dict[str, Any], precision: str = "fp32") -> dict[str, Any]:
    """Peak FLOP/s at `precision` (fp32 peak when that precision has none) and memory bandwidth (GB/s).

    A CPU row names only its model; its clock and ISA flags come from detecting this machine, so
    only a CPU whose name matches this machine's (or an unnamed one) gets computed peaks.
    """
    out: dict[str, Any] = {"peak_flops": None, "memory_bandwidth_gbps": None, "spec_source": None}
    spec = _spec(
        str(hardware.get("hardware_type") or "cpu"),
        str(hardware.get("device_name") or ""),
        hardware.get("memory_gb"),
        hardware.get("compute_units"),
    )
    if spec is None or not getattr(spec, "matched", False):
        return out
    key = "int8_tops" if precision == "int8" else f"{precision}_tflops"
    tflops = spec.peak_tflops(precision) if precision in ("fp32", "fp16", "bf16", "int8") else None
    if tflops is None:
        key, tflops = "fp32_tflops", spec.fp32_tflops
    out["peak_flops"] = float(tflops) * 1e12 if tflops else None
    out["memory_bandwidth_gbps"] = spec.memory_bandwidth_gbps
    out["spec_source"] = spec.sources.get(key) or spec.source
    return out


@functools.lru_cache(maxsize=64)
def _spec(hardware_type: str, device_name: str, memory_gb: Any, compute_units: Any) -> Any:
    try:
        from accelbench.hardware import detect, spec_for
        from accelbench.hardware.info import HardwareInfo
    except ImportError:
        return None
    if hardware_type in ("cpu", "openvino"):
        # OpenVINO rows name the CPU they ran on; its peaks are that CPU's.
        here = detect("cpu")
        if device_name and device_name != here.device_name:
            return None  # another CPU: its clock is unknown here, so no computed peak
        return spec_for(here)
    return spec_for(
        HardwareInfo(
            hardware_type=hardware_type,
            available=True,
            device_name=device_name,
            memory_gb=memory_gb,
            compute_units=compute_units,
        )
    )


def _log(value: Any) -> float:
    return math.log(float(value)) if value else math.nan


def _num(value: Any) -> float:
    return float(value) if value is not None else math.nan


def numeric_features(row: dict[str, Any]) -> dict[str, float]:
    """Every numeric feature of one dataset row by name, NaN where unknown."""
    flops, nbytes = row.get("flops_per_inference"), row.get("bytes_per_inference")
    intensity = flops / nbytes if flops and nbytes else None
    return {
        "log_parameters": _log(row.get("parameter_count")),
        "num_layers": _num(row.get("num_layers")),
        "hidden_size": _num(row.get("hidden_size")),
        "num_heads": _num(row.get("num_heads")),
        "log_flops": _log(flops),
        "log_bytes": _log(nbytes),
        "log2_batch_size": math.log2(row["batch_size"]),
        "log2_sequence_length": math.log2(row.get("sequence_length") or 1),
        "precision_bits": _num(row.get("precision_bits")),
        "threads": _num(row.get("threads")),
        "compute_units": _num(row.get("compute_units")),
        "memory_gb": _num(row.get("memory_gb")),
        "log_peak_flops": _log(row.get("peak_flops")),
        "log_bandwidth_gbps": _log(row.get("memory_bandwidth_gbps")),
        "log_arithmetic_intensity": _log(intensity),
        "log_operator_calls": _log(row.get("operator_calls")),
        "conv_flop_share": _num(row.get("conv_flop_share")),
    }


def numeric_vector(row: dict[str, Any], names: tuple[str, ...] = NUMERIC_FEATURES) -> list[float]:
    """The numeric features `names` (default NUMERIC_FEATURES) of one dataset row, NaN where unknown."""
    feats = numeric_features(row)
    return [feats[n] for n in names]
