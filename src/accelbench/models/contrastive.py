"""Contrastive image-text and video-text families: clip, xclip (B captions against B images or
videos; sequence length sets the captions, the config the image size)."""

from __future__ import annotations

from typing import Any

from accelbench.models.inputs import clamp_length, normal, ones_mask, token_ids
from accelbench.models.spec import FamilySpec, SizeSpec


def _clip(text: dict[str, Any], vision: dict[str, Any], **kw: Any) -> Any:
    from transformers import CLIPConfig

    return CLIPConfig(text_config=text, vision_config=vision, **kw)


def _xclip(text: dict[str, Any], vision: dict[str, Any], **kw: Any) -> Any:
    from transformers import XCLIPConfig

    return XCLIPConfig(text_config=text, vision_config=vision, **kw)


def clip_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """B captions [B, S<=77] and B images [B, 3, H, W]; the model returns logits_per_image [B, B]."""
    text, vision = config.text_config, config.vision_config
    length = clamp_length(sequence_length, text.max_position_embeddings)
    ids = token_ids(generator, batch_size, length, text.vocab_size)
    pixels = normal(generator, batch_size, vision.num_channels, vision.image_size, vision.image_size)
    return {"input_ids": ids, "pixel_values": pixels, "attention_mask": ones_mask(batch_size, length)}


def xclip_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """B captions [B, S<=77] and B videos [B, frames, 3, H, W]; returns logits_per_video [B, B]."""
    text, vision = config.text_config, config.vision_config
    length = clamp_length(sequence_length, text.max_position_embeddings)
    ids = token_ids(generator, batch_size, length, text.vocab_size)
    frames = normal(
        generator, batch_size, vision.num_frames, vision.num_channels, vision.image_size, vision.image_size
    )
    return {"input_ids": ids, "pixel_values": frames, "attention_mask": ones_mask(batch_size, length)}


CLIP = FamilySpec(
    name="clip",
    modality="vision_text",
    model_class="CLIPModel",
    output="logits_per_image",
    input_names=("input_ids", "pixel_values", "attention_mask"),
    make_inputs=clip_inputs,
    model_types=("clip",),
    sizes={
        "tiny": SizeSpec(
            lambda: _clip(
                {
                    "vocab_size": 1000,
                    "hidden_size": 32,
                    "intermediate_size": 64,
                    "num_hidden_layers": 2,
                    "num_attention_heads": 2,
                    "max_position_embeddings": 77,
                    "pad_token_id": 1,
                    "bos_token_id": 0,
                    "eos_token_id": 2,
                },
                {
                    "hidden_size": 32,
                    "intermediate_size": 64,
                    "num_hidden_layers": 2,
                    "num_attention_heads": 2,
                    "image_size": 32,
                    "patch_size": 8,
                },
                projection_dim=32,
            ),
            "clip (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _clip(
                {
                    "vocab_size": 49408,
                    "hidden_size": 512,
                    "intermediate_size": 2048,
                    "num_hidden_layers": 12,
                    "num_attention_heads": 8,
                    "max_position_embeddings": 77,
                },
                {
                    "hidden_size": 768,
                    "intermediate_size": 3072,
                    "num_hidden_layers": 12,
                    "num_attention_heads": 12,
                    "image_size": 224,
                    "patch_size": 32,
                },
                projection_dim=512,
            ),
            "openai/clip-vit-base-patch32",
            151_277_313,
        ),
    },
)

XCLIP = FamilySpec(
    name="xclip",
    modality="video_text",
    model_class="XCLIPModel",
    output="logits_per_video",
    input_names=("input_ids", "pixel_values", "attention_mask"),
    make_inputs=xclip_inputs,
    model_types=("xclip",),
    sizes={
        "tiny": SizeSpec(
            lambda: _xclip(
                {
                    "vocab_size": 1000,
                    "hidden_size": 32,
                    "intermediate_size": 64,
                    "num_hidden_layers": 2,
                    "num_attention_heads": 2,
                },
                {
                    "hidden_size": 32,
                    "intermediate_size": 64,
                    "num_hidden_layers": 2,
                    "num_attention_heads": 2,
                    "image_size": 32,
                    "patch_size": 8,
                    "num_frames": 2,
                    "mit_hidden_size": 32,
                    "mit_intermediate_size": 64,
                    "mit_num_hidden_layers": 1,
                    "mit_num_attention_heads": 2,
                },
                projection_dim=32,
                prompt_layers=1,
                prompt_num_attention_heads=2,
            ),
            "xclip (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _xclip(
                {
                    "vocab_size": 49408,
                    "hidden_size": 512,
                    "intermediate_size": 2048,
                    "num_hidden_layers": 12,
                    "num_attention_heads": 8,
                },
                {
                    "hidden_size": 768,
                    "intermediate_size": 3072,
                    "num_hidden_layers": 12,
                    "num_attention_heads": 12,
                    "image_size": 224,
                    "patch_size": 32,
                    "num_frames": 8,
                    "mit_hidden_size": 512,
                    "mit_intermediate_size": 2048,
                    "mit_num_hidden_layers": 1,
                    "mit_num_attention_heads": 8,
                },
                projection_dim=512,
                prompt_layers=2,
                prompt_num_attention_heads=8,
            ),
            "microsoft/xclip-base-patch32",
            None,
        ),
    },
)


SPECS = (CLIP, XCLIP)
