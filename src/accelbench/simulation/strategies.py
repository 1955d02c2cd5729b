"""Retrieval strategies as the simulator runs them: the parameters that decide who is asked for what.

The real tiers' strategy classes (accelbench.ipfs) talk HTTP to gateway peers; the simulator
cannot run their coroutines, so it runs the same decisions from these parameters:

- provider set: the first `max_providers` providers, nearest (lowest round-trip time) first;
- want-window: at most `want_window` block requests in flight over all providers;
- peer selection: `first` always asks the first provider; `ewma` asks the provider with the lowest
  EWMA response time × (1 + requests in flight to it), a provider without a sample being scored
  with the best EWMA known (so each gets tried);
- duplicate suppression (hedging): a block is asked from one provider only, unless it has not
  arrived after max(`duplicate_after` × that provider's EWMA, `hedge_min_ms`) (`hedge_initial_ms`
  before any sample); then a second provider is asked, the loser is cancelled, and a first
  provider beaten by a hedge is dropped for the rest of the retrieval (a reserve takes its place);
- range split: after the root, the leaves are split into one contiguous range per provider and
  each range is one request (a CAR stream with `entity-bytes`).

`from_ipfs_strategy` maps an accelbench.ipfs strategy object onto these parameters by attribute
name where they exist, so the tiers share one configuration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from accelbench.errors import InputError


@dataclass(frozen=True)
class SimStrategy:
    """The parameters of a retrieval strategy that the simulator reproduces."""

    name: str
    max_providers: int = 1
    want_window: int = 1  # block requests in flight, over all providers
    selection: str = "first"  # "first" | "ewma"
    duplicate_after: float | None = None  # × the provider's EWMA response time; None: never
    hedge_initial_ms: float = 2000.0  # hedge delay before the provider has an EWMA sample
    hedge_min_ms: float = 250.0  # never hedge sooner than this
    range_split: bool = False
    ewma_alpha: float = 0.3  # weight of the newest response time in the EWMA

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict (stored as p2p_optimization_config)."""
        return asdict(self)


STRATEGIES: dict[str, SimStrategy] = {
    "standard": SimStrategy("standard"),
    "accelerated": SimStrategy(
        "accelerated", max_providers=8, want_window=16, selection="ewma", duplicate_after=4.0
    ),
    "range-split": SimStrategy(
        "range-split", max_providers=8, want_window=8, selection="ewma", range_split=True
    ),
}

# attribute names an accelbench.ipfs strategy may carry -> our field
_IPFS_ATTRS = {
    "max_providers": "max_providers",
    "want_window": "want_window",
    "window": "want_window",
    "duplicate_after": "duplicate_after",
    "ewma_alpha": "ewma_alpha",
    "hedge_initial_ms": "hedge_initial_ms",
    "hedge_min_ms": "hedge_min_ms",
}


def get_strategy(name: str) -> SimStrategy:
    """The simulator's strategy of that name; InputError naming the known ones otherwise."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise InputError(
            f"unknown strategy '{name}'; expected one of {', '.join(STRATEGIES)}", field="strategy"
        ) from None


def from_ipfs_strategy(obj: Any) -> SimStrategy:
    """Map a real-tier strategy object (or its config) onto SimStrategy by its name and attributes."""
    name = getattr(obj, "name", None) or type(obj).__name__.lower()
    base = STRATEGIES.get(name, SimStrategy(name))
    config = getattr(obj, "config", obj)
    changes = {}
    for attr, target in _IPFS_ATTRS.items():
        value = getattr(config, attr, None)
        if value is not None and not callable(value):
            changes[target] = value
    return replace(base, **changes)
