"""Tiny real models for the backend tests (from accelbench.models when it exists, else built here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class _Built:
    """Stand-in for accelbench.models.BuiltModel while models/ is being written."""

    module: Any
    input_names: list[str]
    family: str = "bert"
    size: str = "tiny"
    modality: str = "text"
    weights: str = "random"
    config: Any = None
    num_parameters: int = 0
    extra: dict = field(default_factory=dict)


def _tiny_bert_fallback(seed: int) -> _Built:
    import torch
    from transformers import BertConfig, BertModel

    class _Wrapper(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    torch.manual_seed(seed)
    cfg = BertConfig(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        vocab_size=1000,
        max_position_embeddings=128,
    )
    module = _Wrapper(BertModel(cfg)).eval()
    n = sum(p.numel() for p in module.parameters())
    return _Built(module, ["input_ids", "attention_mask"], config=cfg, num_parameters=n)


def build_tiny(family: str = "bert", seed: int = 0) -> Any:
    """accelbench.models.build_model(family, 'tiny') if models/ provides it, else a local tiny BERT."""
    try:
        from accelbench.models import build_model
    except ImportError:
        try:
            from accelbench.models.zoo import build_model
        except ImportError:
            build_model = None
    if build_model is None:
        if family != "bert":
            pytest.skip("accelbench.models.build_model does not exist yet")
        return _tiny_bert_fallback(seed)
    return build_model(family, "tiny", seed=seed)


def inputs_for(built: Any, batch_size: int, sequence_length: int = 16, seed: int = 0) -> tuple:
    """accelbench.models.make_inputs if it exists, else token ids and a mask for the local tiny BERT."""
    try:
        from accelbench.models import make_inputs
    except ImportError:
        try:
            from accelbench.models.zoo import make_inputs
        except ImportError:
            make_inputs = None
    if make_inputs is None:
        import torch

        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(0, 1000, (batch_size, sequence_length), generator=g)
        return ids, torch.ones(batch_size, sequence_length, dtype=torch.long)
    return make_inputs(built, batch_size, sequence_length, seed=seed)


@pytest.fixture(scope="session")
def tiny_bert():
    """A tiny random-weight BERT (seed 0), shared read-only by the tests of this folder."""
    return build_tiny("bert")


@pytest.fixture(scope="session")
def bert_inputs(tiny_bert):
    """Batch 2, sequence 16."""
    return inputs_for(tiny_bert, 2)


@pytest.fixture(scope="session")
def reference(tiny_bert, bert_inputs):
    """pytorch fp32 output of the tiny BERT on bert_inputs, as numpy."""
    import torch

    with torch.no_grad():
        return tiny_bert.module(*bert_inputs).numpy()


@pytest.fixture(scope="session")
def model_factory():
    """(build_tiny, inputs_for): build a family's tiny size and its inputs."""
    return build_tiny, inputs_for
