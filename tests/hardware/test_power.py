"""Power probes: measured counters only, None where no counter exists."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from accelbench.hardware import read_power_watts
from accelbench.hardware.power import rapl_package_counters, rapl_power


def test_no_power_figure_without_a_counter():
    if Path("/sys/class/powercap").exists():
        pytest.skip("this machine exposes RAPL")
    assert read_power_watts("cpu") is None
    assert read_power_watts("webgpu") is None


def test_cuda_power_is_none_without_nvml_no_gpu_here():
    from accelbench.hardware.nvml import load_library

    if load_library() is not None:
        pytest.skip("NVML exists here; power is read from it (covered by gpu tests)")
    assert read_power_watts("cuda") is None


def test_rapl_energy_counter_becomes_watts(tmp_path):
    # a powercap tree written by the test: a package domain whose counter grows 5 J per second
    pkg = tmp_path / "intel-rapl:0"
    (pkg / "intel-rapl:0:0").mkdir(parents=True)
    (pkg / "intel-rapl:0:0" / "energy_uj").write_text("0")
    (pkg / "energy_uj").write_text("0")
    assert rapl_package_counters(tmp_path) == [pkg]
    start, stop = time.perf_counter(), threading.Event()

    def tick():
        # replaced atomically, as the kernel's counter is: a reader must never see a half-written file
        while not stop.is_set():
            (pkg / "energy_uj.new").write_text(str(int((time.perf_counter() - start) * 5e6)))
            os.replace(pkg / "energy_uj.new", pkg / "energy_uj")
            time.sleep(0.002)

    writer = threading.Thread(target=tick)
    writer.start()
    try:
        reading = rapl_power(tmp_path, interval_s=0.2)
    finally:
        stop.set()
        writer.join()
    assert reading is not None and not reading.is_estimate
    assert reading.watts == pytest.approx(5.0, rel=0.25)
