"""A database holding models trained on seeded synthetic rows, for the API tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "prediction"))

from synthetic import make_rows  # noqa: E402

HYPER = {"num_leaves": 15, "min_data_in_leaf": 3, "num_boost_round": 150, "learning_rate": 0.05}


@pytest.fixture(scope="session")
def api_bundle():
    """Latency/throughput/memory models on 48 rows of 3 families."""
    from accelbench.prediction.bundle import train_bundle

    rows = make_rows(families=("bert", "t5", "llama"), batch_sizes=(1, 2, 4, 8), precisions=("fp32",))
    return train_bundle(rows, hyper=HYPER, version="api-1")


@pytest.fixture
def api_db(tmp_path, api_bundle):
    """A DuckDB file with `api_bundle` stored as the newest version."""
    from accelbench.prediction.registry import save_bundle
    from accelbench.storage import Store

    path = tmp_path / "api.duckdb"
    save_bundle(Store(path), api_bundle)
    return path
