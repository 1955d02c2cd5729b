"""Cheap descriptions of a family x size for listings and performance prediction (nothing is allocated)."""

from __future__ import annotations

from functools import cache
from typing import Any

from accelbench.models.flops import flops_of_config
from accelbench.models.zoo import FP32_BYTES, count_parameters_of_config, get_config, get_spec

# Features a prediction model can rely on; every value is an int.
FEATURE_KEYS = (
    "parameters",
    "layers",
    "hidden_size",
    "attention_heads",
    "intermediate_size",
    "vocab_size",
    "weights_fp32_bytes",
    "flops_per_item_seq128",
)


@cache
def parameter_count(family: str, size: str) -> int:
    """Parameters of `family` at `size`, counted on the meta device (about 10-300 ms the first time)."""
    return count_parameters_of_config(get_spec(family), get_config(family, size))


def flops_per_inference(family: str, size: str, batch_size: int, sequence_length: int) -> float:
    """Estimated FLOPs (multiply-add = 2) of one forward pass on make_inputs(batch_size, sequence_length);
    see accelbench.models.flops for the formula. Matches torch's FlopCounterMode within 3 % on the zoo."""
    return flops_of_config(family, _config(family, size), batch_size, sequence_length)


def model_features(family: str, size: str) -> dict[str, Any]:
    """Architecture features: parameters, layers (all stacks), hidden size, attention heads and
    intermediate size of the widest stack, vocabulary (0 without a text input), fp32 weight bytes, and
    FLOPs of one item at sequence length 128. Convolutional networks (resnet, convnext) count residual
    blocks as layers, report their last (widest) stage's channels and block inner width, and 0 heads."""
    config = _config(family, size)
    layers, hidden, heads, ff, vocab = _DIMS[family](config)
    params = parameter_count(family, size)
    return {
        "family": family,
        "size": size,
        "modality": get_spec(family).modality,
        "parameters": params,
        "layers": int(layers),
        "hidden_size": int(hidden),
        "attention_heads": int(heads),
        "intermediate_size": int(ff),
        "vocab_size": int(vocab),
        "weights_fp32_bytes": params * FP32_BYTES,
        "flops_per_item_seq128": int(flops_of_config(family, config, 1, 128)),
    }


@cache
def _config(family: str, size: str) -> Any:
    return get_config(family, size)


def _encoder(c: Any, with_vocab: bool = True) -> tuple[int, int, int, int, int]:
    vocab = c.vocab_size if with_vocab else 0
    return c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size, vocab


def _two_towers(text: Any, other: Any, other_layers: int) -> tuple[int, int, int, int, int]:
    wide = other if other.hidden_size >= text.hidden_size else text
    heads = wide.num_attention_heads
    heads = max(heads) if isinstance(heads, (list, tuple)) else heads
    ff = getattr(wide, "intermediate_size", None) or int(wide.hidden_size * getattr(wide, "mlp_ratio", 4))
    return text.num_hidden_layers + other_layers, wide.hidden_size, heads, ff, text.vocab_size


def _multimodal(c: Any) -> tuple[int, int, int, int, int]:
    text = c.text_config
    layers = text.num_hidden_layers + c.vision_config.num_hidden_layers
    return layers, text.hidden_size, text.num_attention_heads, text.intermediate_size, text.vocab_size


def _convnet(c: Any, inner_width: int) -> tuple[int, int, int, int, int]:
    return sum(c.depths), c.hidden_sizes[-1], 0, inner_width, 0


_DIMS = {
    "bert": _encoder,
    "llama": _encoder,
    "qwen2": _encoder,
    "vit": lambda c: _encoder(c, False),
    "t5": lambda c: (c.num_layers + c.num_decoder_layers, c.d_model, c.num_heads, c.d_ff, c.vocab_size),
    "clip": lambda c: _two_towers(c.text_config, c.vision_config, c.vision_config.num_hidden_layers),
    "xclip": lambda c: _two_towers(c.text_config, c.vision_config, c.vision_config.num_hidden_layers),
    "clap": lambda c: _two_towers(c.text_config, c.audio_config, sum(c.audio_config.depths)),
    "whisper": lambda c: (
        c.encoder_layers + c.decoder_layers,
        c.d_model,
        c.encoder_attention_heads,
        c.encoder_ffn_dim,
        c.vocab_size,
    ),
    "wav2vec2": lambda c: _encoder(c, False),
    "llava": _multimodal,
    "llava_next": _multimodal,
    "detr": lambda c: (
        c.encoder_layers + c.decoder_layers,
        c.d_model,
        c.encoder_attention_heads,
        c.encoder_ffn_dim,
        0,
    ),
    "gpt2": lambda c: (c.n_layer, c.n_embd, c.n_head, c.n_inner or 4 * c.n_embd, c.vocab_size),
    "bart": lambda c: (
        c.encoder_layers + c.decoder_layers,
        c.d_model,
        c.encoder_attention_heads,
        c.encoder_ffn_dim,
        c.vocab_size,
    ),
    # resnet bottleneck blocks narrow to a quarter of the stage width; convnext's MLP widens 4x
    "resnet": lambda c: _convnet(
        c, c.hidden_sizes[-1] // 4 if c.layer_type == "bottleneck" else c.hidden_sizes[-1]
    ),
    "convnext": lambda c: _convnet(c, 4 * c.hidden_sizes[-1]),
}
