"""Turn a user's question (model, hardware, batch, ...) into a feature row, or say exactly what is missing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from accelbench.backends.names import DEFAULT_BACKEND, RUNTIMES
from accelbench.errors import InputError
from accelbench.hardware.info import PLATFORMS
from accelbench.models.catalog import FAMILIES, PRECISIONS
from accelbench.prediction.features import APPROX_FLOPS, MODELS_FLOPS, hardware_columns, model_columns
from accelbench.prediction.learner import InsufficientDataError

if TYPE_CHECKING:
    from accelbench.prediction.bundle import ModelBundle

MIN_PLATFORMS = 3  # the same bar as the leave-one-hardware-out evaluation
# The largest batch size, sequence length and batch x sequence a query may ask. A query's forward
# pass is traced on real inputs (structure.forward_under): batch 1e12 asked for 1 PB and crashed
# the API. At these limits the largest inputs are ~600 MB of pixels (1,024 images) or ~335 MB of
# audio (wav2vec2 at 262,144 frames, 320 samples each); text is capped by each model's position
# table anyway. All lie far beyond any measured range (the reference data goes to batch 32 and
# sequence 128), where the intervals say how little is known.
MAX_QUERY = {"batch_size": 1024, "sequence_length": 16384}
MAX_QUERY_ITEMS = 1 << 18  # batch_size x sequence_length


@dataclass
class Query:
    """One configuration to predict; None fields take the trained platform's usual values."""

    model_name: str
    model_size: str = "tiny"
    hardware_type: str = "cpu"
    batch_size: int = 1
    sequence_length: int = 128
    precision: str = "fp32"
    backend: str | None = None
    threads: int | None = None
    device_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


def validate(q: Query) -> None:
    """Raise InputError naming the field when a query names an unknown model, hardware or precision."""
    if q.model_name not in FAMILIES:
        raise InputError(
            f"unknown model family '{q.model_name}'; known: {', '.join(FAMILIES)}", field="model_name"
        )
    if q.model_size not in FAMILIES[q.model_name][1]:
        raise InputError(
            f"unknown size '{q.model_size}' for {q.model_name}; known: "
            f"{', '.join(FAMILIES[q.model_name][1])}",
            field="model_size",
        )
    if q.hardware_type not in PLATFORMS:
        raise InputError(
            f"unknown hardware '{q.hardware_type}'; known: {', '.join(PLATFORMS)}", field="hardware_type"
        )
    if q.precision not in PRECISIONS:
        raise InputError(
            f"unknown precision '{q.precision}'; known: {', '.join(PRECISIONS)}", field="precision"
        )
    if q.backend is not None and q.backend not in RUNTIMES:
        raise InputError(f"unknown runtime '{q.backend}'; known: {', '.join(RUNTIMES)}", field="backend")
    for name, most in MAX_QUERY.items():
        if not 1 <= int(getattr(q, name)) <= most:
            raise InputError(f"must be between 1 and {most}, not {getattr(q, name)}", field=name)
    if int(q.batch_size) * int(q.sequence_length) > MAX_QUERY_ITEMS:
        raise InputError(
            f"batch_size x sequence_length must be <= {MAX_QUERY_ITEMS}, not "
            f"{q.batch_size} x {q.sequence_length}",
            field="batch_size",
        )
    if q.threads is not None and int(q.threads) < 1:
        raise InputError(f"must be >= 1, not {q.threads}", field="threads")


def platform_for(bundle: ModelBundle, q: Query) -> tuple[dict[str, Any], bool]:
    """The platform columns to use and whether that platform was seen in training."""
    seen = [p for p in bundle.platforms.values() if p["hardware_type"] == q.hardware_type]
    if q.device_name:
        seen = [p for p in seen if q.device_name.lower() in str(p.get("device_name") or "").lower()]
    if seen:
        return max(seen, key=lambda p: p["rows"]), True
    trained = sorted({f"{p['hardware_type']} ({p.get('device_name')})" for p in bundle.platforms.values()})
    spec = hardware_columns(
        {"hardware_type": q.hardware_type, "device_name": q.device_name or ""}, q.precision
    )
    if len(bundle.platforms) < MIN_PLATFORMS or not spec.get("peak_flops"):
        why = (
            f"the models were trained on {len(bundle.platforms)} platform(s); predicting an unmeasured one "
            f"needs >= {MIN_PLATFORMS}, so that the transfer across hardware is calibrated"
            if len(bundle.platforms) < MIN_PLATFORMS
            else "the spec table has no peak FLOP/s for it"
        )
        name = q.hardware_type + (f" ({q.device_name})" if q.device_name else "")
        raise InsufficientDataError(
            f"no measurements on {name} and {why}; trained on: {'; '.join(trained)}. "
            f"Measure it: accelbench run --hardware {q.hardware_type}",
            field="hardware_type",
        )
    return {
        "hardware_type": q.hardware_type,
        "device_name": q.device_name,
        "hardware_fingerprint": None,
        "compute_units": None,
        "memory_gb": None,
        **spec,
    }, False


def flops_method(bundle: ModelBundle) -> str:
    """How the training rows' FLOPs were computed (queries must use the same)."""
    from collections import Counter

    sources = Counter(str(m.get("flops_source")) for m in bundle.model_table.values())
    top = sources.most_common(1)[0][0] if sources else MODELS_FLOPS
    return top if top == MODELS_FLOPS else APPROX_FLOPS


def feature_row(bundle: ModelBundle, q: Query) -> tuple[dict[str, Any], dict[str, Any]]:
    """(dataset-like row for the models, resolved query with defaults filled in)."""
    validate(q)
    platform, seen = platform_for(bundle, q)
    if seen:
        peaks = platform.get("peaks") or {}
        peak = (
            peaks[q.precision]
            if q.precision in peaks
            else hardware_columns(platform, q.precision)["peak_flops"]
        )
        peak = peak or platform.get("peak_flops")  # a precision never measured there: its fp32-row peak
        platform = platform | {"peak_flops": peak}
    backend = q.backend or DEFAULT_BACKEND[q.hardware_type]
    domain = bundle.models["latency_ms"].domain
    for name, value, known in (
        ("backend", backend, domain["backends"]),
        ("precision", q.precision, domain["precisions"]),
    ):
        if value not in known:
            raise InsufficientDataError(
                f"no measurements with {name} '{value}'; measured: {', '.join(known)}", field=name
            )
    threads = q.threads if q.threads is not None else platform.get("usual_threads")
    hint = bundle.model_table.get(f"{q.model_name}/{q.model_size}", {})
    cols = model_columns(
        q.model_name,
        q.model_size,
        q.batch_size,
        q.sequence_length,
        q.precision,
        hint.get("parameter_count"),
        flops_method(bundle),
        hint,
    )
    if not cols.get("flops_per_inference"):
        raise InsufficientDataError(
            f"no parameter count or FLOP count known for {q.model_name}-{q.model_size}: measure it once, "
            "or install accelbench[pytorch] so accelbench.models can compute it",
            field="model_name",
        )
    resolved = q.to_dict() | {
        "backend": backend,
        "threads": threads,
        "device_name": platform.get("device_name"),
        "hardware_fingerprint": platform.get("hardware_fingerprint"),
    }
    row = {**platform, **cols, **resolved, "device": q.hardware_type}
    if bundle.kernel_profiles:
        from accelbench.prediction.kernels import kernel_columns

        row |= kernel_columns(row, bundle.kernel_profiles)
    return row, resolved
