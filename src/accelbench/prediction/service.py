"""Library entry points the CLI and the API share: gather training rows, train and store, load a Predictor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accelbench.prediction.bundle import ModelBundle, train_bundle
from accelbench.prediction.dataset import CONFIG_COLUMNS, TARGET_COLUMNS, load_from_store, load_parquet
from accelbench.prediction.learner import InsufficientDataError
from accelbench.prediction.predictor import Predictor
from accelbench.prediction.registry import load_bundle, save_bundle


def training_rows(
    db_path: str | Path | None,
    data: list[str | Path] | tuple[str | Path, ...] = (),
    kernels: list[str | Path] | tuple[str | Path, ...] | None = None,
) -> list[dict[str, Any]]:
    """Measured rows from the database (when the file exists) plus Parquet datasets, duplicates dropped,
    each priced by the kernel profile of its device (`kernels` files; default: the kernels-*.json
    beside the datasets)."""
    from accelbench.prediction.kernels import fill_kernel_estimates, load_profile, profiles_beside
    from accelbench.storage import Store

    data = dataset_files(data)
    rows: list[dict[str, Any]] = list(load_parquet(data)) if data else []
    if db_path is not None and Path(db_path).exists():
        rows += load_from_store(Store(db_path, read_only=True))
    seen, unique = set(), []
    for r in rows:
        key = json.dumps([r.get(c) for c in CONFIG_COLUMNS + TARGET_COLUMNS], default=str)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    if not unique:
        where = " and ".join(
            [f"database {db_path}"] * (db_path is not None) + [f"{len(data)} Parquet file(s)"] * bool(data)
        )
        raise InsufficientDataError(
            f"no successful measured results in {where or 'any source'}: run "
            "`accelbench run --suite suites/reference.yaml` or pass --data "
            "data/reference/*.parquet"
        )
    paths = profiles_beside(list(data)) if kernels is None else list(kernels)
    return fill_kernel_estimates(unique, [load_profile(p) for p in paths])


def dataset_files(paths: list[str | Path] | tuple[str | Path, ...]) -> list[str | Path]:
    """`paths` with every folder replaced by the Parquet files in it (sorted); InputError for a
    folder without any."""
    from accelbench.errors import InputError

    out: list[str | Path] = []
    for p in paths:
        if Path(p).is_dir():
            found = sorted(Path(p).glob("*.parquet"))
            if not found:
                raise InputError("no *.parquet files in this folder", file=str(p))
            out += found
        else:
            out.append(p)
    return out


def train_and_store(
    db_path: str | Path, rows: list[dict[str, Any]], *, seed: int = 0, metrics: dict[str, Any] | None = None
) -> ModelBundle:
    """Train every target on `rows` and store the bundle as a new version in `db_path`."""
    from accelbench.storage import Store

    bundle = train_bundle(rows, seed=seed)
    save_bundle(Store(db_path), bundle, metrics)
    return bundle


def load_predictor(db_path: str | Path, version: str | None = None) -> Predictor:
    """A Predictor for the stored model `version` (default: newest) of `db_path`."""
    from accelbench.storage import Store

    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `accelbench predict train` first)")
    return Predictor(load_bundle(Store(db_path, read_only=True), version))
