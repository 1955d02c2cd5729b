"""Fixtures for analysis tests: stores with synthetic runs (always flagged is_simulated)."""

from __future__ import annotations

import numpy as np
import pytest

from accelbench.analysis.synthetic import insert_synthetic_run, lognormal_latencies_ns

MODELS = ("bert", "t5", "vit", "gpt2")


@pytest.fixture
def make_run(store):
    """make_run(rng, {model: factor}, n=40, cv=0.03, **run fields) stores a run of medians factor x 10 ms."""

    def make(rng, factors, *, n=40, cv=0.03, **run_kw):
        results = [
            {"model_name": m, "latencies_ns": lognormal_latencies_ns(rng, n, 10.0 * f, cv)}
            for m, f in factors.items()
        ]
        return insert_synthetic_run(store, results, **run_kw)

    return make


@pytest.fixture
def two_runs(make_run):
    """Run 1 (main, commit a*40) and run 2 (branch pr) with bert 30 % slower and t5 15 % faster."""
    rng = np.random.default_rng(0)
    base, _ = make_run(rng, dict.fromkeys(MODELS, 1.0), git_commit="a" * 40, git_branch="main")
    cur, _ = make_run(
        rng, {"bert": 1.3, "t5": 0.85, "vit": 1.0, "gpt2": 1.0}, git_commit="b" * 40, git_branch="pr"
    )
    return base, cur
