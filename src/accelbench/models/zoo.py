"""The zoo: build any family x size offline (random weights, or pretrained from a local path) and make inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accelbench.errors import InputError
from accelbench.models import audio, contrastive, decoders, multimodal, text, vision
from accelbench.models.spec import FamilySpec

SPECS: dict[str, FamilySpec] = {
    s.name: s
    for s in (
        *text.SPECS,
        *decoders.SPECS,
        *vision.SPECS,
        *contrastive.SPECS,
        *audio.SPECS,
        *multimodal.SPECS,
    )
}
ORDER = (
    "bert",
    "t5",
    "llama",
    "clip",
    "vit",
    "clap",
    "whisper",
    "wav2vec2",
    "llava",
    "llava_next",
    "xclip",
    "qwen2",
    "detr",
    "gpt2",
    "bart",
    "resnet",
    "convnext",
)
SPECS = {name: SPECS[name] for name in ORDER}

FP32_BYTES = 4
# Building needs the fp32 weights plus transient copies during initialisation and activations for a
# forward pass; 1.5x the weights was enough for every size that fits on the 24 GB development machine.
MEMORY_HEADROOM = 1.5


@dataclass
class BuiltModel:
    """A built model: `module(*inputs)` returns one tensor; weights is "random" or "pretrained"."""

    module: Any
    input_names: list[str]
    family: str
    size: str
    modality: str
    weights: str
    num_parameters: int
    config: Any
    reference_checkpoint: str
    model_path: str | None = None


def get_spec(family: str) -> FamilySpec:
    """The family's spec; InputError naming the known families if there is none."""
    if family not in SPECS:
        raise InputError(
            f"unknown model family '{family}'; expected one of: {', '.join(SPECS)}",
            item=f"model {family}",
            field="model",
        )
    return SPECS[family]


def get_config(family: str, size: str) -> Any:
    """A fresh transformers config for `family` at `size` (InputError for an unknown size)."""
    spec = get_spec(family)
    if size not in spec.sizes:
        raise InputError(
            f"unknown size '{size}' for {family}; expected one of: {', '.join(spec.sizes)}",
            item=f"model {family}",
            field="size",
        )
    return spec.sizes[size].make_config()


def count_parameters_of_config(spec: FamilySpec, config: Any) -> int:
    """Parameters of the model `config` describes, counted on the meta device (nothing is allocated)."""
    import torch

    with torch.device("meta"):
        model = spec.model_cls()(config)
    return sum(p.numel() for p in model.parameters())


def check_fits(family: str, size: str, num_parameters: int, available_bytes: int | None = None) -> None:
    """Raise InputError if fp32 weights x headroom exceed `available_bytes` (default: free host memory)."""
    import psutil

    available = psutil.virtual_memory().available if available_bytes is None else available_bytes
    needed = num_parameters * FP32_BYTES * MEMORY_HEADROOM
    if needed > available:
        smaller = [s for s in get_spec(family).sizes if s != size]
        raise InputError(
            f"{family} {size} has {num_parameters / 1e9:.2f}B parameters and needs about {needed / 1e9:.1f} GB "
            f"to build in fp32 ({FP32_BYTES} bytes x {MEMORY_HEADROOM} headroom), but only "
            f"{available / 1e9:.1f} GB of memory is available; try size {' or '.join(smaller)}",
            item=f"model {family}",
            field="size",
        )


def build_model(family: str, size: str, *, model_path: str | None = None, seed: int = 0) -> BuiltModel:
    """Build `family` at `size` with seeded random weights, or load pretrained weights from a local
    directory or the local Hugging Face cache (`model_path`; never downloads). Refuses, before
    allocating anything, a model whose fp32 weights do not fit in free memory."""
    spec = get_spec(family)
    if model_path is not None:
        from accelbench.models.pretrained import load_pretrained

        return load_pretrained(spec, model_path)
    config = get_config(family, size)
    num_parameters = count_parameters_of_config(spec, config)
    check_fits(family, size, num_parameters)
    model = _random_model(spec, config, seed)
    return finish(spec, model, size=size, weights="random", reference=spec.sizes[size].reference_checkpoint)


def _random_model(spec: FamilySpec, config: Any, seed: int) -> Any:
    import torch

    # fork_rng keeps the caller's global RNG untouched while transformers initialises from it
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return spec.model_cls()(config)


def finish(
    spec: FamilySpec, model: Any, *, size: str, weights: str, reference: str, model_path: str | None = None
) -> BuiltModel:
    """Put `model` in eval mode behind the positional wrapper and describe it."""
    from accelbench.models.wrapper import wrap

    model.eval()
    module = wrap(model, spec.input_names, spec.output, spec.forward_kwargs)
    return BuiltModel(
        module=module,
        input_names=list(spec.input_names),
        family=spec.name,
        size=size,
        modality=spec.modality,
        weights=weights,
        num_parameters=sum(p.numel() for p in model.parameters()),
        config=model.config,
        reference_checkpoint=reference,
        model_path=model_path,
    )


def make_inputs(built: BuiltModel, batch_size: int, sequence_length: int, seed: int = 0) -> tuple[Any, ...]:
    """Seeded inputs for `built`, ordered as `built.input_names`; shapes scale with batch size and
    sequence length as each family's input maker documents (fixed-size images ignore the length)."""
    import torch

    for name, value in (("batch_size", batch_size), ("sequence_length", sequence_length)):
        if not isinstance(value, int) or value < 1:
            raise InputError(
                f"{name} must be a positive integer, got {value!r}", item=f"model {built.family}", field=name
            )
    generator = torch.Generator().manual_seed(seed)
    tensors = get_spec(built.family).make_inputs(built.config, batch_size, sequence_length, generator)
    return tuple(tensors[name] for name in built.input_names)
