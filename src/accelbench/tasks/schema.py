"""The JSON Schema that suite files (YAML, JSON or TOML) are validated against."""

from __future__ import annotations

from typing import Any

from accelbench.backends.names import RUNTIMES
from accelbench.hardware.info import PLATFORMS
from accelbench.models.catalog import PRECISIONS, family_names

_POSITIVE_INT = {"type": "integer", "minimum": 1}
# Upper bounds: far above any real inference run, and below what the result columns hold (INT32:
# a sequence of 1e12 ran, then its result was lost when the row could not be stored).
_BATCH_SIZE = {**_POSITIVE_INT, "maximum": 65536}
_SEQUENCE_LENGTH = {**_POSITIVE_INT, "maximum": 1 << 20}
_THREADS = {"type": ["integer", "null"], "minimum": 1, "maximum": 4096}
_ITERATIONS = {**_POSITIVE_INT, "maximum": 10_000_000}
_POSITIVE_NUMBER = {"type": "number", "exclusiveMinimum": 0}


def _config_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["model"],
        "properties": {
            "model": {"enum": family_names(), "description": "model family"},
            "size": {"type": "string", "description": "model size, e.g. tiny, small, base"},
            "hardware": {"enum": list(PLATFORMS)},
            "backend": {"enum": list(RUNTIMES), "description": "runtime; default depends on hardware"},
            "device": {"type": ["string", "null"]},
            "batch_sizes": {"type": "array", "items": _BATCH_SIZE, "minItems": 1},
            "precision_formats": {"type": "array", "items": {"enum": list(PRECISIONS)}, "minItems": 1},
            "sequence_length": _SEQUENCE_LENGTH,
            "iterations": {**_ITERATIONS, "description": "maximum timed iterations"},
            "min_iterations": _ITERATIONS,
            "warmup_iterations": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
            "max_time_seconds": _POSITIVE_NUMBER,
            "target_ci_percent": _POSITIVE_NUMBER,
            "threads": _THREADS,
            "model_path": {"type": ["string", "null"]},
            "mixed_precision": {"type": "boolean"},
            "audit": {"type": "boolean", "description": "run the cache self-audit (distinct inputs)"},
            "seed": {"type": "integer"},
            "timeout_minutes": _POSITIVE_NUMBER,
            "profiling": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    k: {"type": "boolean"} for k in ("memory", "power", "kernel_time", "data_movement")
                },
            },
        },
    }


def suite_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a suite file."""
    requirements = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "hardware_types": {"type": "array", "items": {"enum": list(PLATFORMS)}},
            "min_memory_gb": {"type": ["number", "null"], "minimum": 0},
            "min_compute_capability": {"type": ["number", "null"], "minimum": 0},
            "driver_version_constraints": {"type": ["string", "null"]},
            "exclusive_access": {"type": "boolean"},
        },
    }
    task = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "config"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "priority": {"type": "integer"},
            "config": _config_schema(),
            "requirements": requirements,
            "estimated_time_minutes": {"type": "number", "minimum": 0},
            "dependencies": {"type": "array", "items": {"type": "string"}},
        },
    }
    defaults = _config_schema()
    defaults.pop("required")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "accelbench suite",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "tasks"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "version": {"type": ["string", "number"]},
            "description": {"type": "string"},
            "priority": {"type": "integer"},
            "defaults": {**defaults, "description": "config values applied to every task"},
            "tasks": {"type": "array", "items": task, "minItems": 1},
        },
    }
