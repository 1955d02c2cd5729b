"""Names of the model families and sizes, importable without torch (used to validate suites)."""

from __future__ import annotations

# family -> (modality, sizes). The builders live in accelbench.models.zoo; this table is what a
# suite file is validated against, so it must stay in step with the zoo (a test checks that).
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "bert": ("text", ("tiny", "base")),
    "t5": ("text2text", ("tiny", "base")),
    "llama": ("text", ("tiny", "small", "base")),
    "clip": ("vision_text", ("tiny", "base")),
    "vit": ("vision", ("tiny", "base")),
    "clap": ("audio_text", ("tiny", "base")),
    "whisper": ("audio", ("tiny", "base")),
    "wav2vec2": ("audio", ("tiny", "base")),
    "llava": ("vision_text", ("tiny", "small", "base")),
    "llava_next": ("vision_text", ("tiny", "small", "base")),
    "xclip": ("video_text", ("tiny", "base")),
    "qwen2": ("text", ("tiny", "small", "base")),
    "detr": ("vision", ("tiny", "base")),
    "gpt2": ("text", ("tiny", "base")),
    "bart": ("text2text", ("tiny", "base")),
    "resnet": ("vision", ("tiny", "base")),
    "convnext": ("vision", ("tiny", "base")),
}

PRECISIONS = ("fp32", "fp16", "bf16", "int8", "int4", "int2")
PRECISION_BITS = {"fp32": 32, "fp16": 16, "bf16": 16, "int8": 8, "int4": 4, "int2": 2}


def family_names() -> list[str]:
    """All model family names, in the plan's order."""
    return list(FAMILIES)


def sizes_of(family: str) -> tuple[str, ...]:
    """Sizes defined for `family` (KeyError if the family is unknown)."""
    return FAMILIES[family][1]
