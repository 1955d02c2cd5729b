"""The FLOPs formula agrees with torch's own count of every matmul and conv, and features are complete."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from accelbench.models import build_model, flops_per_inference, make_inputs, model_features  # noqa: E402
from accelbench.models.catalog import FAMILIES  # noqa: E402
from accelbench.models.features import FEATURE_KEYS  # noqa: E402


def _counted_flops(family: str, batch_size: int, sequence_length: int) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    built = build_model(family, "tiny")
    # eager attention is made of matmuls the counter sees; the fused kernel does the same arithmetic
    built.module.model.set_attn_implementation("eager")
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        built.module(*make_inputs(built, batch_size, sequence_length))
    return counter.get_total_flops()


@pytest.mark.parametrize("family", list(FAMILIES))
def test_formula_matches_counted_flops_on_tiny_models(family):
    counted = _counted_flops(family, 2, 16)
    estimated = flops_per_inference(family, "tiny", 2, 16)
    assert estimated == pytest.approx(counted, rel=0.03)


def test_bert_base_flops_closed_form():
    # 12 layers x (2 * 128 tokens * (4*768^2 + 2*768*3072) + 4 * 128^2 * 768) + pooler 2 * 768^2
    layer = 2 * 128 * (4 * 768**2 + 2 * 768 * 3072) + 4 * 128**2 * 768
    assert flops_per_inference("bert", "base", 1, 128) == 12 * layer + 2 * 768**2


def test_flops_scale_linearly_with_batch_and_super_linearly_with_length():
    one = flops_per_inference("llama", "small", 1, 256)
    assert flops_per_inference("llama", "small", 8, 256) == 8 * one
    assert flops_per_inference("llama", "small", 1, 512) > 2 * one
    # images have a fixed size: the sequence length does not change vit's cost
    assert flops_per_inference("vit", "base", 1, 16) == flops_per_inference("vit", "base", 1, 512)


def test_convnet_base_flops_are_the_published_multiply_adds():
    # ResNet-50 4.09 GMACs (torchvision), ConvNeXt-T 4.5 GMACs (the ConvNeXt paper) at 224x224
    assert flops_per_inference("resnet", "base", 1, 128) / 2 == pytest.approx(4.09e9, rel=0.005)
    assert flops_per_inference("convnext", "base", 1, 128) / 2 == pytest.approx(4.5e9, rel=0.02)


# convolution-only families have no attention heads and no vocabulary
ZERO_ALLOWED = {"resnet": {"vocab_size", "attention_heads"}, "convnext": {"vocab_size", "attention_heads"}}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_features_are_positive_integers_for_every_size(family):
    for size in FAMILIES[family][1]:
        features = model_features(family, size)
        assert set(FEATURE_KEYS) <= set(features)
        for key in FEATURE_KEYS:
            may_be_zero = key in ZERO_ALLOWED.get(family, {"vocab_size"})
            assert isinstance(features[key], int) and (features[key] > 0 or may_be_zero), (family, key)
