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
Both counts are independent of batch size; torch is imported only when a count is computed, and
results are cached per (family, size).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from accelbench.models.zoo import get_config, get_spec

STRUCTURE_BATCH_SIZE = 1
STRUCTURE_SEQUENCE_LENGTH = 32


@cache
def model_structure(family: str, size: str) -> dict[str, int]:
    """{"leaf_modules": int, "operator_calls": int} of `family` at `size` (see the module docstring).

    About 0.05-1 s the first time per (family, size), then cached. InputError for an unknown family
    or size.
    """
    return structure_of_config(family, get_config(family, size))


def structure_of_config(family: str, config: Any) -> dict[str, int]:
    """model_structure of the model of `family` that `config` describes (not cached)."""
    import torch
    from torch._subclasses.fake_tensor import FakeTensorMode

    spec = get_spec(family)
    with torch.device("meta"):
        model = spec.model_cls()(config)
    with FakeTensorMode(allow_non_fake_inputs=True):
        model.to_empty(device="cpu")  # fake parameters: CPU tensors of the right shape, no storage
    leaves = sum(1 for m in model.modules() if next(m.children(), None) is None)
    return {"leaf_modules": leaves, "operator_calls": count_operator_calls(family, model.eval(), config)}


def count_operator_calls(family: str, model: Any, config: Any) -> int:
    """ATen operator calls of one forward pass of `model` (of `family`, built from `config`) on the
    zoo's inputs at batch STRUCTURE_BATCH_SIZE and sequence length STRUCTURE_SEQUENCE_LENGTH."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    from accelbench.models.wrapper import wrap

    spec = get_spec(family)
    generator = torch.Generator().manual_seed(0)
    tensors = spec.make_inputs(config, STRUCTURE_BATCH_SIZE, STRUCTURE_SEQUENCE_LENGTH, generator)
    module = wrap(model, spec.input_names, spec.output, spec.forward_kwargs)

    class _Counter(TorchDispatchMode):
        calls = 0

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            if func.namespace == "aten":  # not prim.* queries that fake tensors answer
                _Counter.calls += 1
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), _Counter():
        module(*(tensors[name] for name in spec.input_names))
    return _Counter.calls
