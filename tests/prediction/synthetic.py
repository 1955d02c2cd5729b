"""Seeded synthetic rows shaped like exported measurements, for unit tests of the learner only.

They never reach a database or a dataset file: tests of the real pipeline use data/reference.
Latency follows a roofline-like law (fixed overhead + FLOPs / effective FLOP/s) with 1 % noise.
"""

from __future__ import annotations

import math

import numpy as np

# Fixed hyperparameters keep test sessions fast; the grouped-CV search is exercised by the CLI test.
HYPER = {"num_leaves": 15, "min_data_in_leaf": 3, "num_boost_round": 300, "learning_rate": 0.05}
TEST_FAMILIES = ("bert", "t5", "llama", "vit", "whisper")

# family -> (parameters, layers, hidden, heads)
FAMILY_SHAPES = {
    "bert": (4.4e6, 4, 256, 4),
    "t5": (8.0e6, 4, 256, 4),
    "llama": (6.0e6, 4, 256, 8),
    "vit": (5.5e6, 6, 256, 4),
    "whisper": (7.0e6, 4, 384, 6),
    "qwen2": (9.0e6, 6, 320, 5),
}
PLATFORMS = {  # fingerprint -> (type, device, cores, memory_gb, peak FLOP/s, bandwidth GB/s)
    "cpu-a": ("cpu", "Xeon A", 2, 24.0, 2.0e11, 20.0),
    "cpu-b": ("cpu", "Xeon B", 8, 64.0, 8.0e11, 60.0),
    "gpu-c": ("cuda", "GPU C", 80, 40.0, 2.0e13, 1500.0),
}


def make_rows(
    *,
    seed: int = 0,
    families=tuple(FAMILY_SHAPES),
    platforms=("cpu-a",),
    batch_sizes=(1, 2, 4, 8, 16),
    sequence_lengths=(32, 128),
    precisions=("fp32", "bf16"),
    backends=("pytorch", "onnxruntime"),
    noise: float = 0.01,
) -> list[dict]:
    """One row per configuration with features and measured-like targets."""
    rng = np.random.default_rng(seed)
    rows = []
    for fp in platforms:
        hw_type, device, cores, mem, peak, bw = PLATFORMS[fp]
        for fam in families:
            params, layers, hidden, heads = FAMILY_SHAPES[fam]
            for backend in backends:
                for prec in precisions:
                    bits = 32 if prec == "fp32" else 16
                    for seq in sequence_lengths:
                        for bs in batch_sizes:
                            flops = 2 * params * bs * seq
                            nbytes = params * bits / 8 + 4 * bs * seq * hidden * layers
                            eff = (0.3 if backend == "onnxruntime" else 0.2) * (2.5 if bits == 16 else 1.0)
                            eff *= min(1.0, 0.4 + 0.15 * math.log2(bs))
                            overhead_ms = (0.3 if backend == "onnxruntime" else 1.0) + 0.05 * layers
                            lat = overhead_ms + 1000 * flops / (eff * peak)
                            lat *= math.exp(rng.normal(0, noise))
                            mem_mb = 250 + params * bits / 8 / 1e6 * 1.5 + 4 * bs * seq * hidden / 1e6
                            rows.append(
                                {
                                    "model_name": fam,
                                    "model_size": "tiny",
                                    "hardware_type": hw_type,
                                    "backend": backend,
                                    "device": hw_type,
                                    "precision": prec,
                                    "batch_size": bs,
                                    "sequence_length": seq,
                                    "threads": cores,
                                    "hardware_fingerprint": fp,
                                    "device_name": device,
                                    "compute_units": cores,
                                    "memory_gb": mem,
                                    "parameter_count": params,
                                    "num_layers": layers,
                                    "hidden_size": hidden,
                                    "num_heads": heads,
                                    "flops_per_inference": flops,
                                    "bytes_per_inference": nbytes,
                                    "flops_source": "synthetic",
                                    "precision_bits": bits,
                                    "modality": "text",
                                    "peak_flops": peak,
                                    "memory_bandwidth_gbps": bw,
                                    "spec_source": "synthetic",
                                    "latency_median_ms": lat,
                                    "throughput_items_per_second": bs * 1000 / lat,
                                    "memory_peak_mb": mem_mb * math.exp(rng.normal(0, noise)),
                                    "power_watts": None,
                                    "result_id": len(rows) + 1,
                                    "run_id": 1,
                                    "created_at": "2025-01-01 00:00:00",
                                }
                            )
    return rows
