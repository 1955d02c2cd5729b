"""How many modules and operator calls one forward pass of a family x size makes (what FLOPs do not show).

A tiny model spends most of its time on per-operator overhead (dispatch, allocation, an ONNX node's
scheduling) rather than arithmetic, so two models with the same FLOPs can differ several-fold in
latency. These counts measure the size of that overhead:

- `leaf_modules`: modules without children (Linear, LayerNorm, activations, ...);
- `operator_calls`: ATen operator calls of one forward pass on the zoo's inputs at batch
  STRUCTURE_BATCH_SIZE and sequence length STRUCTURE_SEQUENCE_LENGTH.

Nothing is allocated for the weights: the model is built on the `meta` device and its parameters are
then made fake tensors (shapes without storage, torch's FakeTensorMode), while the inputs stay real.
So every operator on weights runs shape-only, and what the forward pass decides from its inputs
(masks, where image tokens go) is decided as in a real run: on every tiny model the count equals
that of a real forward pass (a test checks bert). A 34B model is counted in under a second.
- `conv_flop_share`: the share of the forward pass's FLOPs (torch's FlopCounterMode, same inputs)
  spent in convolutions: 1.0 for resnet, 0.92 detr, 0.51 wav2vec2, 0.42 convnext, 0.26 vit-tiny's
  patch embedding, 0 for the text transformers. Runtimes treat convolutions differently from matrix
  products (onnxruntime's dynamic int8 quantizes both, PyTorch's only nn.Linear), and the modality
  alone does not say which an image model is made of.

The counts are independent of batch size; torch is imported only when a count is computed, and
results are cached per (family, size).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from accelbench.models.zoo import get_config, get_spec

STRUCTURE_BATCH_SIZE = 1
STRUCTURE_SEQUENCE_LENGTH = 32
# Fake tensors keep per-mode state: two threads tracing at once (API requests served from a thread
# pool) broke each other's passes ("fake_mode.in_kernel_invocation must be False"), so one at a time.
TRACE_LOCK = threading.RLock()


@cache
def model_structure(family: str, size: str) -> dict[str, Any]:
    """{"leaf_modules": int, "operator_calls": int, "conv_flop_share": float} of `family` at `size`
    (see the module docstring).

    About 0.05-1 s the first time per (family, size), then cached. InputError for an unknown family
    or size.
    """
    model, config = zoo_fake_model(family, size)
    return _structure(family, model, config)


def structure_of_config(family: str, config: Any) -> dict[str, Any]:
    """model_structure of the model of `family` that `config` describes (not cached)."""
    return _structure(family, fake_model(family, config), config)


@cache
def zoo_fake_model(family: str, size: str) -> tuple[Any, Any]:
    """(fake model, config) of the zoo's `family` at `size`, built once per process: the structure
    counts and the kernel traces (accelbench.prediction.kernels) share it, under TRACE_LOCK."""
    config = get_config(family, size)
    return fake_model(family, config), config


def _structure(family: str, model: Any, config: Any) -> dict[str, Any]:
    leaves = sum(1 for m in model.modules() if next(m.children(), None) is None)
    return {
        "leaf_modules": leaves,
        "operator_calls": count_operator_calls(family, model, config),
        "conv_flop_share": conv_flop_share(family, model, config),
    }


def fake_model(family: str, config: Any) -> Any:
    """The eval-mode model of `family` built from `config` with fake parameters (shapes, no storage)."""
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode

    spec = get_spec(family)
    with TRACE_LOCK:
        with torch.device("meta"):
            model = spec.model_cls()(config)
        with FakeTensorMode(allow_non_fake_inputs=True):
            model.to_empty(device="cpu")  # fake parameters: CPU tensors of the right shape, no storage
        return model.eval()


def forward_under(
    family: str,
    model: Any,
    config: Any,
    mode: Any,
    batch_size: int = STRUCTURE_BATCH_SIZE,
    sequence_length: int = STRUCTURE_SEQUENCE_LENGTH,
) -> None:
    """One forward pass of `model` under the torch dispatch `mode`, on the zoo's inputs at
    `batch_size` and `sequence_length` (default: the counts' STRUCTURE_* sizes)."""
    import torch

    from accelbench.models.wrapper import wrap

    spec = get_spec(family)
    generator = torch.Generator().manual_seed(0)
    tensors = spec.make_inputs(config, batch_size, sequence_length, generator)
    module = wrap(model, spec.input_names, spec.output, spec.forward_kwargs)
    with TRACE_LOCK, torch.no_grad(), mode:
        module(*(tensors[name] for name in spec.input_names))


def count_operator_calls(family: str, model: Any, config: Any) -> int:
    """ATen operator calls of one forward pass of `model` (of `family`, built from `config`)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Counter(TorchDispatchMode):
        calls = 0

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            if func.namespace == "aten":  # not prim.* queries that fake tensors answer
                _Counter.calls += 1
            return func(*args, **(kwargs or {}))

    forward_under(family, model, config, _Counter())
    return _Counter.calls


def conv_flop_share(family: str, model: Any, config: Any) -> float:
    """Share of one forward pass's FLOPs in convolutions (0.0 when it counts no FLOPs at all).

    A pass of its own: under FlopCounterMode wav2vec2 makes 2 more operator calls (100 instead of
    98 for tiny), so sharing count_operator_calls' pass would change the counts the data carries.
    """
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    forward_under(family, model, config, counter)
    counts = counter.get_flop_counts().get("Global", {})
    total = sum(counts.values())
    conv = sum(v for op, v in counts.items() if "convolution" in str(op))
    return float(conv / total) if total else 0.0
