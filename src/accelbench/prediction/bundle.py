"""A trained model set: one TargetModel per target plus the platforms and configurations it was trained on."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from accelbench.prediction.dataset import TARGETS, config_key, fingerprint, rows_with_target
from accelbench.prediction.features import HARDWARE_COLUMNS, MODEL_COLUMNS
from accelbench.prediction.kernels.columns import priced_shapes
from accelbench.prediction.kernels.profile import KernelProfile, known_profiles
from accelbench.prediction.learner import (
    MIN_ROWS,
    InsufficientDataError,
    TargetModel,
    hardware_key,
    train_target,
)
from accelbench.storage.queries import KEY_COLUMNS

_PLATFORM_COLUMNS = (
    "hardware_type",
    "device_name",
    "compute_units",
    "memory_gb",
    "hardware_fingerprint",
    *HARDWARE_COLUMNS,
)
_NEAREST_COLUMNS = (*KEY_COLUMNS, "result_id", *TARGETS.values())


@dataclass
class ModelBundle:
    """Everything a Predictor needs, serialisable to the predictive_performance_models table."""

    version: str
    data_fingerprint: str
    models: dict[str, TargetModel]
    platforms: dict[str, dict[str, Any]]  # hardware_key -> platform columns + row count + usual threads
    model_table: dict[str, dict[str, Any]]  # "family/size" -> parameter count and architecture
    measured: list[dict[str, Any]]  # compact training configurations with their measured targets
    skipped: dict[str, str] = field(default_factory=dict)  # target -> why no model
    trained_at: str = ""
    model_ids: dict[str, int] = field(default_factory=dict)
    kernel_profiles: list[KernelProfile] = field(default_factory=list)  # what priced the training rows
    # [profile id, family, size, batch, sequence, ms] of the training rows' shapes: a Predictor seeds
    # them into the estimate cache, so queries of those shapes are not traced again
    kernel_estimates: list[list[Any]] = field(default_factory=list)

    def shared_dict(self) -> dict[str, Any]:
        """The parts common to every target, JSON-serialisable."""
        return {
            "version": self.version,
            "data_fingerprint": self.data_fingerprint,
            "platforms": self.platforms,
            "model_table": self.model_table,
            "measured": self.measured,
            "skipped": self.skipped,
            "trained_at": self.trained_at,
            "kernel_profiles": [p.to_dict() for p in self.kernel_profiles],
            "kernel_estimates": self.kernel_estimates,
        }

    def blob(self, target: str) -> bytes:
        """gzip-compressed JSON of one target's model and the shared parts."""
        payload = {"target_model": self.models[target].to_dict(), "shared": self.shared_dict()}
        return gzip.compress(json.dumps(payload, default=str).encode())

    @classmethod
    def from_blobs(cls, blobs: dict[int, bytes]) -> ModelBundle:
        """Rebuild from {model_id: blob} rows of one version."""
        models, ids, shared = {}, {}, {}
        for mid, blob in blobs.items():
            payload = json.loads(gzip.decompress(blob))
            tm = TargetModel.from_dict(payload["target_model"])
            models[tm.target], ids[tm.target], shared = tm, mid, payload["shared"]
        return cls(
            shared["version"],
            shared["data_fingerprint"],
            models,
            shared["platforms"],
            shared["model_table"],
            shared["measured"],
            shared.get("skipped", {}),
            shared.get("trained_at", ""),
            ids,
            [KernelProfile.from_dict(p) for p in shared.get("kernel_profiles") or []],
            shared.get("kernel_estimates") or [],
        )

    def measured_keys(self) -> set[tuple[Any, ...]]:
        """Configuration keys of every training row."""
        return {config_key(r) for r in self.measured}


def train_bundle(
    rows: list[dict[str, Any]],
    *,
    targets: tuple[str, ...] = tuple(TARGETS),
    seed: int = 0,
    version: str | None = None,
    hyper: dict[str, Any] | None = None,
) -> ModelBundle:
    """Train every target that has at least MIN_ROWS measured values; latency is required.

    `hyper` fixes the hyperparameters instead of choosing them by grouped cross-validation.
    """
    models, skipped = {}, {}
    for target in targets:
        usable = rows_with_target(rows, target)
        if len(usable) < MIN_ROWS:
            skipped[target] = f"{len(usable)} measured rows (need {MIN_ROWS})"
            if target == "power_watts" and not usable:
                skipped[target] += ": no measured power (estimates are not training data)"
            continue
        models[target] = train_target(usable, target, seed=seed, hyper=hyper)
    if "latency_ms" not in models:
        raise InsufficientDataError(
            f"cannot train: {skipped.get('latency_ms', 'no latency target')}; "
            "collect data with `accelbench run --suite suites/reference.yaml --db PATH`",
            field="latency_ms",
        )
    fp = fingerprint(rows)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return ModelBundle(
        version or f"{now:%Y%m%d%H%M%S}-{fp[:8]}",
        fp,
        models,
        platforms_of(rows),
        model_table_of(rows),
        [{c: r.get(c) for c in _NEAREST_COLUMNS} for r in rows],
        skipped,
        now.isoformat(),
        kernel_profiles=known_profiles(
            {str(r["kernel_profile_id"]) for r in rows if r.get("kernel_profile_id")}
        ),
        kernel_estimates=priced_shapes(rows),
    )


def platforms_of(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per hardware platform: its columns, how many rows it has and its most common thread count."""
    out: dict[str, dict[str, Any]] = {}
    threads: dict[str, Counter[Any]] = {}
    for r in rows:
        key = hardware_key(r)
        entry = out.setdefault(key, {c: r.get(c) for c in _PLATFORM_COLUMNS} | {"rows": 0})
        entry["rows"] += 1
        entry.setdefault("peaks", {})[str(r.get("precision"))] = r.get("peak_flops")
        threads.setdefault(key, Counter())[r.get("threads")] += 1
    for key, entry in out.items():
        entry["usual_threads"] = threads[key].most_common(1)[0][0]
    return out


def model_table_of(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per family/size: parameter count and architecture as seen in training rows."""
    keep = [
        c for c in MODEL_COLUMNS if c not in ("flops_per_inference", "bytes_per_inference", "precision_bits")
    ]
    return {f"{r['model_name']}/{r['model_size']}": {c: r.get(c) for c in keep} for r in rows}
