"""Audio families: whisper (log-mel features), wav2vec2 (raw waveform), clap (mel features + captions)."""

from __future__ import annotations

from functools import partial
from typing import Any

from accelbench.models.inputs import clamp_length, conv_input_length, normal, ones_mask, token_ids
from accelbench.models.spec import FamilySpec, SizeSpec, hf_config

_whisper = partial(hf_config, "WhisperConfig")
_wav2vec2 = partial(hf_config, "Wav2Vec2Config")


def _clap(text: dict[str, Any], audio: dict[str, Any], **kw: Any) -> Any:
    from transformers import ClapConfig

    return ClapConfig(text_config=text, audio_config=audio, **kw)


def whisper_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_features [B, mel bins, 2 x max_source_positions] (80x3000 = 30 s for real sizes) and
    decoder_input_ids and decoder_attention_mask [B, S] with S capped at max_target_positions."""
    frames = 2 * config.max_source_positions  # the encoder's two convs halve the frames once
    features = normal(generator, batch_size, config.num_mel_bins, frames)
    length = clamp_length(sequence_length, config.max_target_positions)
    decoder = token_ids(generator, batch_size, length, config.vocab_size)
    decoder[:, 0] = config.decoder_start_token_id
    # An explicit decoder mask keeps transformers off its packed-sequence check (torch.diff), which
    # the ONNX exporter cannot translate.
    return {
        "input_features": features,
        "decoder_input_ids": decoder,
        "decoder_attention_mask": ones_mask(batch_size, length),
    }


def wav2vec2_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_values [B, samples]: the shortest waveform that yields exactly S encoder frames (base: a
    320-sample stride and 400-sample receptive field, so S=49 is 15,760 samples, about 1 s at 16 kHz)."""
    samples = conv_input_length(int(sequence_length), tuple(config.conv_kernel), tuple(config.conv_stride))
    return {"input_values": normal(generator, batch_size, samples)}


def clap_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """B captions [B, S<=max positions - 2] and B clips of mel features [B, 1, frames, mel bins]
    (1001 frames = 10 s at 48 kHz for base, as laion/clap-htsat-unfused's feature extractor gives)."""
    text, audio = config.text_config, config.audio_config
    # RoBERTa positions start after the padding index, so two position slots are never usable.
    length = clamp_length(sequence_length, text.max_position_embeddings - 2)
    ids = token_ids(generator, batch_size, length, text.vocab_size)
    frames = 1001 if audio.spec_size >= 256 else audio.spec_size * (audio.spec_size // audio.num_mel_bins)
    features = normal(generator, batch_size, 1, frames, audio.num_mel_bins)
    return {"input_ids": ids, "input_features": features, "attention_mask": ones_mask(batch_size, length)}


WHISPER = FamilySpec(
    name="whisper",
    modality="audio",
    model_class="WhisperModel",
    output="last_hidden_state",
    input_names=("input_features", "decoder_input_ids", "decoder_attention_mask"),
    make_inputs=whisper_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("whisper",),
    sizes={
        # special token ids must sit below vocab_size or the config is rejected
        "tiny": SizeSpec(
            lambda: _whisper(
                vocab_size=100,
                num_mel_bins=80,
                d_model=32,
                encoder_layers=2,
                decoder_layers=2,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                max_source_positions=32,
                max_target_positions=64,
                pad_token_id=0,
                bos_token_id=1,
                eos_token_id=2,
                decoder_start_token_id=3,
                suppress_tokens=[],
                begin_suppress_tokens=[],
            ),
            "whisper (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _whisper(
                vocab_size=51865,
                num_mel_bins=80,
                d_model=384,
                encoder_layers=4,
                decoder_layers=4,
                encoder_attention_heads=6,
                decoder_attention_heads=6,
                encoder_ffn_dim=1536,
                decoder_ffn_dim=1536,
                max_source_positions=1500,
                max_target_positions=448,
                pad_token_id=50257,
                bos_token_id=50257,
                eos_token_id=50257,
                decoder_start_token_id=50258,
            ),
            "openai/whisper-tiny",
            37_760_640,
        ),
    },
)

WAV2VEC2 = FamilySpec(
    name="wav2vec2",
    modality="audio",
    model_class="Wav2Vec2Model",
    output="last_hidden_state",
    input_names=("input_values",),
    make_inputs=wav2vec2_inputs,
    model_types=("wav2vec2",),
    sizes={
        "tiny": SizeSpec(
            lambda: _wav2vec2(
                vocab_size=32,
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=64,
                conv_dim=(32, 32),
                conv_stride=(5, 4),
                conv_kernel=(10, 8),
                num_conv_pos_embeddings=16,
                num_conv_pos_embedding_groups=2,
            ),
            "wav2vec2 (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _wav2vec2(
                vocab_size=32,
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                intermediate_size=3072,
                conv_dim=(512,) * 7,
                conv_stride=(5, 2, 2, 2, 2, 2, 2),
                conv_kernel=(10, 3, 3, 3, 3, 2, 2),
                feat_extract_norm="group",
                do_stable_layer_norm=False,
                num_conv_pos_embeddings=128,
                num_conv_pos_embedding_groups=16,
            ),
            "facebook/wav2vec2-base",
            94_395_552,
        ),
    },
)

CLAP = FamilySpec(
    name="clap",
    modality="audio_text",
    model_class="ClapModel",
    output="logits_per_audio",
    input_names=("input_ids", "input_features", "attention_mask"),
    make_inputs=clap_inputs,
    model_types=("clap",),
    sizes={
        "tiny": SizeSpec(
            lambda: _clap(
                {
                    "vocab_size": 1000,
                    "hidden_size": 32,
                    "num_hidden_layers": 2,
                    "num_attention_heads": 2,
                    "intermediate_size": 64,
                    "max_position_embeddings": 130,
                    "projection_dim": 32,
                },
                {
                    "spec_size": 64,
                    "num_mel_bins": 16,
                    "window_size": 4,
                    "patch_size": 4,
                    "patch_stride": (4, 4),
                    "patch_embeds_hidden_size": 8,
                    "depths": [1, 1],
                    "num_attention_heads": [2, 2],
                    "hidden_size": 16,
                    "projection_dim": 32,
                    "enable_fusion": False,
                },
                projection_dim=32,
            ),
            "clap (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _clap(
                {
                    "vocab_size": 50265,
                    "hidden_size": 768,
                    "num_hidden_layers": 12,
                    "num_attention_heads": 12,
                    "intermediate_size": 3072,
                    "max_position_embeddings": 514,
                    "type_vocab_size": 1,
                    "projection_dim": 512,
                },
                {
                    "spec_size": 256,
                    "num_mel_bins": 64,
                    "window_size": 8,
                    "patch_size": 4,
                    "patch_stride": (4, 4),
                    "patch_embeds_hidden_size": 96,
                    "depths": [2, 2, 6, 2],
                    "num_attention_heads": [4, 8, 16, 32],
                    "hidden_size": 768,
                    "projection_dim": 512,
                    "enable_fusion": False,
                },
                projection_dim=512,
            ),
            "laion/clap-htsat-unfused",
            None,
        ),
    },
)

SPECS = (WHISPER, WAV2VEC2, CLAP)
