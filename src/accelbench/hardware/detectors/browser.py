"""What WebNN and WebGPU would need: a Chromium-family browser and a GPU; accelbench drives neither."""

from __future__ import annotations

import shutil
import subprocess

from accelbench.hardware.info import HardwareInfo

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")


def find_browser() -> tuple[str | None, str | None]:
    """(path, version string) of the first Chromium-family browser on PATH, or (None, None)."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path, _version(path)
    return None, None


def browser_platform(hardware_type: str, api: str, needs: str) -> HardwareInfo:
    """A browser-only platform, unavailable because accelbench has no browser runtime backend."""
    path, version = find_browser()
    found = (
        f"{version or 'a Chromium-family browser'} is installed at {path}"
        if path
        else "no Chromium-family browser is installed"
    )
    reason = f"accelbench has no browser runtime backend for {api}; {needs}; {found}"
    return HardwareInfo(
        hardware_type,
        False,
        reason=reason,
        runtime_version=version,
        details={"browser": path, "browser_version": version},
    )


def _version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None
