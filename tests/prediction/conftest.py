"""Fixtures for prediction tests: seeded synthetic rows and models trained once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import HYPER, TEST_FAMILIES, make_rows  # noqa: E402


@pytest.fixture(scope="session")
def rows():
    """100 synthetic rows: 5 families x 5 batch sizes x 2 sequence lengths x 2 backends, one CPU."""
    return make_rows(families=TEST_FAMILIES, precisions=("fp32",))


@pytest.fixture(scope="session")
def bundle(rows):
    """Models for latency, throughput and memory trained on `rows`."""
    from accelbench.prediction.bundle import train_bundle

    return train_bundle(rows, hyper=HYPER, version="test-1")


@pytest.fixture(scope="session")
def predictor(bundle):
    """A Predictor over `bundle`."""
    from accelbench.prediction.predictor import Predictor

    return Predictor(bundle)
