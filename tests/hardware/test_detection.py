"""detect_all on this machine: 8 platforms, reasons for the missing ones, caching, no heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from accelbench.errors import InputError
from accelbench.hardware import PLATFORMS, detect, detect_all, detection


def test_every_platform_reported_in_order():
    assert list(detect_all()) == list(PLATFORMS)


@pytest.mark.parametrize("name", ["cuda", "rocm", "mps", "qnn", "webnn", "webgpu"])
def test_absent_platforms_unavailable_with_a_reason(name):
    info = detect(name)
    if info.available:
        pytest.skip(f"{name} exists on this machine: {info.device_name}")
    assert info.reason, f"{name} unavailable without a reason"


def test_openvino_reports_the_cpu_device_when_installed():
    pytest.importorskip("openvino")
    info = detect("openvino")
    assert info.available, info.reason
    assert "CPU" in info.details["devices"] and info.runtime_version


def test_warm_detection_is_fast():
    detect_all()
    start = time.perf_counter()
    for _ in range(10):
        detect_all()
    assert (time.perf_counter() - start) / 10 < 0.05


def test_new_process_reuses_the_disk_cache():
    detect_all(refresh=True)
    data = json.loads(detection.cache_path().read_text())
    data["platforms"]["cpu"]["device_name"] = "marker written into the cache"
    detection.cache_path().write_text(json.dumps(data))
    code = "from accelbench.hardware import detect; print(detect('cpu').device_name)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "marker written into the cache"  # no detector ran in the new process
    detection._memo = None
    detect_all(refresh=True)


def test_cache_is_ignored_when_expired_or_from_another_boot(monkeypatch):
    detect_all(refresh=True)
    data = json.loads(detection.cache_path().read_text())
    data["platforms"]["cpu"]["device_name"] = "stale"
    detection.cache_path().write_text(json.dumps({**data, "created_at": time.time() - 3600}))
    assert detection._read_cache() is None
    detection.cache_path().write_text(json.dumps({**data, "key": "other-boot"}))
    assert detection._read_cache() is None
    detection.cache_path().write_text(json.dumps(data))
    assert detection._read_cache()["cpu"].device_name == "stale"
    detection._memo = None
    assert detect_all(refresh=True)["cpu"].device_name != "stale"


def test_a_failing_detector_is_reported_not_raised(monkeypatch):
    from accelbench.hardware.detectors import DETECTORS

    def broken():
        raise ValueError("boom")

    monkeypatch.setitem(DETECTORS, "qnn", broken)
    with pytest.warns(RuntimeWarning, match="qnn"):
        result = detect_all(refresh=True)
    assert not result["qnn"].available and "boom" in result["qnn"].reason
    assert result["cpu"].available
    monkeypatch.undo()
    detect_all(refresh=True)


def test_unknown_platform_is_an_input_error():
    with pytest.raises(InputError, match="tpu"):
        detect("tpu")


def test_import_and_warm_detection_pull_in_no_heavy_module():
    heavy = ["torch", "transformers", "onnxruntime", "openvino", "duckdb", "ray"]
    code = (
        "import sys, accelbench, accelbench.hardware; accelbench.hardware.detect_all(); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
