"""Hardware tests detect into a private disk cache, so they neither read nor leave the user's cache."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_hardware_cache(tmp_path_factory):
    """Point ACCELBENCH_CACHE_DIR at a temporary folder for the session (subprocesses inherit it)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ACCELBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("hw-cache")))
    from accelbench.hardware import detection

    detection._memo = None
    yield
    detection._memo = None
    mp.undo()
