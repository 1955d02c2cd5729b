"""Vision families: vit, detr, resnet, convnext (image sizes are fixed by the config; sequence length
does not apply). Image-text and video-text families are in contrastive.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from accelbench.models.inputs import normal
from accelbench.models.spec import FamilySpec, SizeSpec, hf_config

_vit = partial(hf_config, "ViTConfig")


def _detr(backbone: dict[str, Any], **kw: Any) -> Any:
    from transformers import DetrConfig, ResNetConfig

    # A transformers ResNet backbone built from its config: no timm, nothing downloaded.
    resnet = ResNetConfig(**{"out_features": ["stage4"], **backbone})
    no_timm: dict[str, Any] = {"use_timm_backbone": False, "use_pretrained_backbone": False}
    return DetrConfig(backbone_config=resnet, **no_timm, **kw)


_resnet = partial(hf_config, "ResNetConfig")
_convnext = partial(hf_config, "ConvNextConfig")


# ResNetConfig has no image size (the zoo sets one as an extra field): the ImageNet crop the
# reference checkpoints are evaluated at
DEFAULT_IMAGE_SIZE = 224


def image_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """pixel_values [B, 3, H, W] at the config's image size (DEFAULT_IMAGE_SIZE for a config without
    one); sequence_length does not apply."""
    size = getattr(config, "image_size", DEFAULT_IMAGE_SIZE)
    return {"pixel_values": normal(generator, batch_size, config.num_channels, size, size)}


def detr_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """pixel_values [B, 3, H, W]: 800x800 for base (DETR's shorter-side resize), 64x64 for tiny."""
    size = 64 if config.d_model < 128 else 800
    return {"pixel_values": normal(generator, batch_size, config.num_channels, size, size)}


VIT = FamilySpec(
    name="vit",
    modality="vision",
    model_class="ViTModel",
    output="last_hidden_state",
    input_names=("pixel_values",),
    make_inputs=image_inputs,
    model_types=("vit",),
    sizes={
        "tiny": SizeSpec(
            lambda: _vit(
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=64,
                image_size=32,
                patch_size=8,
            ),
            "vit (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _vit(
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                intermediate_size=3072,
                image_size=224,
                patch_size=16,
            ),
            "google/vit-base-patch16-224",
            86_389_248,
        ),
    },
)

DETR = FamilySpec(
    name="detr",
    modality="vision",
    model_class="DetrForObjectDetection",
    output="logits",
    input_names=("pixel_values",),
    make_inputs=detr_inputs,
    model_types=("detr",),
    sizes={
        "tiny": SizeSpec(
            lambda: _detr(
                {
                    "embedding_size": 8,
                    "hidden_sizes": [8, 16, 16, 32],
                    "depths": [1, 1, 1, 1],
                    "layer_type": "basic",
                },
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                num_queries=10,
                num_labels=10,
            ),
            "detr (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _detr(
                {
                    "embedding_size": 64,
                    "hidden_sizes": [256, 512, 1024, 2048],
                    "depths": [3, 4, 6, 3],
                    "layer_type": "bottleneck",
                },
                d_model=256,
                encoder_layers=6,
                decoder_layers=6,
                encoder_attention_heads=8,
                decoder_attention_heads=8,
                encoder_ffn_dim=2048,
                decoder_ffn_dim=2048,
                num_queries=100,
                num_labels=91,
            ),
            "facebook/detr-resnet-50",
            41_524_768,
        ),
    },
)

RESNET = FamilySpec(
    name="resnet",
    modality="vision",
    model_class="ResNetForImageClassification",
    output="logits",
    input_names=("pixel_values",),
    make_inputs=image_inputs,
    model_types=("resnet",),
    sizes={
        "tiny": SizeSpec(
            lambda: _resnet(
                embedding_size=8,
                hidden_sizes=[16, 32, 64, 128],
                depths=[1, 1, 1, 1],
                layer_type="bottleneck",
                num_labels=10,
                image_size=64,
            ),
            "resnet (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _resnet(
                embedding_size=64,
                hidden_sizes=[256, 512, 1024, 2048],
                depths=[3, 4, 6, 3],
                layer_type="bottleneck",
                hidden_act="relu",
                downsample_in_first_stage=False,
                num_labels=1000,
                image_size=DEFAULT_IMAGE_SIZE,
            ),
            "microsoft/resnet-50",
            25_557_032,
        ),
    },
)

CONVNEXT = FamilySpec(
    name="convnext",
    modality="vision",
    model_class="ConvNextForImageClassification",
    output="logits",
    input_names=("pixel_values",),
    make_inputs=image_inputs,
    model_types=("convnext",),
    sizes={
        "tiny": SizeSpec(
            lambda: _convnext(
                hidden_sizes=[8, 16, 32, 64],
                depths=[1, 1, 1, 1],
                patch_size=4,
                num_labels=10,
                image_size=64,
            ),
            "convnext (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _convnext(
                hidden_sizes=[96, 192, 384, 768],
                depths=[3, 3, 9, 3],
                patch_size=4,
                hidden_act="gelu",
                layer_scale_init_value=1e-6,
                num_labels=1000,
                image_size=224,
            ),
            "facebook/convnext-tiny-224",
            28_589_128,
        ),
    },
)

SPECS = (VIT, DETR, RESNET, CONVNEXT)
