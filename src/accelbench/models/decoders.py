"""Decoder-only language model families: llama, qwen2, gpt2 (configs written out from the reference
checkpoints); one prefill pass over the prompt."""

from __future__ import annotations

from functools import partial
from typing import Any

from accelbench.models.inputs import clamp_length, ones_mask, token_ids
from accelbench.models.spec import FamilySpec, SizeSpec, hf_config

_llama = partial(hf_config, "LlamaConfig")
_qwen2 = partial(hf_config, "Qwen2Config")
_gpt2 = partial(hf_config, "GPT2Config")


def causal_lm_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_ids and attention_mask [B, S] (S capped at max_position_embeddings): one prefill pass."""
    length = clamp_length(sequence_length, config.max_position_embeddings)
    ids = token_ids(generator, batch_size, length, config.vocab_size)
    return {"input_ids": ids, "attention_mask": ones_mask(batch_size, length)}


LLAMA = FamilySpec(
    name="llama",
    modality="text",
    model_class="LlamaForCausalLM",
    output="logits",
    input_names=("input_ids", "attention_mask"),
    make_inputs=causal_lm_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("llama",),
    sizes={
        "tiny": SizeSpec(
            lambda: _llama(
                vocab_size=1000,
                hidden_size=32,
                intermediate_size=64,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                max_position_embeddings=2048,
            ),
            "llama (tiny, random)",
        ),
        # TinyLlama-1.1B: the llama-2 architecture at 1.1B with grouped-query attention
        "small": SizeSpec(
            lambda: _llama(
                vocab_size=32000,
                hidden_size=2048,
                intermediate_size=5632,
                num_hidden_layers=22,
                num_attention_heads=32,
                num_key_value_heads=4,
                max_position_embeddings=2048,
                rms_norm_eps=1e-5,
                tie_word_embeddings=False,
            ),
            "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T",
            1_100_048_384,
        ),
        "base": SizeSpec(
            lambda: _llama(
                vocab_size=32000,
                hidden_size=4096,
                intermediate_size=11008,
                num_hidden_layers=32,
                num_attention_heads=32,
                num_key_value_heads=32,
                max_position_embeddings=4096,
                rms_norm_eps=1e-5,
                tie_word_embeddings=False,
            ),
            "meta-llama/Llama-2-7b-hf",
            6_738_415_616,
        ),
    },
)

QWEN2 = FamilySpec(
    name="qwen2",
    modality="text",
    model_class="Qwen2ForCausalLM",
    output="logits",
    input_names=("input_ids", "attention_mask"),
    make_inputs=causal_lm_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("qwen2",),
    sizes={
        "tiny": SizeSpec(
            lambda: _qwen2(
                vocab_size=1000,
                hidden_size=32,
                intermediate_size=64,
                num_hidden_layers=2,
                num_attention_heads=4,
                num_key_value_heads=2,
                max_position_embeddings=2048,
                tie_word_embeddings=True,
            ),
            "qwen2 (tiny, random)",
        ),
        "small": SizeSpec(
            lambda: _qwen2(
                vocab_size=151936,
                hidden_size=896,
                intermediate_size=4864,
                num_hidden_layers=24,
                num_attention_heads=14,
                num_key_value_heads=2,
                max_position_embeddings=32768,
                rope_theta=1_000_000.0,
                rms_norm_eps=1e-6,
                tie_word_embeddings=True,
            ),
            "Qwen/Qwen2-0.5B",
            494_032_768,
        ),
        "base": SizeSpec(
            lambda: _qwen2(
                vocab_size=152064,
                hidden_size=3584,
                intermediate_size=18944,
                num_hidden_layers=28,
                num_attention_heads=28,
                num_key_value_heads=4,
                max_position_embeddings=32768,
                rope_theta=1_000_000.0,
                rms_norm_eps=1e-6,
                tie_word_embeddings=False,
            ),
            "Qwen/Qwen2-7B",
            7_615_616_512,
        ),
    },
)

GPT2 = FamilySpec(
    name="gpt2",
    modality="text",
    model_class="GPT2LMHeadModel",
    output="logits",
    input_names=("input_ids", "attention_mask"),
    make_inputs=causal_lm_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("gpt2",),
    sizes={
        "tiny": SizeSpec(
            lambda: _gpt2(
                vocab_size=1000,
                n_embd=32,
                n_layer=2,
                n_head=2,
                n_inner=64,
                n_positions=512,
                bos_token_id=0,
                eos_token_id=0,
            ),
            "gpt2 (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _gpt2(
                vocab_size=50257,
                n_embd=768,
                n_layer=12,
                n_head=12,
                n_inner=None,  # 4 x n_embd
                n_positions=1024,
                activation_function="gelu_new",
                tie_word_embeddings=True,
                bos_token_id=50256,
                eos_token_id=50256,
            ),
            "openai-community/gpt2",
            124_439_808,
        ),
    },
)


SPECS = (LLAMA, QWEN2, GPT2)
