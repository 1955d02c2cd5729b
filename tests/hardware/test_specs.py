"""Spec table: GPU names map to the right datasheet entry; CPU peaks follow the recorded formula."""

from __future__ import annotations

import pytest

from accelbench.hardware import HardwareInfo, detect, spec_for


def gpu(name: str, memory_gb: float | None = None, kind: str = "cuda") -> HardwareInfo:
    return HardwareInfo(kind, True, device_name=name, memory_gb=memory_gb)


@pytest.mark.parametrize(
    ("name", "memory", "expected"),
    [
        ("NVIDIA H100 80GB HBM3", 85.5, "NVIDIA H100 SXM"),
        ("NVIDIA H100 PCIe", 85.5, "NVIDIA H100 PCIe"),
        ("NVIDIA H200", 150.0, "NVIDIA H200 SXM"),
        ("NVIDIA A100-SXM4-80GB", 85.0, "NVIDIA A100 80GB SXM"),
        ("NVIDIA A100-SXM4-40GB", 42.0, "NVIDIA A100 40GB"),
        ("NVIDIA L4", 24.0, "NVIDIA L4"),
        ("Tesla T4", 16.0, "NVIDIA T4"),
        ("Tesla V100-SXM2-32GB", 34.0, "NVIDIA V100 SXM2"),
    ],
)
def test_nvidia_names_match_their_datasheet(name, memory, expected):
    spec = spec_for(gpu(name, memory))
    assert spec.matched and spec.name == expected
    assert spec.sources["fp32_tflops"] and spec.source


def test_similar_names_do_not_match_the_wrong_card():
    assert not spec_for(gpu("NVIDIA L40S", 48.0)).matched  # not an L4
    assert not spec_for(gpu("NVIDIA A10G", 24.0)).matched  # not an A10


def test_h100_figures_and_missing_bf16_on_t4():
    h100 = spec_for(gpu("NVIDIA H100 80GB HBM3", 85.5))
    assert (h100.fp32_tflops, h100.bf16_tflops, h100.int8_tops, h100.memory_bandwidth_gbps) == (
        67.0,
        989.5,
        1979.0,
        3350.0,
    )
    t4 = spec_for(gpu("Tesla T4", 16.0))
    assert t4.peak_tflops("bf16") is None and t4.peak_tflops("fp16") == 65.0


def test_amd_and_apple_entries():
    assert spec_for(gpu("gfx942", 205.8, kind="rocm")).name == "AMD Instinct MI300X"
    assert spec_for(gpu("Apple M2 Pro", 32.0, kind="mps")).memory_bandwidth_gbps == 200.0


def cpu(flags: list[str], vendor: str = "GenuineIntel", family: int = 6) -> HardwareInfo:
    return HardwareInfo(
        "cpu",
        True,
        device_name="test cpu",
        compute_units=4,
        isa_flags=flags,
        details={
            "vendor": vendor,
            "family": family,
            "physical_cores": 2,
            "frequency_mhz": 2000.0,
            "frequency_source": "test",
        },
    )


def test_cpu_peaks_with_amx_follow_the_formula():
    spec = spec_for(cpu(["avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_int8", "avx512_vnni"]))
    # 2 cores × 2.0 GHz × (2 FMA × 16 lanes × 2) = 256 GFLOP/s; AMX: 1024 bf16 / 2048 int8 per cycle
    assert spec.fp32_tflops == pytest.approx(0.256)
    assert spec.bf16_tflops == pytest.approx(4.096)
    assert spec.int8_tops == pytest.approx(8.192)
    assert spec.fp16_tflops is None and "no native" in spec.sources["fp16_tflops"]
    assert "2 cores × 2.000 GHz" in spec.sources["fp32_tflops"]


def test_zen4_avx512_counts_as_256_bit():
    spec = spec_for(cpu(["avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni"], "AuthenticAMD", 0x19))
    assert spec.fp32_tflops == pytest.approx(0.128)
    assert spec.bf16_tflops == pytest.approx(0.256)
    assert spec.int8_tops == pytest.approx(0.512)


def test_this_machine_cpu_has_a_computed_spec():
    spec = spec_for(detect("cpu"))
    if not spec.matched:
        pytest.skip(f"CPU clock unknown here: {spec.source}")
    assert spec.fp32_tflops and spec.fp32_tflops > 0
    assert spec.memory_bandwidth_gbps is None  # not derivable from /proc/cpuinfo; never guessed
