"""Analytic FLOPs of one forward pass per family, from the config alone (no torch, nothing built).

Convention: a multiply-add counts as 2 FLOPs; only matrix products and convolutions are counted
(norms, activations, softmax and embedding look-ups are left out, as torch's FlopCounterMode does).
Per transformer layer applied to T tokens:

    2 * T * (q,k,v,o and MLP weights)  +  4 * T * span * attention_width

where span is the number of keys each token attends to (T for self-attention, the encoder length for
cross-attention, window^2 for windowed attention). Convolutions count 2 * weights * output positions.
A forward pass over a batch of B items costs B times one item (inputs are never padded).
"""

from __future__ import annotations

from typing import Any

from accelbench.models.inputs import clamp_length, conv_input_length


def layer_flops(
    tokens: int,
    d: int,
    ff: int,
    *,
    attn_width: int | None = None,
    kv_width: int | None = None,
    gated: bool = False,
    span: int | None = None,
) -> float:
    """FLOPs of one pre-norm transformer layer (self-attention + MLP) over `tokens` tokens."""
    attn_width = d if attn_width is None else attn_width
    kv_width = attn_width if kv_width is None else kv_width
    span = tokens if span is None else span
    weights = 2 * d * attn_width + 2 * d * kv_width + (3 if gated else 2) * d * ff
    return 2.0 * tokens * weights + 4.0 * tokens * span * attn_width


def cross_attention_flops(queries: int, keys: int, d: int, attn_width: int | None = None) -> float:
    """FLOPs of one cross-attention block: q,o projections on queries, k,v on keys, scores and mixing."""
    attn_width = d if attn_width is None else attn_width
    return (
        2.0 * (2 * queries * d * attn_width + 2 * keys * d * attn_width) + 4.0 * queries * keys * attn_width
    )


def vit_tower_flops(c: Any) -> float:
    """A CLIP/ViT vision tower on one image: patch conv plus the encoder over patches + CLS."""
    patches = (c.image_size // c.patch_size) ** 2
    conv = 2.0 * patches * c.num_channels * c.patch_size**2 * c.hidden_size
    return conv + c.num_hidden_layers * layer_flops(patches + 1, c.hidden_size, c.intermediate_size)


def decoder_lm_flops(c: Any, tokens: int) -> float:
    """A llama/qwen2 style decoder-only LM (gated MLP, grouped-query attention) plus its LM head."""
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    layer = layer_flops(
        tokens,
        c.hidden_size,
        c.intermediate_size,
        attn_width=c.num_attention_heads * head_dim,
        kv_width=c.num_key_value_heads * head_dim,
        gated=True,
    )
    return c.num_hidden_layers * layer + 2.0 * tokens * c.hidden_size * c.vocab_size


def _bert(c: Any, s: int) -> float:
    t = clamp_length(s, c.max_position_embeddings)
    return c.num_hidden_layers * layer_flops(t, c.hidden_size, c.intermediate_size) + 2.0 * c.hidden_size**2


def _t5(c: Any, s: int) -> float:
    width = c.num_heads * c.d_kv
    gated = c.is_gated_act
    encoder = c.num_layers * layer_flops(s, c.d_model, c.d_ff, attn_width=width, gated=gated)
    decoder = c.num_decoder_layers * (
        layer_flops(s, c.d_model, c.d_ff, attn_width=width, gated=gated)
        + cross_attention_flops(s, s, c.d_model, width)
    )
    return encoder + decoder


def _causal_lm(c: Any, s: int) -> float:
    return decoder_lm_flops(c, clamp_length(s, c.max_position_embeddings))


def _gpt2(c: Any, s: int) -> float:
    t = clamp_length(s, c.n_positions)
    layer = layer_flops(t, c.n_embd, c.n_inner or 4 * c.n_embd)
    return c.n_layer * layer + 2.0 * t * c.n_embd * c.vocab_size


def _bart(c: Any, s: int) -> float:
    t = clamp_length(s, c.max_position_embeddings)
    encoder = c.encoder_layers * layer_flops(t, c.d_model, c.encoder_ffn_dim)
    decoder = c.decoder_layers * (
        layer_flops(t, c.d_model, c.decoder_ffn_dim) + cross_attention_flops(t, t, c.d_model)
    )
    return encoder + decoder + 2.0 * t * c.d_model * c.vocab_size


def _vit(c: Any, s: int) -> float:
    return vit_tower_flops(c) + 2.0 * c.hidden_size**2  # + pooler


def _clip(c: Any, s: int) -> float:
    text, vision = c.text_config, c.vision_config
    t = clamp_length(s, text.max_position_embeddings)
    text_flops = text.num_hidden_layers * layer_flops(t, text.hidden_size, text.intermediate_size)
    projections = 2.0 * (text.hidden_size + vision.hidden_size) * c.projection_dim
    return text_flops + vit_tower_flops(vision) + projections


def _xclip(c: Any, s: int) -> float:
    text, vision = c.text_config, c.vision_config
    t = clamp_length(s, text.max_position_embeddings)
    frames, patches = vision.num_frames, (vision.image_size // vision.patch_size) ** 2 + 1
    text_flops = text.num_hidden_layers * layer_flops(t, text.hidden_size, text.intermediate_size)
    # cross-frame "message" tokens: one per frame per layer, attending over the frames
    message = vision.num_hidden_layers * (
        2.0 * frames * vision.hidden_size**2 + layer_flops(frames, vision.hidden_size, 0)
    )
    mit = vision.mit_num_hidden_layers * layer_flops(
        frames, vision.mit_hidden_size, vision.mit_intermediate_size
    )
    # the prompt generator: text queries cross-attend to every frame's patch tokens
    p = c.projection_dim
    prompts = c.prompt_layers * (cross_attention_flops(1, frames * patches, p) + 2.0 * 2 * p * 4 * p)
    return text_flops + frames * vit_tower_flops(vision) + message + mit + prompts


def _whisper(c: Any, s: int) -> float:
    source = c.max_source_positions
    t = clamp_length(s, c.max_target_positions)
    stem = 2.0 * (2 * source) * c.num_mel_bins * c.d_model * 3 + 2.0 * source * c.d_model * c.d_model * 3
    encoder = c.encoder_layers * layer_flops(source, c.d_model, c.encoder_ffn_dim)
    decoder = c.decoder_layers * (
        layer_flops(t, c.d_model, c.decoder_ffn_dim) + cross_attention_flops(t, source, c.d_model)
    )
    return stem + encoder + decoder


def _wav2vec2(c: Any, s: int) -> float:
    kernels, strides, dims = tuple(c.conv_kernel), tuple(c.conv_stride), (1, *c.conv_dim)
    stem = 0.0
    for i in range(len(kernels)):
        out_len = conv_input_length(s, kernels[i + 1 :], strides[i + 1 :])  # this conv's output length
        stem += 2.0 * out_len * dims[i] * dims[i + 1] * kernels[i]
    projection = 2.0 * s * c.conv_dim[-1] * c.hidden_size
    pos_conv = (
        2.0
        * s
        * c.hidden_size
        * (c.hidden_size // c.num_conv_pos_embedding_groups)
        * c.num_conv_pos_embeddings
    )
    encoder = c.num_hidden_layers * layer_flops(s, c.hidden_size, c.intermediate_size)
    return stem + projection + pos_conv + encoder


def _clap(c: Any, s: int) -> float:
    text, audio = c.text_config, c.audio_config
    t = clamp_length(s, text.max_position_embeddings - 2)
    text_flops = text.num_hidden_layers * layer_flops(t, text.hidden_size, text.intermediate_size)
    stride = audio.patch_stride[0] if isinstance(audio.patch_stride, (list, tuple)) else audio.patch_stride
    tokens, dim = (audio.spec_size // stride) ** 2, audio.patch_embeds_hidden_size
    swin = 2.0 * tokens * audio.patch_embed_input_channels * audio.patch_size**2 * dim
    for stage, depth in enumerate(audio.depths):
        ff = int(dim * audio.mlp_ratio)
        swin += depth * layer_flops(tokens, dim, ff, span=min(tokens, audio.window_size**2))
        if stage < len(audio.depths) - 1:  # patch merging: 4*dim -> 2*dim on a quarter of the tokens
            tokens, dim = tokens // 4, dim * 2
            swin += 2.0 * tokens * 4 * dim // 2 * dim
    projections = 2.0 * (text.hidden_size + audio.hidden_size + 2 * c.projection_dim) * c.projection_dim
    return text_flops + swin + projections


def _llava(c: Any, s: int) -> float:
    from accelbench.models.multimodal import llava_image_tokens

    image_tokens = llava_image_tokens(c)
    return _multimodal_lm(c, s, image_tokens, tiles=1)


def _llava_next(c: Any, s: int) -> float:
    from transformers.image_processing_utils import select_best_resolution

    from accelbench.models.multimodal import llava_next_image_tokens

    side = c.vision_config.image_size  # make_inputs sends one square image of the tower's size
    height, width = select_best_resolution((side, side), c.image_grid_pinpoints)
    tiles = (height // side) * (width // side) + 1  # the anyres tiles plus the downscaled whole image
    return _multimodal_lm(c, s, llava_next_image_tokens(c, side, side), tiles=tiles)


def _multimodal_lm(c: Any, s: int, image_tokens: int, tiles: int) -> float:
    vision, text = c.vision_config, c.text_config
    per_tile = (vision.image_size // vision.patch_size) ** 2
    projector = 2.0 * tiles * per_tile * (vision.hidden_size * text.hidden_size + text.hidden_size**2)
    return tiles * vit_tower_flops(vision) + projector + decoder_lm_flops(text, s + image_tokens)


def _detr(c: Any, s: int) -> float:
    side = 64 if c.d_model < 128 else 800  # as detr_inputs makes them
    r = c.backbone_config
    flops = 2.0 * (side // 2) ** 2 * r.num_channels * r.embedding_size * 49  # 7x7 stride-2 stem
    c_in, spatial = r.embedding_size, side // 4
    for stage, (c_out, depth) in enumerate(zip(r.hidden_sizes, r.depths, strict=True)):
        if stage > 0:
            spatial = (spatial + 1) // 2
        for layer in range(depth):
            if r.layer_type == "bottleneck":
                mid = c_out // 4
                flops += 2.0 * spatial**2 * (c_in * mid + 9 * mid * mid + mid * c_out)
            else:
                flops += 2.0 * spatial**2 * 9 * (c_in * c_out + c_out * c_out)
            if layer == 0 and c_in != c_out or (layer == 0 and stage > 0):
                flops += 2.0 * spatial**2 * c_in * c_out  # projection shortcut
            c_in = c_out
    tokens = spatial**2
    flops += 2.0 * tokens * c_in * c.d_model
    flops += c.encoder_layers * layer_flops(tokens, c.d_model, c.encoder_ffn_dim)
    q = c.num_queries
    flops += c.decoder_layers * (
        layer_flops(q, c.d_model, c.decoder_ffn_dim) + cross_attention_flops(q, tokens, c.d_model)
    )
    return flops + 2.0 * q * (c.d_model * (c.num_labels + 1) + 2 * c.d_model**2 + 4 * c.d_model)


def _halve(side: int) -> int:
    """Output side of a stride-2 conv or pool padded to keep `side` / 2 (kernel // 2 padding)."""
    return (side + 1) // 2


def _resnet(c: Any, s: int) -> float:
    from accelbench.models.vision import DEFAULT_IMAGE_SIZE

    side = _halve(getattr(c, "image_size", DEFAULT_IMAGE_SIZE))  # 7x7 stride-2 stem
    flops = 2.0 * side**2 * c.num_channels * c.embedding_size * 49
    side = _halve(side)  # 3x3 stride-2 max pool
    c_in = c.embedding_size
    for stage, (c_out, depth) in enumerate(zip(c.hidden_sizes, c.depths, strict=True)):
        for layer in range(depth):
            stride = 2 if layer == 0 and (stage > 0 or c.downsample_in_first_stage) else 1
            side_in, side = side, _halve(side) if stride == 2 else side
            if c_in != c_out or stride != 1:  # 1x1 projection shortcut
                flops += 2.0 * side**2 * c_in * c_out
            if c.layer_type == "bottleneck":
                mid = c_out // 4
                # the stride sits in the 3x3 conv, or in the first 1x1 with downsample_in_bottleneck
                reduce_side = side if c.downsample_in_bottleneck else side_in
                flops += 2.0 * (reduce_side**2 * c_in * mid + side**2 * (9 * mid * mid + mid * c_out))
            else:
                flops += 2.0 * side**2 * 9 * (c_in * c_out + c_out * c_out)
            c_in = c_out
    return flops + 2.0 * c_in * c.num_labels


def _convnext(c: Any, s: int) -> float:
    side = c.image_size // c.patch_size
    flops = 2.0 * side**2 * c.num_channels * c.hidden_sizes[0] * c.patch_size**2
    c_in = c.hidden_sizes[0]
    for stage, (dim, depth) in enumerate(zip(c.hidden_sizes, c.depths, strict=True)):
        if stage > 0:  # 2x2 stride-2 downsampling conv
            side //= 2
            flops += 2.0 * side**2 * c_in * dim * 4
        # per block: 7x7 depthwise conv, then the dim -> 4 dim -> dim pointwise MLP
        flops += depth * 2.0 * side**2 * (49 * dim + 8 * dim * dim)
        c_in = dim
    return flops + 2.0 * c_in * c.num_labels


FORMULAS = {
    "bert": _bert,
    "t5": _t5,
    "llama": _causal_lm,
    "qwen2": _causal_lm,
    "vit": _vit,
    "clip": _clip,
    "xclip": _xclip,
    "whisper": _whisper,
    "wav2vec2": _wav2vec2,
    "clap": _clap,
    "llava": _llava,
    "llava_next": _llava_next,
    "detr": _detr,
    "gpt2": _gpt2,
    "bart": _bart,
    "resnet": _resnet,
    "convnext": _convnext,
}


def flops_of_config(family: str, config: Any, batch_size: int, sequence_length: int) -> float:
    """FLOPs of one forward pass of `family` built from `config` on the inputs make_inputs gives."""
    return float(batch_size) * FORMULAS[family](config, int(sequence_length))
