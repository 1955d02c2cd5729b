"""Kernel profiles: a device's single-kernel timings, and a forward pass priced from them.

`accelbench predict profile-kernels` times matrix products, convolutions and memory-bound
operators on a fixed grid of shapes (measure.py); every configuration's forward pass is traced on
fake parameters (calls.py) and priced from the profile of its device (pricing.py). The sum,
`kernel_estimate_ms`, is the baseline the latency trees correct: it already knows what a model is
made of, which FLOPs alone do not (see docs/prediction.md).
"""

from accelbench.prediction.kernels.columns import KERNEL_COLUMNS, fill_kernel_estimates, kernel_columns
from accelbench.prediction.kernels.profile import KernelProfile, load_profile, profiles_beside

__all__ = [
    "KERNEL_COLUMNS",
    "KernelProfile",
    "fill_kernel_estimates",
    "kernel_columns",
    "load_profile",
    "profiles_beside",
]
