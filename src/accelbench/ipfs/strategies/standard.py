"""`standard`: one provider at a time, the DAG walked block by block depth first (a plain gateway client).

Decisions (`StandardPolicy`, shared with the simulator): every provider is a candidate, in the
order given; each block goes to the first candidate that has not failed and has not answered 404
for it; one block in flight; never a hedge. A peer that fails, times out or sends a bad block is
dropped for the rest of the retrieval.
"""

from __future__ import annotations

from accelbench.ipfs.strategies.base import Strategy, StrategyConfig, register
from accelbench.ipfs.strategies.policy import Key, WindowPolicy


class StandardPolicy(WindowPolicy):
    """Window 1 (from the config), the first usable provider, no hedging."""

    def provider_set(self, providers: list[Key]) -> tuple[list[Key], list[Key]]:
        """Every provider is a candidate, tried in order when the one before fails."""
        return providers, []


@register
class StandardStrategy(Strategy):
    """Ask the first provider for each block in turn; move to the next provider only when one fails."""

    name = "standard"
    config_class = StrategyConfig
    policy_class = StandardPolicy
