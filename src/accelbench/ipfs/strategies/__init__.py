"""Retrieval strategies behind one interface; importing this package fills the registry."""

from accelbench.ipfs.strategies import accelerated, range_split, standard  # noqa: F401  (registration)
from accelbench.ipfs.strategies.base import STRATEGIES, Strategy, StrategyConfig, get_strategy, register

__all__ = ["STRATEGIES", "Strategy", "StrategyConfig", "get_strategy", "register"]
