"""What identifies a converted artifact: model, weights content, input signature, library versions."""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Any

# Bump when the way artifacts are produced changes, so old entries are not reused.
ARTIFACT_FORMAT = 1


def weights_digest(module: Any) -> str:
    """sha256 (hex, 32 chars) over every parameter and buffer of a torch module: names, dtypes, bytes."""
    import torch

    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)};".encode())
        # bf16 has no numpy dtype: hash the raw bytes through a same-width integer view.
        raw = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        h.update(memoryview(raw.numpy()).cast("B"))  # no copy: ~3x faster than tobytes()
    return h.hexdigest()[:32]


def input_signature(example_inputs: tuple[Any, ...]) -> list[str]:
    """dtype and full shape of each input ('int64[2,16]').

    The batch size is part of the key on purpose: some traced exports (llava) bake it in and then
    return wrong shapes for another batch without raising, so an artifact is only reused for the
    exact shapes it was exported with.
    """
    return [
        f"{str(t.dtype).removeprefix('torch.')}[{','.join(str(d) for d in t.shape)}]" for t in example_inputs
    ]


def library_versions(*names: str) -> dict[str, str]:
    """Installed versions of the named distributions ('missing' for an absent one)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def key_parts(
    built: Any,
    example_inputs: tuple[Any, ...],
    *,
    backend: str,
    artifact_precision: str,
    libraries: tuple[str, ...],
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The dict an artifact is keyed on (see ArtifactCache.get_or_create)."""
    return {
        "format": ARTIFACT_FORMAT,
        "family": getattr(built, "family", "unknown"),
        "size": getattr(built, "size", "unknown"),
        "weights": getattr(built, "weights", "unknown"),
        # The weights' content, not their seed or path: two builds with different weights never share.
        "weights_digest": weights_digest(built.module),
        "input_names": list(getattr(built, "input_names", [])),
        "inputs": input_signature(example_inputs),
        "backend": backend,
        "precision": artifact_precision,
        "versions": library_versions("torch", "transformers", *libraries),
        "options": options or {},
    }
