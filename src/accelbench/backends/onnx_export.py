"""Export a built torch module to one ONNX file (TorchScript exporter), batch and sequence dims dynamic."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from accelbench.errors import UnsupportedError

DEFAULT_OPSET = 17
MODEL_FILE = "model.onnx"


def dynamic_axes(input_names: list[str], example_inputs: tuple[Any, ...], output_rank: int) -> dict:
    """Batch (dim 0) of every input, dim 1 of rank-2 inputs (tokens, masks, waveforms), all output dims."""
    axes: dict[str, dict[int, str]] = {}
    for name, t in zip(input_names, example_inputs, strict=True):
        if t.dim() == 0:
            continue
        axes[name] = {0: "batch"}
        if t.dim() == 2:
            axes[name][1] = f"{name}_length"
    axes["output"] = {i: f"output_dim{i}" for i in range(output_rank)}
    return axes


def export_onnx(
    built: Any, example_inputs: tuple[Any, ...], directory: Path, opset: int = DEFAULT_OPSET
) -> Path:
    """Write directory/model.onnx; an exporter failure becomes UnsupportedError with its message."""
    import torch

    names = list(getattr(built, "input_names", None) or [f"input_{i}" for i in range(len(example_inputs))])
    with torch.no_grad():
        rank = built.module(*example_inputs).dim()
    path = directory / MODEL_FILE
    try:
        with warnings.catch_warnings():
            # Tracer and deprecation warnings are expected for transformers models; the accuracy check
            # against pytorch fp32 is what tells whether the trace is right.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                built.module,
                tuple(example_inputs),
                str(path),
                dynamo=False,  # one self-contained file, ~15x faster to export than dynamo (NOTES.md)
                input_names=names,
                output_names=["output"],
                dynamic_axes=dynamic_axes(names, example_inputs, rank),
                opset_version=opset,
            )
    except Exception as exc:
        raise UnsupportedError(f"ONNX export of {_model_name(built)} failed: {_summary(exc)}") from exc
    return path


def _model_name(built: Any) -> str:
    return f"{getattr(built, 'family', 'model')}/{getattr(built, 'size', '?')}"


def _summary(exc: BaseException) -> str:
    """First line of the exception, at most 300 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {text}"
    return text[:300] + ("..." if len(text) > 300 else "")
