"""GPU detectors' parsers on recorded outputs: no NVIDIA or AMD GPU can exist on this machine."""

from __future__ import annotations

import pytest

from accelbench.hardware.detectors import cuda, rocm
from accelbench.hardware.nvml import sm_count

NVIDIA_SMI_CSV = """\
0, NVIDIA H100 80GB HBM3, 81559, 550.54.15, 9.0
1, NVIDIA A100-SXM4-40GB, 40960, 550.54.15, 8.0
"""


def test_nvidia_smi_csv_parsed_fake_output_no_gpu_here():
    devices = cuda.parse_nvidia_smi_csv(NVIDIA_SMI_CSV)
    assert [d["name"] for d in devices] == ["NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"]
    assert devices[0]["memory_gb"] == 85.52  # 81559 MiB
    assert [d["compute_capability"] for d in devices] == [9.0, 8.0]
    assert devices[1]["driver_version"] == "550.54.15"


def test_nvidia_smi_unsupported_fields_become_none_fake_output_no_gpu_here():
    devices = cuda.parse_nvidia_smi_csv("0, Tesla K80, [N/A], 470.1, [N/A]\n")
    assert devices[0]["memory_gb"] is None and devices[0]["compute_capability"] is None


@pytest.mark.parametrize(("cores", "cc", "sms"), [(16896, 9.0, 132), (6912, 8.0, 108), (7424, 8.9, 58)])
def test_sm_count_from_cuda_cores(cores, cc, sms):
    assert sm_count(cores, cc) == sms  # H100 SXM, A100, L4 have 132, 108, 58 SMs


def test_rocm_detected_from_a_fake_kfd_topology_no_amd_gpu_here(tmp_path):
    nodes = tmp_path / "nodes"
    (nodes / "0").mkdir(parents=True)
    (nodes / "0" / "properties").write_text("cpu_cores_count 64\ngfx_target_version 0\n")
    gpu = nodes / "1"
    (gpu / "mem_banks" / "0").mkdir(parents=True)
    (gpu / "properties").write_text("simd_count 1216\nsimd_per_cu 4\ngfx_target_version 90402\n")
    (gpu / "mem_banks" / "0" / "properties").write_text("heap_type 1\nsize_in_bytes 205822885888\n")
    dev_kfd = tmp_path / "kfd"
    dev_kfd.touch()
    info = rocm.detect(kfd_nodes=nodes, dev_kfd=dev_kfd)
    assert info.available
    assert (info.device_name, info.compute_units, info.memory_gb) == ("gfx942", 304, 205.82)


def test_gfx_names():
    assert [rocm.gfx_name(v) for v in (90010, 90402, 110000)] == ["gfx90a", "gfx942", "gfx1100"]
