"""The kernels one forward pass runs: matrix products, convolutions, attention, the rest by bytes.

Recorded from a forward pass of the zoo's model on fake parameters (shapes without storage, as
`accelbench.models.structure` counts operators), at the batch size and sequence length asked, so a
34B model is traced in about a second and nothing is measured. What is recorded is device-free:
the same calls are priced by a CPU profile or a GPU one (profile.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

MATMUL_OPS = {"mm": (0, 1), "addmm": (1, 2), "bmm": (0, 1), "baddbmm": (1, 2)}  # op -> (a, b) arg index
# Operators that move no data (metadata, aliasing, a scalar read): priced as one dispatch.
NO_DATA_OPS = {
    "_local_scalar_dense",
    "_unsafe_view",
    "alias",
    "expand",
    "permute",
    "select",
    "slice",
    "split",
    "squeeze",
    "t",
    "transpose",
    "unbind",
    "unsqueeze",
    "view",
}


@dataclass(frozen=True)
class KernelCalls:
    """Every kernel of one forward pass, by kind (shapes in elements)."""

    matmuls: tuple[tuple[int, int, int, int], ...]  # (batch, M, K, N): batch x (M x K) @ (K x N)
    convolutions: tuple[tuple[tuple[int, ...], tuple[int, ...], int, tuple[int, ...]], ...]
    # ^ (input shape, weight shape, groups, output shape), 1-D or 2-D
    attention: tuple[tuple[int, int, int, int], ...]  # (batch x heads, query length, key length, head dim)
    elementwise_bytes: tuple[int, ...]  # bytes read + written by each other data-moving operator
    dispatches: int  # operators that move no data

    @property
    def total(self) -> int:
        """Operator calls recorded."""
        return (
            len(self.matmuls)
            + len(self.convolutions)
            + len(self.attention)
            + len(self.elementwise_bytes)
            + self.dispatches
        )


def _nbytes(values: list[Any]) -> int:
    import torch

    return sum(t.numel() * t.element_size() for t in values if isinstance(t, torch.Tensor))


def _shape(t: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in t.shape)


class _Recorder:
    """Collects KernelCalls fields from aten operator calls (used by record_calls' dispatch mode)."""

    def __init__(self) -> None:
        self.matmuls: list[tuple[int, int, int, int]] = []
        self.convolutions: list[Any] = []
        self.attention: list[tuple[int, int, int, int]] = []
        self.elementwise: list[int] = []
        self.dispatches = 0

    def add(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
        from torch.utils._pytree import tree_flatten

        name = func._overloadpacket.__name__
        if name in MATMUL_OPS:
            a, b = (args[i] for i in MATMUL_OPS[name])
            batch = int(a.shape[0]) if a.dim() == 3 else 1
            self.matmuls.append((batch, int(a.shape[-2]), int(a.shape[-1]), int(b.shape[-1])))
        elif name in ("convolution", "_convolution"):
            groups = int(args[8]) if len(args) > 8 else 1
            self.convolutions.append((_shape(args[0]), _shape(args[1]), groups, _shape(out)))
        elif "scaled_dot_product" in name:
            q, k = args[0], args[1]
            self.attention.append(
                (int(q.shape[0] * q.shape[1]), int(q.shape[2]), int(k.shape[2]), int(q.shape[3]))
            )
        elif func.is_view or name in NO_DATA_OPS:
            self.dispatches += 1
        else:
            ins, _ = tree_flatten((args, kwargs))
            outs, _ = tree_flatten(out)
            self.elementwise.append(_nbytes(ins) + _nbytes(outs))

    def calls(self) -> KernelCalls:
        return KernelCalls(
            tuple(self.matmuls),
            tuple(self.convolutions),
            tuple(self.attention),
            tuple(self.elementwise),
            self.dispatches,
        )


def record_calls(family: str, model: Any, config: Any, batch_size: int, sequence_length: int) -> KernelCalls:
    """The KernelCalls of one forward pass of `model` (of `family`, built from `config`)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    from accelbench.models.structure import forward_under

    recorder = _Recorder()

    class _Mode(TorchDispatchMode):
        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            if func.namespace == "aten":  # not prim.* queries that fake tensors answer
                recorder.add(func, args, kwargs or {}, out)
            return out

    forward_under(family, model, config, _Mode(), batch_size, sequence_length)
    return recorder.calls()


@functools.lru_cache(maxsize=2048)
def kernel_calls(family: str, size: str, batch_size: int, sequence_length: int) -> KernelCalls:
    """The kernels one forward pass of the zoo's `family`/`size` runs at `batch_size` x `sequence_length`.

    Imports torch; about 0.05-1 s the first time per (family, size), then ~10 ms per shape, cached.
    InputError for a family or size the zoo does not know.
    """
    from accelbench.models.structure import TRACE_LOCK, zoo_fake_model

    with TRACE_LOCK:  # one cached model per (family, size) is shared by every thread
        model, config = zoo_fake_model(family, size)
        return record_calls(family, model, config, batch_size, sequence_length)
