"""Fixtures for the IPFS tests: real gateway peers on 127.0.0.1 inside one asyncio loop per test."""

from __future__ import annotations

import asyncio
import random

import pytest


@pytest.fixture
def run():
    """Run a coroutine to completion in a fresh event loop."""

    def _run(coro):
        return asyncio.run(coro)

    return _run


@pytest.fixture(scope="session")
def content_2mib():
    """2 MiB of seeded random bytes."""
    return random.Random(7).randbytes(2 * 1024 * 1024)
