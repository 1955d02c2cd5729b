"""LightGBM settings and training shared by the target models and the bend correction."""

from __future__ import annotations

from typing import Any


def lgb_params(hyper: dict[str, Any], seed: int) -> dict[str, Any]:
    """LightGBM parameters for `hyper` (num_leaves, min_data_in_leaf, learning_rate): single-threaded
    and deterministic, settings for small data with categorical features."""
    return {
        "objective": "regression",
        "verbose": -1,
        "num_threads": 1,
        "deterministic": True,
        "seed": seed,
        "num_leaves": hyper["num_leaves"],
        "min_data_in_leaf": hyper["min_data_in_leaf"],
        "learning_rate": hyper["learning_rate"],
        "min_data_per_group": 2,
        "cat_smooth": 1.0,
        "max_cat_to_onehot": 32,
        "min_data_in_bin": 1,
        "lambda_l2": 1.0,
    }


def train_booster(x: Any, y: Any, categorical: list[int], params: dict[str, Any], rounds: int) -> Any:
    """A lightgbm.Booster trained on matrix `x` and targets `y`, `categorical` naming column positions."""
    import lightgbm as lgb

    data = lgb.Dataset(
        x,
        y,
        categorical_feature=categorical,
        params={"verbose": -1, "min_data_in_bin": 1},
        free_raw_data=True,
    )
    return lgb.train(params, data, num_boost_round=rounds)


def predict_one_thread(booster: Any, x: Any) -> Any:
    """booster.predict(x) on the calling thread. LightGBM's default is an OpenMP team of every core:
    for the few rows a query has, starting and joining that team costs more than the trees, and
    when the other cores are busy (a benchmark running beside the API) a call waits for them:
    0.48 ms against 0.04 ms for one row on the 2-core reference machine with one core loaded."""
    return booster.predict(x, num_threads=1)
