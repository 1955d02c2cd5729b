"""Shared fixtures: a temporary DuckDB store and a CLI runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def db_path(tmp_path):
    """Path of a not-yet-created DuckDB file in a temporary directory."""
    return tmp_path / "t.duckdb"


@pytest.fixture
def store(db_path):
    """A Store on a fresh DuckDB file."""
    from accelbench.storage import Store

    return Store(db_path)


@pytest.fixture
def cli_runner():
    """click's runner with stderr kept apart from stdout."""
    return CliRunner()
