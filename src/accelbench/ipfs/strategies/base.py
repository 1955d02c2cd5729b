"""The retrieval strategy interface and registry: one new module plus one registration line per strategy."""

from __future__ import annotations

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
    """Decides which peer is asked for which block; talks to peers only through a Transport."""

    name: ClassVar[str] = ""
    config_class: ClassVar[type[StrategyConfig]] = StrategyConfig

    def __init__(self, config: StrategyConfig | None = None, **overrides: Any) -> None:
        base = config or self.config_class()
        for key, value in overrides.items():
            if not hasattr(base, key):
                raise InputError(f"strategy {self.name!r} has no setting {key!r}", field="strategy")
            setattr(base, key, value)
        self.config = base

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
        """Fetch the whole DAG under `root` from `providers`, verifying every block; never raises for peers."""
        raise NotImplementedError


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
