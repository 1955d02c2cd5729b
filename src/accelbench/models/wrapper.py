"""The thin module that every runtime sees: positional tensors in, one tensor out."""

from __future__ import annotations

from typing import Any


def wrap(model: Any, input_names: tuple[str, ...], output: str, forward_kwargs: dict[str, Any]) -> Any:
    """Wrap a transformers model so `forward(*tensors)` returns `outputs.<output>` (exportable to ONNX)."""
    import torch

    class PositionalWrapper(torch.nn.Module):
        """forward(*tensors in input_names order) -> the one output tensor compared across runtimes."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.input_names = tuple(input_names)
            self.output_name = output
            self.forward_kwargs = dict(forward_kwargs)

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            if len(tensors) != len(self.input_names):
                raise TypeError(
                    f"expected {len(self.input_names)} tensors {self.input_names}, got {len(tensors)}"
                )
            kwargs = dict(zip(self.input_names, tensors, strict=True))
            out = self.model(**kwargs, **self.forward_kwargs, return_dict=True)
            return getattr(out, self.output_name)

    return PositionalWrapper().eval()
