"""Price a forward pass's kernels from a profile: interpolate the measured grid, sum the calls.

Each table is interpolated linearly in log(time) over log(shape), extrapolating linearly past the
grid's ends. Shapes the profile did not run (over measure.MAX_FLOPS) take the best FLOP/s the
profile measured. How each kernel is priced:

- matrix product (batch, M, K, N): the mm table (batch 1) or the bmm table;
- attention: its two batched products (Q K^T and P V) plus a softmax priced as an elementwise
  operator over the score matrix (on CPU, torch's fused kernel measured 1.0-2.2x that sum);
- convolution: the conv2d / conv1d table of the nearest kernel size and stride, scaled by the
  ratio of kernel areas; grouped convolutions as `groups` convolutions of one group each;
  depthwise 2-D ones by their own table; anything else as its im2col matrix product;
- any other operator by the bytes it reads and writes (the elementwise add table); operators that
  move no data as one dispatch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.prediction.kernels.calls import KernelCalls
    from accelbench.prediction.kernels.profile import KernelProfile

ELEMENTWISE_BYTES_PER_ELEMENT = 12  # the add table: two fp32 inputs read, one written
SOFTMAX_BYTES_PER_SCORE = 8  # one fp32 score read, one written


def _nearest(options: list[int], value: float) -> int:
    return min(options, key=lambda o: abs(math.log(o / value)))


class Pricer:
    """Interpolators over one profile's tables; total_s prices a KernelCalls."""

    def __init__(self, profile: KernelProfile) -> None:
        t, a = profile.tables, profile.axes
        work = [(2 * math.prod(r[:3]) / r[-1]) for r in t["mm"]] + [
            (2 * math.prod(r[:4]) / r[-1]) for r in t["bmm"]
        ]
        self.peak_flops = max(work)
        self.mm = self._grid(t["mm"], [a["mm_m"], a["mm_k"], a["mm_n"]], lambda s: 2 * math.prod(s))
        dims = a["bmm_dim"]
        self.bmm = self._grid(t["bmm"], [a["bmm_batch"], dims, dims, dims], lambda s: 2 * math.prod(s))
        chans, batches = a["conv_channels"], a["conv_batch"]
        pixels = [s * s for s in a["conv2d_side"]]
        self.conv2d = {
            (k, st): self._grid(
                [[n, h * h, ci, co, v] for kk, ss, n, h, ci, co, v in t["conv2d"] if (kk, ss) == (k, st)],
                [batches, pixels, chans, chans],
                lambda s, k=k: 2 * math.prod(s) * k * k,
            )
            for k in a["conv2d_kernel"]
            for st in a["conv_stride"]
        }
        self.conv1d = {
            (k, st): self._grid(
                [[n, ln, ci, co, v] for kk, ss, n, ln, ci, co, v in t["conv1d"] if (kk, ss) == (k, st)],
                [batches, a["conv1d_length"], chans, chans],
                lambda s, k=k: 2 * math.prod(s) * k,
            )
            for k in a["conv1d_kernel"]
            for st in a["conv_stride"]
        }
        self.depthwise = {
            k: self._grid(
                [[n, h * h, c, v] for kk, n, h, c, v in t["depthwise"] if kk == k],
                [batches, pixels, chans],
                lambda s, k=k: 2 * math.prod(s) * k * k,
            )
            for k in a["depthwise_kernel"]
        }
        ew = sorted(t["elementwise"])
        self.ew_log_bytes = [math.log(r[0] * ELEMENTWISE_BYTES_PER_ELEMENT) for r in ew]
        self.ew_log_s = [math.log(r[1]) for r in ew]
        self.dispatch_s = float(t["dispatch"][0][-1])
        self.axes = a

    def _grid(self, rows: list[list[float]], axes: list[list[int]], flops: Any) -> Any:
        """Log-log linear interpolator over `axes`; unmeasured points at the peak FLOP/s."""
        import itertools

        import numpy as np
        from scipy.interpolate import RegularGridInterpolator

        index = {tuple(int(x) for x in r[:-1]): r[-1] for r in rows}
        values = np.empty([len(ax) for ax in axes])
        for pos in itertools.product(*(range(len(ax)) for ax in axes)):
            shape = tuple(ax[i] for ax, i in zip(axes, pos, strict=True))
            seconds = index.get(shape) or flops(shape) / self.peak_flops
            values[pos] = math.log(seconds)
        grid = tuple(np.log(np.asarray(ax, dtype=float)) for ax in axes)
        return RegularGridInterpolator(grid, values, bounds_error=False, fill_value=None)

    def _at(self, interp: Any, shapes: Sequence[Sequence[float]]) -> float:
        """Sum of seconds of `shapes` (each at least 1 in every dimension) under `interp`."""
        import numpy as np

        if not shapes:
            return 0.0
        return float(np.exp(interp(np.log(np.maximum(np.asarray(shapes, dtype=float), 1.0)))).sum())

    def elementwise_s(self, nbytes: float) -> float:
        """Seconds of one memory-bound operator moving `nbytes`."""
        import numpy as np

        lb = math.log(max(nbytes, 1.0))
        if lb > self.ew_log_bytes[-1]:  # past the grid: time grows with bytes
            return math.exp(self.ew_log_s[-1] + lb - self.ew_log_bytes[-1])
        return float(math.exp(np.interp(lb, self.ew_log_bytes, self.ew_log_s)))

    def conv_s(self, x: tuple[int, ...], w: tuple[int, ...], groups: int, out: tuple[int, ...]) -> float:
        """Seconds of one convolution (input shape, weight shape, groups, output shape)."""
        nd, n, ci, co = len(x) - 2, out[0], x[1], w[0]
        pixels, area = math.prod(out[2:]), math.prod(w[2:])
        if nd == 2 and groups > 1 and groups == ci and w[1] == 1:
            k = _nearest(self.axes["depthwise_kernel"], math.sqrt(area))
            return self._at(self.depthwise[k], [(n, pixels, ci)]) * area / (k * k)
        if groups > 1:
            one = ((x[0], ci // groups, *x[2:]), (co // groups, *w[1:]), 1, (out[0], co // groups, *out[2:]))
            return groups * self.conv_s(*one)
        stride = _nearest(self.axes["conv_stride"], max(1.0, x[2] / out[2]))
        if nd == 2:
            k = _nearest(self.axes["conv2d_kernel"], math.sqrt(area))
            return self._at(self.conv2d[(k, stride)], [(n, pixels, ci, co)]) * area / (k * k)
        if nd == 1:
            k = _nearest(self.axes["conv1d_kernel"], area)
            return self._at(self.conv1d[(k, stride)], [(n, pixels, ci, co)]) * area / k
        return self._at(self.mm, [(n * pixels, ci * area, co)])

    def total_s(self, calls: KernelCalls) -> float:
        """Seconds of every kernel of `calls`, summed."""
        single = [(m, k, n) for b, m, k, n in calls.matmuls if b == 1]
        batched = [c for c in calls.matmuls if c[0] > 1]
        for bh, q, kv, d in calls.attention:
            batched += [(bh, q, d, kv), (bh, q, kv, d)]
        seconds = self._at(self.mm, single) + self._at(self.bmm, batched)
        seconds += sum(self.conv_s(*c) for c in calls.convolutions)
        seconds += sum(
            self.elementwise_s(SOFTMAX_BYTES_PER_SCORE * bh * q * kv) for bh, q, kv, _ in calls.attention
        )
        seconds += sum(self.elementwise_s(b) for b in calls.elementwise_bytes)
        return seconds + calls.dispatches * self.dispatch_s
