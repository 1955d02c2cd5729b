"""The kernel-time columns of dataset rows and queries: their forward pass priced by a profile."""

from __future__ import annotations

import threading
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.kernels.profile import KernelProfile, known_profiles, profile_for, remember

KERNEL_COLUMNS = ("kernel_estimate_ms", "kernel_profile_id")


_ESTIMATES: dict[tuple[Any, ...], float] = {}
_LOCK = threading.Lock()  # (profile id, family, size, batch, sequence) -> ms


def kernel_columns(row: dict[str, Any], profiles: list[KernelProfile]) -> dict[str, Any]:
    """{"kernel_estimate_ms", "kernel_profile_id"} of `row`: its forward pass (model_name,
    model_size, batch_size, sequence_length) priced by the profile of its device (cached); both
    None when no profile matches, torch is not installed or the zoo does not know the model."""
    profile = profile_for(row, profiles)
    if profile is None:
        return dict.fromkeys(KERNEL_COLUMNS)
    shape = (
        str(row["model_name"]),
        str(row["model_size"]),
        int(row["batch_size"]),
        int(row.get("sequence_length") or 1),
    )
    key = (profile.profile_id, *shape)
    if key not in _ESTIMATES:
        from accelbench.prediction.kernels.calls import kernel_calls

        # One pricing at a time, checked again inside: under load, API threads asking for the same
        # new shape at once each traced it (~20 ms apiece) and the queue grew to seconds.
        with _LOCK:
            try:
                if key not in _ESTIMATES:
                    _ESTIMATES[key] = profile.estimate_ms(kernel_calls(*shape))
            except (ImportError, InputError):  # no torch (accelbench[pytorch]) or a model the zoo lacks
                return dict.fromkeys(KERNEL_COLUMNS)
    remember(profile)  # so that the row can be re-priced at another batch size (at_batch_size_columns)
    return {"kernel_estimate_ms": _ESTIMATES[key], "kernel_profile_id": profile.profile_id}


def at_batch_size_columns(row: dict[str, Any], batch_size: int) -> dict[str, Any]:
    """KERNEL_COLUMNS of `row` at another `batch_size`, re-priced by the profile that priced it
    (empty when no profile did)."""
    pid = row.get("kernel_profile_id")
    if not pid:
        return {}
    return kernel_columns(dict(row, batch_size=batch_size), known_profiles({str(pid)}))


def priced_shapes(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """[profile id, family, size, batch, sequence, ms] of every distinct shape `rows` were priced at,
    for a trained bundle to carry (seed_estimates)."""
    out = {
        (
            str(r["kernel_profile_id"]),
            str(r["model_name"]),
            str(r["model_size"]),
            int(r["batch_size"]),
            int(r.get("sequence_length") or 1),
        ): float(r["kernel_estimate_ms"])
        for r in rows
        if r.get("kernel_profile_id") and r.get("kernel_estimate_ms")
    }
    return [[*key, ms] for key, ms in sorted(out.items())]


def seed_estimates(shapes: list[list[Any]]) -> None:
    """Put the estimates of priced_shapes() into the cache (keeping any already there), so that a
    freshly loaded model answers queries of its training shapes without tracing them (~20 ms each)."""
    with _LOCK:
        for pid, family, size, batch, sequence, ms in shapes:
            _ESTIMATES.setdefault((str(pid), str(family), str(size), int(batch), int(sequence)), float(ms))


def fill_kernel_estimates(rows: list[dict[str, Any]], profiles: list[KernelProfile]) -> list[dict[str, Any]]:
    """Set KERNEL_COLUMNS on every row (None where no profile answers), in place; returns rows."""
    for r in rows:
        r.update(kernel_columns(r, profiles))
    return rows
