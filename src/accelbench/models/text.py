"""Text encoder and encoder-decoder families: bert, t5, bart (configs written out from the reference
checkpoints). Decoder-only language models are in decoders.py."""

from __future__ import annotations

from functools import partial
from typing import Any

from accelbench.models.inputs import clamp_length, ones_mask, token_ids
from accelbench.models.spec import FamilySpec, SizeSpec, hf_config

_bert = partial(hf_config, "BertConfig")
_t5 = partial(hf_config, "T5Config")
_bart = partial(hf_config, "BartConfig")


def bert_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """input_ids, attention_mask, token_type_ids [B, S] (S capped at max_position_embeddings)."""
    import torch

    length = clamp_length(sequence_length, config.max_position_embeddings)
    ids = token_ids(generator, batch_size, length, config.vocab_size)
    types = torch.zeros((batch_size, length), dtype=torch.long)
    return {"input_ids": ids, "attention_mask": ones_mask(batch_size, length), "token_type_ids": types}


def t5_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """Encoder ids and mask [B, S]; decoder_input_ids [B, S] starting with decoder_start_token_id."""
    ids = token_ids(generator, batch_size, sequence_length, config.vocab_size)
    decoder = token_ids(generator, batch_size, sequence_length, config.vocab_size)
    decoder[:, 0] = config.decoder_start_token_id
    return {
        "input_ids": ids,
        "attention_mask": ones_mask(batch_size, sequence_length),
        "decoder_input_ids": decoder,
    }


def bart_inputs(config: Any, batch_size: int, sequence_length: int, generator: Any) -> dict[str, Any]:
    """As t5_inputs, with S capped at max_position_embeddings (BART's positions are learned)."""
    return t5_inputs(
        config, batch_size, clamp_length(sequence_length, config.max_position_embeddings), generator
    )


BERT = FamilySpec(
    name="bert",
    modality="text",
    model_class="BertModel",
    output="last_hidden_state",
    input_names=("input_ids", "attention_mask", "token_type_ids"),
    make_inputs=bert_inputs,
    model_types=("bert",),
    sizes={
        "tiny": SizeSpec(
            lambda: _bert(
                vocab_size=1000,
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                intermediate_size=64,
                max_position_embeddings=512,
            ),
            "bert (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _bert(
                vocab_size=30522,
                hidden_size=768,
                num_hidden_layers=12,
                num_attention_heads=12,
                intermediate_size=3072,
                max_position_embeddings=512,
                type_vocab_size=2,
            ),
            "bert-base-uncased",
            109_482_240,
        ),
    },
)

T5 = FamilySpec(
    name="t5",
    modality="text2text",
    model_class="T5Model",
    output="last_hidden_state",
    input_names=("input_ids", "attention_mask", "decoder_input_ids"),
    make_inputs=t5_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("t5",),
    sizes={
        "tiny": SizeSpec(
            lambda: _t5(
                vocab_size=1000,
                d_model=32,
                d_kv=8,
                d_ff=64,
                num_layers=2,
                num_decoder_layers=2,
                num_heads=4,
                decoder_start_token_id=0,
                pad_token_id=0,
                eos_token_id=1,
            ),
            "t5 (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _t5(
                vocab_size=32128,
                d_model=512,
                d_kv=64,
                d_ff=2048,
                num_layers=6,
                num_decoder_layers=6,
                num_heads=8,
                relative_attention_num_buckets=32,
                feed_forward_proj="relu",
                tie_word_embeddings=True,
                decoder_start_token_id=0,
                pad_token_id=0,
                eos_token_id=1,
            ),
            "t5-small",
            60_506_624,
        ),
    },
)

BART = FamilySpec(
    name="bart",
    modality="text2text",
    model_class="BartForConditionalGeneration",
    output="logits",
    input_names=("input_ids", "attention_mask", "decoder_input_ids"),
    make_inputs=bart_inputs,
    forward_kwargs={"use_cache": False},
    model_types=("bart",),
    sizes={
        "tiny": SizeSpec(
            lambda: _bart(
                vocab_size=1000,
                d_model=32,
                encoder_layers=2,
                decoder_layers=2,
                encoder_attention_heads=4,
                decoder_attention_heads=4,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                max_position_embeddings=512,
                pad_token_id=1,
                bos_token_id=0,
                eos_token_id=2,
                decoder_start_token_id=2,
            ),
            "bart (tiny, random)",
        ),
        "base": SizeSpec(
            lambda: _bart(
                vocab_size=50265,
                d_model=768,
                encoder_layers=6,
                decoder_layers=6,
                encoder_attention_heads=12,
                decoder_attention_heads=12,
                encoder_ffn_dim=3072,
                decoder_ffn_dim=3072,
                max_position_embeddings=1024,
                activation_function="gelu",
                scale_embedding=False,
                tie_word_embeddings=True,
                pad_token_id=1,
                bos_token_id=0,
                eos_token_id=2,
                decoder_start_token_id=2,
            ),
            "facebook/bart-base",
            139_420_416,
        ),
    },
)

SPECS = (BERT, T5, BART)
