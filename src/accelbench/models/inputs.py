"""Seeded synthetic inputs shared by the families: token ids, masks, pixels, audio."""

from __future__ import annotations

from typing import Any

# Token ids are drawn above the usual special ids (pad/bos/eos/unk sit at 0..3 in most vocabularies)
# so a random sequence never contains an early end-of-sequence or an image placeholder by accident.
FIRST_ORDINARY_TOKEN = 4


def token_ids(
    generator: Any, batch_size: int, length: int, vocab_size: int, exclude_from: int | None = None
) -> Any:
    """int64 [batch_size, length] ids in [4, vocab_size) (or [4, exclude_from) to avoid special ids)."""
    import torch

    high = vocab_size if exclude_from is None else min(vocab_size, exclude_from)
    return torch.randint(
        FIRST_ORDINARY_TOKEN, high, (batch_size, length), generator=generator, dtype=torch.long
    )


def ones_mask(batch_size: int, length: int) -> Any:
    """int64 [batch_size, length] attention mask of ones (no padding: every sample is full length)."""
    import torch

    return torch.ones((batch_size, length), dtype=torch.long)


def normal(generator: Any, *shape: int) -> Any:
    """float32 tensor of `shape` from N(0, 1): stands in for normalised pixels or features."""
    import torch

    return torch.randn(*shape, generator=generator, dtype=torch.float32)


def clamp_length(sequence_length: int, maximum: int) -> int:
    """`sequence_length` limited to what the model's position table allows."""
    return max(1, min(int(sequence_length), int(maximum)))


def conv_input_length(output_frames: int, kernels: tuple[int, ...], strides: tuple[int, ...]) -> int:
    """Samples a stack of unpadded 1-D convs needs to produce exactly `output_frames` frames."""
    length = output_frames
    for kernel, stride in reversed(list(zip(kernels, strides, strict=True))):
        length = (length - 1) * stride + kernel
    return length
