"""Vendor peak figures for common accelerators: dense (no sparsity) tensor/matrix throughput.

TFLOP/s for floating point, TOPS for int8, GB/s (10^9 bytes/s) for memory bandwidth, GB for
memory. `fp32` is the plain (non-tensor-core, non-TF32) vector rate. None: the vendor does not
publish the figure or the hardware has no native support (T4/V100 have no bf16).
Each entry matches a device when every token of `match` occurs in its name as a whole word
(case-insensitive: "L4" does not match "L40S", "M2" does not match "SXM2") and, for `min_memory_gb`, when the device has at least that much memory. First match wins,
so more specific entries come first.
"""

from __future__ import annotations

import re
from typing import Any

_A100 = "NVIDIA A100 Tensor Core GPU datasheet (2021)"
_H100 = "NVIDIA H100 Tensor Core GPU datasheet (2023), dense = half the sparsity figure"
_H200 = "NVIDIA H200 Tensor Core GPU datasheet (2024), dense = half the sparsity figure"
_ADA = "NVIDIA Ada Lovelace GPU architecture whitepaper v1.1 (FP16/BF16 tensor with FP32 accumulate)"
_MI250 = "AMD Instinct MI250/MI250X/MI210 datasheets (FP32 = vector rate; FP32 matrix is 2x)"
_APPLE = "Apple newsroom launch announcements (GPU FP32 and memory bandwidth only)"

GPU_SPECS: list[dict[str, Any]] = [
    {
        "name": "NVIDIA H200 SXM",
        "match": ["H200"],
        "fp32": 67.0,
        "fp16": 989.5,
        "bf16": 989.5,
        "int8": 1979.0,
        "bandwidth": 4800.0,
        "memory": 141,
        "source": _H200,
    },
    {
        "name": "NVIDIA H100 PCIe",
        "match": ["H100", "PCIe"],
        "fp32": 51.0,
        "fp16": 756.5,
        "bf16": 756.5,
        "int8": 1513.0,
        "bandwidth": 2000.0,
        "memory": 80,
        "source": _H100,
    },
    {
        "name": "NVIDIA H100 SXM",
        "match": ["H100"],
        "fp32": 67.0,
        "fp16": 989.5,
        "bf16": 989.5,
        "int8": 1979.0,
        "bandwidth": 3350.0,
        "memory": 80,
        "source": _H100,
    },
    {
        "name": "NVIDIA A100 80GB PCIe",
        "match": ["A100", "PCIe"],
        "min_memory_gb": 70,
        "fp32": 19.5,
        "fp16": 312.0,
        "bf16": 312.0,
        "int8": 624.0,
        "bandwidth": 1935.0,
        "memory": 80,
        "source": _A100,
    },
    {
        "name": "NVIDIA A100 80GB SXM",
        "match": ["A100"],
        "min_memory_gb": 70,
        "fp32": 19.5,
        "fp16": 312.0,
        "bf16": 312.0,
        "int8": 624.0,
        "bandwidth": 2039.0,
        "memory": 80,
        "source": _A100,
    },
    {
        "name": "NVIDIA A100 40GB",
        "match": ["A100"],
        "fp32": 19.5,
        "fp16": 312.0,
        "bf16": 312.0,
        "int8": 624.0,
        "bandwidth": 1555.0,
        "memory": 40,
        "source": _A100,
    },
    {
        "name": "NVIDIA L4",
        "match": ["L4"],
        "fp32": 30.3,
        "fp16": 121.0,
        "bf16": 121.0,
        "int8": 242.5,
        "bandwidth": 300.0,
        "memory": 24,
        "source": "NVIDIA L4 Tensor Core GPU datasheet (2023), dense",
    },
    {
        "name": "NVIDIA A10",
        "match": ["A10"],
        "fp32": 31.2,
        "fp16": 125.0,
        "bf16": 125.0,
        "int8": 250.0,
        "bandwidth": 600.0,
        "memory": 24,
        "source": "NVIDIA A10 Tensor Core GPU datasheet (2021), dense",
    },
    {
        "name": "NVIDIA T4",
        "match": ["T4"],
        "fp32": 8.1,
        "fp16": 65.0,
        "bf16": None,
        "int8": 130.0,
        "bandwidth": 320.0,
        "memory": 16,
        "source": "NVIDIA T4 Tensor Core GPU datasheet (2019)",
    },
    {
        "name": "NVIDIA V100 SXM2",
        "match": ["V100"],
        "fp32": 15.7,
        "fp16": 125.0,
        "bf16": None,
        "int8": None,
        "bandwidth": 900.0,
        "memory": 32,
        "source": "NVIDIA V100 Tensor Core GPU datasheet (2020), SXM2",
    },
    {
        "name": "NVIDIA GeForce RTX 4090",
        "match": ["RTX 4090"],
        "fp32": 82.6,
        "fp16": 165.2,
        "bf16": 165.2,
        "int8": 660.6,
        "bandwidth": 1008.0,
        "memory": 24,
        "source": _ADA,
    },
    {
        "name": "AMD Instinct MI300X",
        "match": ["MI300X"],
        "fp32": 81.7,
        "fp16": 1307.4,
        "bf16": 1307.4,
        "int8": 2614.9,
        "bandwidth": 5300.0,
        "memory": 192,
        "source": "AMD Instinct MI300X datasheet (2023), dense; FP32 = vector rate (matrix 163.4)",
    },
    {
        "name": "AMD Instinct MI300X",
        "match": ["gfx942"],
        "min_memory_gb": 150,
        "fp32": 81.7,
        "fp16": 1307.4,
        "bf16": 1307.4,
        "int8": 2614.9,
        "bandwidth": 5300.0,
        "memory": 192,
        "source": "AMD Instinct MI300X datasheet (2023); matched by gfx942 with > 150 GB (MI300A has 128 GB)",
    },
    {
        "name": "AMD Instinct MI250X",
        "match": ["MI250X"],
        "fp32": 47.9,
        "fp16": 383.0,
        "bf16": 383.0,
        "int8": 383.0,
        "bandwidth": 3276.8,
        "memory": 128,
        "source": _MI250,
    },
    {
        "name": "AMD Instinct MI250",
        "match": ["MI250"],
        "fp32": 45.3,
        "fp16": 362.1,
        "bf16": 362.1,
        "int8": 362.1,
        "bandwidth": 3276.8,
        "memory": 128,
        "source": _MI250,
    },
    {
        "name": "AMD Instinct MI210",
        "match": ["MI210"],
        "fp32": 22.6,
        "fp16": 181.0,
        "bf16": 181.0,
        "int8": 181.0,
        "bandwidth": 1638.4,
        "memory": 64,
        "source": _MI250,
    },
    {
        "name": "Apple M2 Ultra",
        "match": ["M2 Ultra"],
        "fp32": 27.2,
        "fp16": None,
        "bf16": None,
        "int8": None,
        "bandwidth": 800.0,
        "memory": None,
        "source": _APPLE,
    },
    {
        "name": "Apple M2 Max",
        "match": ["M2 Max"],
        "fp32": 13.6,
        "fp16": None,
        "bf16": None,
        "int8": None,
        "bandwidth": 400.0,
        "memory": None,
        "source": _APPLE,
    },
    {
        "name": "Apple M2 Pro",
        "match": ["M2 Pro"],
        "fp32": 6.8,
        "fp16": None,
        "bf16": None,
        "int8": None,
        "bandwidth": 200.0,
        "memory": None,
        "source": _APPLE,
    },
    {
        "name": "Apple M2",
        "match": ["M2"],
        "fp32": 3.6,
        "fp16": None,
        "bf16": None,
        "int8": None,
        "bandwidth": 100.0,
        "memory": None,
        "source": _APPLE,
    },
    {
        "name": "Apple M1",
        "match": ["Apple M1"],
        "fp32": 2.6,
        "fp16": None,
        "bf16": None,
        "int8": None,
        "bandwidth": 68.25,
        "memory": None,
        "source": _APPLE,
    },
]


def find_gpu_spec(device_name: str, memory_gb: float | None = None) -> dict[str, Any] | None:
    """The first GPU_SPECS entry matching `device_name` (and memory), or None."""
    for entry in GPU_SPECS:
        if not all(_has_word(device_name, token) for token in entry["match"]):
            continue
        if entry.get("min_memory_gb") and (memory_gb or 0) < entry["min_memory_gb"]:
            continue
        return entry
    return None


def _has_word(text: str, token: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(token.lower())}(?![a-z0-9])", text.lower()) is not None
