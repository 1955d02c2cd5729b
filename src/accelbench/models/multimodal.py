"""Image + text generation families: llava and llava_next (CLIP vision tower + projector + llama-style LM)."""

from __future__ import annotations

from typing import Any

from accelbench.models.inputs import normal, ones_mask, token_ids
from accelbench.models.spec import FamilySpec, SizeSpec

CLIP_L_336 = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "image_size": 336,
    "patch_size": 14,
    "projection_dim": 768,
    "hidden_act": "quick_gelu",
}
CLIP_TINY = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "image_size": 32,
    "patch_size": 8,
    "projection_dim": 32,
}
LLAMA_TINY = {
    "model_type": "llama",
    "vocab_size": 1000,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
}
TINYLLAMA_1B = {
    "model_type": "llama",
    "vocab_size": 32064,
    "hidden_size": 2048,
    "intermediate_size": 5632,
    "num_hidden_layers": 22,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "max_position_embeddings": 2048,
    "rms_norm_eps": 1e-5,
}
VICUNA_7B = {
    "model_type": "llama",
    "vocab_size": 32064,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5,
}
YI_34B = {
    "model_type": "llama",
    "vocab_size": 64064,
    "hidden_size": 7168,
    "intermediate_size": 20480,
    "num_hidden_layers": 60,
    "num_attention_heads": 56,
    "num_key_value_heads": 8,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5,
    "rope_theta": 5_000_000.0,
}


def _llava(vision: dict[str, Any], text: dict[str, Any], image_token_index: int) -> Any:
    from transformers import LlavaConfig

    patches = (vision["image_size"] // vision["patch_size"]) ** 2
    return LlavaConfig(
        vision_config={"model_type": "clip_vision_model", **vision},
        text_config=dict(text),
        image_token_index=image_token_index,
        image_seq_length=patches,
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
    )


def _llava_next(
    vision: dict[str, Any],
    text: dict[str, Any],
    image_token_index: int,
    pinpoints: list[list[int]] | None = None,
) -> Any:
    from transformers import LlavaNextConfig

    patches = (vision["image_size"] // vision["patch_size"]) ** 2
    return LlavaNextConfig(
        vision_config={"model_type": "clip_vision_model", **vision},
        text_config=dict(text),
        image_token_index=image_token_index,
        image_seq_length=patches,
        image_grid_pinpoints=pinpoints,
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
    )


def llava_image_tokens(config: Any) -> int:
    """Image placeholder tokens per image for llava: one per vision patch (CLS dropped)."""
    vision = config.vision_config
    return (vision.image_size // vision.patch_size) ** 2


def llava_next_image_tokens(config: Any, height: int, width: int) -> int:
    """Image placeholder tokens for one llava_next image of `height` x `width` pixels (anyres tiling,
    unpadding and one newline token per row), the count LlavaNextProcessor computes."""
    from transformers.image_processing_utils import select_best_resolution

    vision = config.vision_config
    side = vision.image_size // vision.patch_size
    best_height, best_width = select_best_resolution((height, width), config.image_grid_pinpoints)
    current_height = side * (best_height // vision.image_size)
    current_width = side * (best_width // vision.image_size)
    if width / height > current_width / current_height:
        new_height = int(round(height * (current_width / width), 7))
        current_height -= 2 * ((current_height - new_height) // 2)
    else:
        new_width = int(round(width * (current_height / height), 7))
        current_width -= 2 * ((current_width - new_width) // 2)
    return current_height * current_width + current_height + side * side


def _prompt(config: Any, batch_size: int, sequence_length: int, image_tokens: int, generator: Any) -> Any:
    """[B, image_tokens + S] ids: the image placeholders first, then S text tokens below the image token."""
    ids = token_ids(
        generator,
        batch_size,
        image_tokens + sequence_length,
        config.text_config.vocab_size,
        exclude_from=config.image_token_index,
    )
    ids[:, :image_tokens] = config.image_token_index
    return ids


def llava_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_ids and mask [B, image tokens + S] and pixel_values [B, 3, H, W] (one image per prompt)."""
    vision = config.vision_config
    ids = _prompt(config, batch_size, sequence_length, llava_image_tokens(config), generator)
    pixels = normal(generator, batch_size, vision.num_channels, vision.image_size, vision.image_size)
    return {"input_ids": ids, "attention_mask": ones_mask(*ids.shape), "pixel_values": pixels}


def llava_next_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_ids and mask [B, image tokens + S], pixel_values [B, tiles + 1, 3, H, W] and image_sizes [B, 2]
    for a square image of the vision tower's size (tiled as LlavaNextImageProcessor would)."""
    import torch
    from transformers.models.llava_next.modeling_llava_next import image_size_to_num_patches

    vision = config.vision_config
    side = vision.image_size
    tiles = image_size_to_num_patches((side, side), config.image_grid_pinpoints, side)
    ids = _prompt(config, batch_size, sequence_length, llava_next_image_tokens(config, side, side), generator)
    pixels = normal(generator, batch_size, tiles, vision.num_channels, side, side)
    sizes = torch.tensor([[side, side]] * batch_size, dtype=torch.long)
    return {
        "input_ids": ids,
        "attention_mask": ones_mask(*ids.shape),
        "pixel_values": pixels,
        "image_sizes": sizes,
    }


LLAVA = FamilySpec(
    name="llava",
    modality="vision_text",
    model_class="LlavaForConditionalGeneration",
    output="logits",
    input_names=("input_ids", "attention_mask", "pixel_values"),
    make_inputs=llava_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("llava",),
    sizes={
        "tiny": SizeSpec(lambda: _llava(CLIP_TINY, LLAMA_TINY, 999), "llava (tiny, random)"),
        # TinyLLaVA-style: llava-1.5's CLIP ViT-L/14-336 tower and projector on a TinyLlama-1.1B LM
        "small": SizeSpec(
            lambda: _llava(CLIP_L_336, TINYLLAMA_1B, 32000),
            "bczhou/tiny-llava-v1-hf (TinyLlama-1.1B + CLIP ViT-L/14-336)",
        ),
        "base": SizeSpec(
            lambda: _llava(CLIP_L_336, VICUNA_7B, 32000), "llava-hf/llava-1.5-7b-hf", 7_063_427_072
        ),
    },
)

LLAVA_NEXT = FamilySpec(
    name="llava_next",
    modality="vision_text",
    model_class="LlavaNextForConditionalGeneration",
    output="logits",
    input_names=("input_ids", "attention_mask", "pixel_values", "image_sizes"),
    make_inputs=llava_next_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("llava_next",),
    sizes={
        "tiny": SizeSpec(
            lambda: _llava_next(CLIP_TINY, LLAMA_TINY, 999, [[32, 64], [64, 32], [64, 64]]),
            "llava_next (tiny, random)",
        ),
        "small": SizeSpec(
            lambda: _llava_next(CLIP_L_336, TINYLLAMA_1B, 32000),
            "llava-v1.6 anyres on TinyLlama-1.1B + CLIP ViT-L/14-336 (no published checkpoint)",
        ),
        # the model card gives "34.8B" only, hence a rounded published count
        "base": SizeSpec(
            lambda: _llava_next(CLIP_L_336, YI_34B, 64000), "llava-hf/llava-v1.6-34b-hf", 34_800_000_000
        ),
    },
)

SPECS = (LLAVA, LLAVA_NEXT)
