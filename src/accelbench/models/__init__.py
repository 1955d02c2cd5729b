"""The model zoo: the plan's 13 families plus gpt2, bart, resnet and convnext in several sizes, built offline, with seeded inputs.

`import accelbench.models` stays light (no torch): the names below load their module on first use.

    from accelbench.models import build_model, make_inputs
    built = build_model("bert", "tiny")
    output = built.module(*make_inputs(built, batch_size=2, sequence_length=16))
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "build_model": "accelbench.models.zoo",
    "make_inputs": "accelbench.models.zoo",
    "BuiltModel": "accelbench.models.zoo",
    "check_fits": "accelbench.models.zoo",
    "parameter_count": "accelbench.models.features",
    "model_features": "accelbench.models.features",
    "flops_per_inference": "accelbench.models.features",
    "expected_precisions": "accelbench.models.support",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import the public name's module on first access (keeps torch out of `import accelbench`)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'accelbench.models' has no attribute {name!r}")
