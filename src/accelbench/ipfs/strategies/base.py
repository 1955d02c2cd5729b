"""The retrieval strategy interface and registry: one new module plus one registration line per strategy.

A strategy is a config, a sans-IO policy class (its decisions, see policy.py) and, for the real
tier, a `retrieve` coroutine that drives the policy over HTTP. The simulator drives the same
policy: `get_strategy(name).policy(providers)`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from accelbench.errors import InputError

if TYPE_CHECKING:
    from multiformats import CID

    from accelbench.ipfs.blockstore import BlockCache, Blockstore
    from accelbench.ipfs.retrieval import Retrieval
    from accelbench.ipfs.transport import Transport


@dataclass
class StrategyConfig:
    """Settings every strategy has: providers used at once, blocks in flight, request timeout (s)."""

    max_providers: int = 1
    want_window: int = 1
    timeout_s: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored as p2p_optimization_config)."""
        return asdict(self)


class Strategy:
    """Decides which peer is asked for which block (its policy); talks to peers only through a Transport."""

    name: ClassVar[str] = ""
    config_class: ClassVar[type[StrategyConfig]] = StrategyConfig
    # a WindowPolicy subclass, or any class built from (config, providers) that both tiers can drive
    policy_class: ClassVar[type | None] = None

    def __init__(self, config: StrategyConfig | None = None, **overrides: Any) -> None:
        base = config or self.config_class()
        for key, value in overrides.items():
            if not hasattr(base, key):
                raise InputError(f"strategy {self.name!r} has no setting {key!r}", field="strategy")
            setattr(base, key, value)
        self.config = base

    def policy(self, providers: Sequence[Hashable]) -> Any:
        """A fresh sans-IO policy for one retrieval from `providers` (URLs here, node ids in the simulator)."""
        if self.policy_class is None:
            raise NotImplementedError(f"strategy {self.name!r} sets no policy_class")
        return self.policy_class(self.config, providers)

    async def retrieve(
        self,
        transport: Transport,
        root: CID,
        providers: list[str],
        *,
        store: Blockstore | None = None,
        cache: BlockCache | None = None,
        keep_data: bool = False,
    ) -> Retrieval:
        """Fetch the whole DAG under `root` from `providers`, verifying every block; never raises for peers.

        The default drives a `WindowPolicy` (see window_run.py); strategies of another kind override this.
        """
        from accelbench.ipfs.retrieval import RetrievalState
        from accelbench.ipfs.strategies.window_run import run_window

        state = RetrievalState(self.name, root, store, cache)
        before = transport.stats.bytes_received
        await run_window(self.policy(providers), transport, state, root, self.config.timeout_s)
        return state.finish(before, transport.stats, keep_data=keep_data)


STRATEGIES: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator adding a strategy to the registry under its `name`."""
    STRATEGIES[cls.name] = cls
    return cls


def get_strategy(name: str, **overrides: Any) -> Strategy:
    """A configured strategy by name; InputError naming the known ones otherwise."""
    from accelbench.ipfs import strategies  # noqa: F401  (fills the registry)

    try:
        cls = STRATEGIES[name]
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise InputError(
            f"unknown strategy {name!r}; expected one of {known}", field="--strategies"
        ) from None
    return cls(**overrides)
