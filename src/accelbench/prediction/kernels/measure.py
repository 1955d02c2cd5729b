"""Measure a kernel profile: single-kernel PyTorch timings on a fixed grid of shapes.

The grid is generic (powers of 4 and 2, chosen before looking at any model), so a profile says
what a device does with matrix products, convolutions and memory-bound operators of every size,
not what any model family does. About 7 minutes on one core of the reference CPU; shapes whose
work exceeds MAX_FLOPS are not run (profile.py prices them at the best measured FLOP/s).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from accelbench.errors import InputError
from accelbench.prediction.kernels.profile import KernelProfile

AXES: dict[str, list[int]] = {
    "mm_m": [4**i for i in range(8)],  # 1 .. 16384
    "mm_k": [4**i for i in range(1, 8)],  # 4 .. 16384
    "mm_n": [4**i for i in range(9)],  # 1 .. 65536
    "bmm_batch": [4**i for i in range(1, 6)],  # 4 .. 1024
    "bmm_dim": [4**i for i in range(6)],  # 1 .. 1024, for M, K and N
    "conv_batch": [1, 4, 16],
    "conv2d_side": [2, 4, 8, 16, 32, 64],  # output height = width
    "conv1d_length": [4**i for i in range(1, 7)],  # output length 4 .. 4096
    "conv_channels": [4**i for i in range(1, 6)],  # 4 .. 1024, in and out
    "conv2d_kernel": [1, 3, 7],
    "conv1d_kernel": [1, 3, 9],
    "conv_stride": [1, 2],
    "depthwise_kernel": [3, 7],
    "elementwise_elements": [2**i for i in range(2, 25)],
}
# A grid small enough for tests (seconds): the same tables, fewer points.
SMALL_AXES: dict[str, list[int]] = {
    "mm_m": [1, 16, 256],
    "mm_k": [16, 256],
    "mm_n": [16, 256],
    "bmm_batch": [4, 16],
    "bmm_dim": [4, 64],
    "conv_batch": [1, 4],
    "conv2d_side": [4, 16],
    "conv1d_length": [16, 256],
    "conv_channels": [4, 64],
    "conv2d_kernel": [1, 3],
    "conv1d_kernel": [1, 3],
    "conv_stride": [1, 2],
    "depthwise_kernel": [3],
    "elementwise_elements": [16, 4096, 65536],
}
MAX_FLOPS = 2**32  # ~4.3 GFLOP: ~40-60 ms on one core; larger shapes are priced from the peak
BUDGET_S = 0.02  # timing budget per shape (at least MIN_REPEATS calls)
MIN_REPEATS, MAX_REPEATS = 3, 50


def _timer(device: str) -> Callable[[Callable[[], Any]], float]:
    """Median seconds of one call of fn on `device`, GPU work waited for."""
    import torch

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def once(fn: Callable[[], Any]) -> float:
        sync()
        t = time.perf_counter()
        fn()
        sync()
        return time.perf_counter() - t

    def median_s(fn: Callable[[], Any]) -> float:
        once(fn)  # warm-up: allocation, kernel selection
        first = once(fn)
        n = max(MIN_REPEATS, min(MAX_REPEATS, int(BUDGET_S / max(first, 1e-7))))
        return statistics.median(once(fn) for _ in range(n))

    return median_s


def _shapes(axes: dict[str, list[int]]) -> dict[str, list[Any]]:
    """Every shape of every table of `axes` that is within MAX_FLOPS."""
    a = axes
    mm = [
        (m, k, n)
        for m, k, n in itertools.product(a["mm_m"], a["mm_k"], a["mm_n"])
        if 2 * m * k * n <= MAX_FLOPS
    ]
    bmm = [
        s
        for s in itertools.product(a["bmm_batch"], a["bmm_dim"], a["bmm_dim"], a["bmm_dim"])
        if 2 * s[0] * s[1] * s[2] * s[3] <= MAX_FLOPS
    ]
    chans = a["conv_channels"]
    conv2d = [
        (k, s, n, h, ci, co)
        for k, s, n, h, ci, co in itertools.product(
            a["conv2d_kernel"], a["conv_stride"], a["conv_batch"], a["conv2d_side"], chans, chans
        )
        if 2 * n * h * h * ci * co * k * k <= MAX_FLOPS
    ]
    conv1d = [
        (k, s, n, length, ci, co)
        for k, s, n, length, ci, co in itertools.product(
            a["conv1d_kernel"], a["conv_stride"], a["conv_batch"], a["conv1d_length"], chans, chans
        )
        if 2 * n * length * ci * co * k <= MAX_FLOPS
    ]
    depthwise = list(itertools.product(a["depthwise_kernel"], a["conv_batch"], a["conv2d_side"], chans))
    elementwise = [(e,) for e in a["elementwise_elements"]]
    return {
        "mm": mm,
        "bmm": bmm,
        "conv2d": conv2d,
        "conv1d": conv1d,
        "depthwise": depthwise,
        "elementwise": elementwise,
        "dispatch": [(1,)],
    }


def _kernel(table: str, shape: tuple[int, ...], device: str) -> Callable[[], Any]:
    """A closure running the kernel of `table` at `shape` on random inputs on `device`."""
    import torch
    import torch.nn.functional as F

    def r(*dims: int) -> Any:
        return torch.randn(*dims, device=device)

    if table == "mm":
        m, k, n = shape
        a, b = r(m, k), r(k, n)
        return lambda: torch.mm(a, b)
    if table == "bmm":
        bt, m, k, n = shape
        a, b = r(bt, m, k), r(bt, k, n)
        return lambda: torch.bmm(a, b)
    if table == "conv2d":
        k, s, n, h, ci, co = shape
        x, w = r(n, ci, h * s, h * s), r(co, ci, k, k)
        return lambda: F.conv2d(x, w, None, s, k // 2)
    if table == "conv1d":
        k, s, n, length, ci, co = shape
        x, w = r(n, ci, length * s), r(co, ci, k)
        return lambda: F.conv1d(x, w, None, s, k // 2)
    if table == "depthwise":
        k, n, h, c = shape
        x, w = r(n, c, h, h), r(c, 1, k, k)
        return lambda: F.conv2d(x, w, None, 1, k // 2, 1, c)
    if table == "elementwise":
        a, b = r(shape[0]), r(shape[0])
        return lambda: a + b
    x = r(4)
    return lambda: x.view(-1, 1)  # dispatch: an operator that moves no data


def count_shapes(axes: dict[str, list[int]] = AXES) -> int:
    """How many kernels measure_profile times for `axes`."""
    return sum(len(v) for v in _shapes(axes).values())


def check_request(device: str, threads: int | None) -> None:
    """InputError unless `device` is cpu or an available cuda and `threads` is None or >= 1."""
    if threads is not None and threads < 1:
        raise InputError(f"threads must be at least 1, got {threads}", field="--threads")
    if device not in ("cpu", "cuda"):
        raise InputError(f"unknown device '{device}'; expected cpu or cuda", field="--device")
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise InputError("no CUDA device on this machine", field="--device")


def measure_profile(
    device: str = "cpu",
    threads: int | None = 1,
    axes: dict[str, list[int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    command: str = "",
) -> KernelProfile:
    """Time every kernel of the grid `axes` (default AXES) on `device` with `threads` CPU threads.

    `progress(done, total)` is called after each kernel. InputError for a device torch cannot use
    or a thread count below 1.
    """
    import torch

    from accelbench.hardware import detect

    check_request(device, threads)
    axes = axes or AXES
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    shapes = _shapes(axes)
    total, done, timed = sum(len(v) for v in shapes.values()), 0, _timer(device)
    started = time.perf_counter()
    tables: dict[str, list[list[float]]] = {}
    try:
        with torch.no_grad():
            for table, todo in shapes.items():
                tables[table] = []
                for shape in todo:
                    tables[table].append([*shape, timed(_kernel(table, shape, device))])
                    done += 1
                    if progress:
                        progress(done, total)
    finally:
        torch.set_num_threads(previous)
    info = detect(device if device == "cpu" else "cuda")
    return KernelProfile(
        device=device,
        device_name=str(info.device_name or ""),
        compute_units=info.compute_units,
        threads=threads,
        torch_version=str(torch.__version__),
        measured_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        seconds=round(time.perf_counter() - started, 1),
        command=command,
        axes=axes,
        tables=tables,
    )
