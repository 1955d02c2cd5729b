"""eligible(): a task's HardwareRequirements against every detected platform."""

from __future__ import annotations

from accelbench.hardware import HardwareInfo, eligible
from accelbench.tasks import HardwareRequirements

DETECTED = {
    "cpu": HardwareInfo("cpu", True, device_name="cpu", memory_gb=24.0),
    "cuda": HardwareInfo("cuda", False, reason="no NVIDIA driver"),
    "openvino": HardwareInfo("openvino", True, device_name="CPU", memory_gb=24.0, runtime_version="2026.4.1"),
}


def test_first_listed_platform_that_fits_is_named():
    assert eligible(HardwareRequirements(hardware_types=["cuda", "cpu"]), DETECTED) == (True, "cpu")


def test_unavailable_gpu_gives_the_detector_reason():
    ok, reason = eligible(HardwareRequirements(hardware_types=["cuda"], min_compute_capability=7.5), DETECTED)
    assert not ok and "no NVIDIA driver" in reason


def test_memory_requirement_checked():
    ok, reason = eligible(HardwareRequirements(hardware_types=["cpu"], min_memory_gb=64), DETECTED)
    assert not ok and ">= 64" in reason


def test_runtime_version_constraint_checked():
    req = HardwareRequirements(hardware_types=["openvino"], driver_version_constraints=">=2027")
    ok, reason = eligible(req, DETECTED)
    assert not ok and "2026.4.1" in reason


def test_this_machine_meets_a_cpu_task():
    assert eligible(HardwareRequirements(hardware_types=["cpu"])) == (True, "cpu")
