"""CPU facts and ISA flags parsed from /proc/cpuinfo text."""

from __future__ import annotations

from pathlib import Path

import pytest

from accelbench.hardware import detect
from accelbench.hardware.cpuinfo import parse_cpuinfo

SAPPHIRE_RAPIDS = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
cpu MHz\t\t: 2699.998
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8 avx_vnni
processor\t: 1
vendor_id\t: GenuineIntel
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8 avx_vnni
processor\t: 2
physical id\t: 0
core id\t\t: 1
processor\t: 3
physical id\t: 1
core id\t\t: 0
"""

GRAVITON = """\
processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm asimddp sve bf16 i8mm
CPU implementer\t: 0x41
processor\t: 1
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm asimddp sve bf16 i8mm
"""


def test_intel_amx_flags_model_and_cores_parsed():
    info = parse_cpuinfo(SAPPHIRE_RAPIDS)
    assert info.model_name == "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"
    assert info.vendor == "GenuineIntel" and info.family == 6 and info.model == 143
    assert info.logical_cpus == 4
    assert info.physical_cores == 3  # (socket 0, core 0) is hyperthreaded; (0,1) and (1,0) are not
    assert info.frequency_mhz == pytest.approx(2699.998)
    assert info.isa_flags() == [
        "sse4_2",
        "avx",
        "avx2",
        "fma",
        "f16c",
        "avx_vnni",
        "avx512f",
        "avx512bw",
        "avx512vl",
        "avx512_vnni",
        "avx512_bf16",
        "avx512_fp16",
        "amx_tile",
        "amx_bf16",
        "amx_int8",
    ]


def test_arm_features_line_gives_isa_flags():
    info = parse_cpuinfo(GRAVITON)
    assert info.logical_cpus == 2
    assert info.isa_flags() == ["asimd", "asimddp", "sve", "bf16", "i8mm"]
    assert info.physical_cores is None  # ARM cpuinfo has no core ids


def test_this_machine_cpu_is_detected_with_its_flags():
    cpu = detect("cpu")
    assert cpu.available and cpu.device_name
    assert cpu.compute_units and cpu.compute_units >= 1
    assert cpu.memory_gb and cpu.memory_gb > 0
    if "avx512f" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("this CPU has no AVX-512 (NOTES.md says the dev machines do)")
    assert {"avx2", "avx512f"} <= set(cpu.isa_flags)
