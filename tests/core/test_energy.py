"""Power from energy counters: a fake RAPL tree (no RAPL on these VMs) and the honest None here."""

from __future__ import annotations

import os
import threading
import time

from accelbench.runner.energy import EnergyMeter


def test_rapl_counter_gives_average_watts(tmp_path):
    # A fake powercap tree: these virtual machines expose no RAPL, so the counter is simulated by a
    # thread adding 10 J per second; the meter must report ~10 W.
    domain = tmp_path / "intel-rapl:0"
    domain.mkdir()
    (domain / "energy_uj").write_text("0")
    stop = threading.Event()

    def tick():
        start = time.perf_counter()
        while not stop.is_set():
            # Replace the file atomically, as the kernel's counter never reads half-written.
            tmp = domain / "energy_uj.tmp"
            tmp.write_text(str(int((time.perf_counter() - start) * 10e6)))
            os.replace(tmp, domain / "energy_uj")
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    with EnergyMeter("cpu", rapl_root=tmp_path) as meter:
        time.sleep(0.4)
    stop.set()
    t.join()
    assert meter.watts is not None and 8.0 < meter.watts < 12.0
    assert meter.source == "RAPL 1 package domain(s)"


def test_without_a_counter_power_is_none_with_a_reason(tmp_path):
    with EnergyMeter("cpu", rapl_root=tmp_path / "none") as meter:
        pass
    assert meter.watts is None and "no RAPL" in meter.reason
    with EnergyMeter("webgpu") as meter:
        pass
    assert meter.watts is None and "no energy counter" in meter.reason
