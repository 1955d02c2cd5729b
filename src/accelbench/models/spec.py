"""`FamilySpec`: how one model family is built, what it returns and how its inputs are made (no torch here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# make_inputs(config, batch_size, sequence_length, generator) -> {input name: tensor}
InputMaker = Callable[[Any, int, int, Any], dict[str, Any]]


@dataclass(frozen=True)
class SizeSpec:
    """One size of a family: its config factory, the checkpoint whose architecture it copies, and that
    checkpoint's published parameter count (None where the size copies no checkpoint, e.g. `tiny`)."""

    make_config: Callable[[], Any]
    reference_checkpoint: str
    published_parameters: int | None = None


@dataclass(frozen=True)
class FamilySpec:
    """A model family: transformers model class, the output it returns, its inputs and its sizes."""

    name: str
    modality: str
    model_class: str  # attribute of the `transformers` package, resolved when building
    output: str  # attribute of the model's output object returned by the wrapper
    input_names: tuple[str, ...]
    make_inputs: InputMaker
    sizes: dict[str, SizeSpec]
    # keyword arguments always passed to forward, e.g. use_cache=False so the output is one tensor
    forward_kwargs: dict[str, Any] = field(default_factory=dict)
    # config.model_type values a pretrained directory may have for this family
    model_types: tuple[str, ...] = ()

    def model_cls(self) -> Any:
        """The transformers class (imports transformers)."""
        import transformers

        return getattr(transformers, self.model_class)


def hf_config(class_name: str, **kw: Any) -> Any:
    """transformers.`class_name`(**kw), importing transformers on first use (the zoo's size specs
    build their configs through it, so listing the zoo stays light)."""
    import transformers

    return getattr(transformers, class_name)(**kw)
