"""Peak throughput and memory bandwidth of a detected device, each number with its source.

GPUs come from the vendor table in gpu_specs.py. The CPU's peaks are computed:
cores × clock × FLOP per cycle per core, where FLOP per cycle = FMA units × vector lanes × 2;
the formula and its inputs are written into `sources`, so a reader can check every figure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from accelbench.hardware.gpu_specs import find_gpu_spec
from accelbench.hardware.info import HardwareInfo

PRECISIONS = ("fp32", "fp16", "bf16", "int8")
AMX_BF16_FLOP_PER_CYCLE = 1024  # per core; Intel AMX TMUL (Intel Architecture Instruction Set Ext. ref.)
AMX_INT8_OPS_PER_CYCLE = 2048


@dataclass
class HardwareSpec:
    """Vendor or computed peaks: TFLOP/s (int8: TOPS), GB/s; None where unknown; `sources` per field."""

    name: str
    hardware_type: str
    matched: bool
    fp32_tflops: float | None = None
    fp16_tflops: float | None = None
    bf16_tflops: float | None = None
    int8_tops: float | None = None
    memory_bandwidth_gbps: float | None = None
    memory_gb: float | None = None
    source: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def peak_tflops(self, precision: str) -> float | None:
        """Peak rate for `precision` (fp32, fp16, bf16, int8) in TFLOP/s or TOPS, or None."""
        if precision not in PRECISIONS:
            return None
        return getattr(self, "int8_tops" if precision == "int8" else f"{precision}_tflops")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)


def spec_for(hardware: HardwareInfo) -> HardwareSpec:
    """The spec of `hardware`; `matched` is False (all peaks None) for a device not in the table."""
    if hardware.hardware_type == "cpu" or (
        hardware.hardware_type == "openvino" and hardware.device_name.startswith("CPU")
    ):
        from accelbench.hardware.detection import detect

        cpu = hardware if hardware.hardware_type == "cpu" else detect("cpu")
        return cpu_spec(cpu, hardware_type=hardware.hardware_type)
    name = hardware.device_name
    if hardware.hardware_type == "rocm" and hardware.details.get("product_name"):
        name = f"{hardware.details['product_name']} {name}"
    entry = find_gpu_spec(name, hardware.memory_gb)
    if entry is None:
        return HardwareSpec(
            name=name or hardware.hardware_type,
            hardware_type=hardware.hardware_type,
            matched=False,
            memory_gb=hardware.memory_gb,
            source=f"no spec-table entry matches {name!r}",
        )
    values = {
        "fp32_tflops": entry["fp32"],
        "fp16_tflops": entry["fp16"],
        "bf16_tflops": entry["bf16"],
        "int8_tops": entry["int8"],
        "memory_bandwidth_gbps": entry["bandwidth"],
    }
    return HardwareSpec(
        name=entry["name"],
        hardware_type=hardware.hardware_type,
        matched=True,
        memory_gb=hardware.memory_gb or entry["memory"],
        source=entry["source"],
        sources={
            k: entry["source"] if v is not None else "not published by the vendor / not supported"
            for k, v in values.items()
        },
        **values,
    )


def cpu_spec(cpu: HardwareInfo, hardware_type: str = "cpu") -> HardwareSpec:
    """Computed peaks of a CPU from its cores, clock and ISA flags (see the module docstring)."""
    d = cpu.details
    cores = d.get("physical_cores") or cpu.compute_units or 1
    ghz = (d.get("frequency_mhz") or 0) / 1000
    flags = set(cpu.isa_flags)
    per_cycle, width_note = fp32_flop_per_cycle(d.get("vendor", ""), d.get("family"), flags)
    inputs = f"{cores} cores × {ghz:.3f} GHz ({d.get('frequency_source')})"
    spec = HardwareSpec(
        name=cpu.device_name,
        hardware_type=hardware_type,
        matched=bool(ghz),
        memory_gb=cpu.memory_gb,
        source="computed from /proc/cpuinfo: " + inputs,
    )
    if not ghz:
        spec.source = "CPU clock unknown: no peak computed"
        return spec
    base = cores * ghz * 1e9 / 1e12
    spec.fp32_tflops = round(base * per_cycle, 4)
    spec.sources["fp32_tflops"] = f"{inputs} × {per_cycle} FLOP/cycle ({width_note})"
    for key, factor, note in _low_precision_rates(flags, per_cycle):
        setattr(spec, key, round(base * factor, 4))
        spec.sources[key] = f"{inputs} × {factor} /cycle ({note})"
    for key in ("fp16_tflops", "bf16_tflops", "int8_tops"):
        spec.sources.setdefault(key, "no native instructions for this precision on this CPU")
    spec.sources["memory_bandwidth_gbps"] = (
        "unknown: depends on DIMM channels and speed, which /proc/cpuinfo does not show (and a VM hides)"
    )
    return spec


def fp32_flop_per_cycle(vendor: str, family: int | None, flags: set[str]) -> tuple[int, str]:
    """(FP32 FLOP per cycle per core, the assumption behind it): FMA units × lanes × 2."""
    if "avx512f" in flags and vendor == "AuthenticAMD" and (family or 0) < 0x1A:
        # Zen 4 runs AVX-512 on two 256-bit FMA pipes (AMD Zen 4 software optimization guide)
        return 2 * 8 * 2, "AMD Zen 4: AVX-512 on 2 × 256-bit FMA pipes × 2 FLOP per FMA"
    if "avx512f" in flags:
        return (
            2 * 16 * 2,
            "2 FMA units × 16 FP32 lanes (AVX-512) × 2 FLOP per FMA; "
            "Intel Xeon Gold/Platinum and AMD Zen 5 (family 0x1A) have 2 × 512-bit FMA",
        )
    if "fma" in flags and "avx2" in flags:
        return 2 * 8 * 2, "2 FMA units × 8 FP32 lanes (AVX2) × 2 FLOP per FMA"
    if "asimd" in flags or "neon" in flags:
        return 2 * 4 * 2, "assumed 2 NEON FMA pipes × 4 FP32 lanes × 2 FLOP per FMA (varies by core)"
    return 4 * 1, "SSE without FMA: 4 lanes × 1 FLOP (lower bound)"


def _low_precision_rates(flags: set[str], fp32_per_cycle: int) -> list[tuple[str, float, str]]:
    rates: list[tuple[str, float, str]] = []
    if "amx_fp16" in flags:
        rates.append(
            ("fp16_tflops", AMX_BF16_FLOP_PER_CYCLE, "AMX-FP16 tile multiply, Intel: 1024 FLOP/cycle/core")
        )
    elif "avx512_fp16" in flags:
        rates.append(("fp16_tflops", 2 * fp32_per_cycle, "AVX512-FP16: 2 × the FP32 rate"))
    if "amx_bf16" in flags:
        rates.append(
            ("bf16_tflops", AMX_BF16_FLOP_PER_CYCLE, "AMX-BF16 tile multiply, Intel: 1024 FLOP/cycle/core")
        )
    elif "avx512_bf16" in flags:
        rates.append(("bf16_tflops", 2 * fp32_per_cycle, "AVX512_BF16 VDPBF16PS: 2 × the FP32 rate"))
    if "amx_int8" in flags:
        rates.append(
            ("int8_tops", AMX_INT8_OPS_PER_CYCLE, "AMX-INT8 tile multiply, Intel: 2048 ops/cycle/core")
        )
    elif "avx512_vnni" in flags or "avx_vnni" in flags:
        rates.append(("int8_tops", 4 * fp32_per_cycle, "VNNI VPDPBUSD: 4 × the FP32 rate"))
    return rates
