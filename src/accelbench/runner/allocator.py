"""The C allocator policy of a task process: glibc malloc's thresholds fixed, so timings repeat.

glibc adjusts two malloc thresholds as a process runs: a freed block served by mmap raises the
size above which blocks are mmapped, and free memory at the top of the heap beyond the trim
threshold goes back to the kernel. Which state a process ends up in depends on the order of its
earlier allocations, and an eager PyTorch forward pass allocates and frees its activations on
every call. In one state the activations are reused; in the other they are returned and faulted
back in on every call. Measured on the reference machine (qwen2-tiny, pytorch int8, batch 16,
sequence 128, six fresh processes): 5.9 ms with ~140 minor page faults per call in one process,
9.6-11.3 ms with ~2,400 in the other five; fp32 and other models move the same way, less often.
A re-test in a fresh process could land in either state, so two measurements of one
configuration disagreed by up to 1.7x while each had a ±2 % confidence interval.

A task process therefore fixes both thresholds before it builds anything (mallopt, which also
turns the adjustment off): blocks up to MMAP_THRESHOLD_BYTES come from the heap and freed heap
memory is kept, so every call reuses the same pages. The process ends with its task, so keeping
freed memory costs nothing after it. `ACCELBENCH_MALLOC=system` keeps glibc's defaults (to see
how a default process behaves); the policy in force is part of the environment fingerprint and
every measurement records it and its minor page faults per timed call. Because freed memory is
no longer returned on its own, each measurement hands it back (release_free_memory) before its
warm-up, so its peak RSS is its own working set, not what earlier measurements left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import platform
from typing import Any

ENV_VAR = "ACCELBENCH_MALLOC"
POLICIES = ("fixed", "system")
MMAP_THRESHOLD_BYTES = 1 << 30  # blocks up to 1 GiB from the heap (glibc's dynamic ceiling is 32 MiB)
TRIM_THRESHOLD_BYTES = (1 << 31) - 1  # mallopt takes an int: keep up to 2 GiB of freed heap
_M_TRIM_THRESHOLD = -1  # <malloc.h>
_M_MMAP_THRESHOLD = -3


def requested_policy() -> str:
    """The policy asked for by ACCELBENCH_MALLOC ("fixed" when unset); InputError for another value."""
    from accelbench.errors import InputError

    value = os.environ.get(ENV_VAR, "fixed").strip().lower() or "fixed"
    if value not in POLICIES:
        raise InputError(
            f"{value!r} is not a malloc policy; use one of {', '.join(POLICIES)} (environment variable)",
            field=ENV_VAR,
        )
    return value


@functools.lru_cache(maxsize=1)
def _glibc() -> Any:
    """glibc as a ctypes library, or None on another C library or platform (looked up once: the
    lookup reads the interpreter binary and runs ldconfig, ~5 ms)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def describe_policy() -> dict[str, Any]:
    """What a task process started now will apply, without applying it (for the environment)."""
    policy = requested_policy()
    if policy == "system":
        return {"policy": "system"}
    if _glibc() is None:
        return {"policy": "system", "reason": "not glibc: the C allocator's defaults stand"}
    return {
        "policy": "fixed",
        "mmap_threshold_bytes": MMAP_THRESHOLD_BYTES,
        "trim_threshold_bytes": TRIM_THRESHOLD_BYTES,
    }


def apply_policy() -> dict[str, Any]:
    """Fix glibc's malloc thresholds in this process (see the module docstring); returns what was
    applied, {"policy": "system", ...} when nothing was (asked for, or not glibc). Call it once, in
    a process made to run tasks, before the model is built."""
    described = describe_policy()
    if described["policy"] != "fixed":
        return described
    libc = _glibc()
    ok = libc.mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(MMAP_THRESHOLD_BYTES)) == 1
    ok = libc.mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(TRIM_THRESHOLD_BYTES)) == 1 and ok
    if not ok:  # an older glibc refusing a value: say so rather than claim the policy
        return {"policy": "system", "reason": "mallopt refused the thresholds; glibc's defaults stand"}
    return described


def release_free_memory() -> bool:
    """Give the kernel back the memory glibc holds freed (malloc_trim): with the fixed thresholds
    nothing is returned on its own, so without this a measurement's peak RSS would include what
    earlier measurements of the same process freed (int8 after fp32: +10-28 MB on the reference
    models). False where there is no glibc."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def minor_page_faults() -> int | None:
    """Minor page faults of this process so far (a page the kernel had to map in, e.g. memory
    returned by free and touched again); None where getrusage does not exist (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_minflt)
