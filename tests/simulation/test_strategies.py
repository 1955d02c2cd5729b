"""The simulator runs the same strategy parameters as the real tier's strategy classes."""

from __future__ import annotations

import pytest

from accelbench.simulation.strategies import STRATEGIES, from_ipfs_strategy


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_simulator_parameters_match_the_real_strategy_defaults(name):
    pytest.importorskip("multiformats")
    from accelbench.ipfs.strategies import get_strategy

    assert from_ipfs_strategy(get_strategy(name)) == STRATEGIES[name]


def test_overrides_on_a_real_strategy_reach_the_simulator():
    pytest.importorskip("multiformats")
    from accelbench.ipfs.strategies import get_strategy

    mapped = from_ipfs_strategy(get_strategy("accelerated", want_window=4, max_providers=2))
    assert (mapped.want_window, mapped.max_providers, mapped.selection) == (4, 2, "ewma")
