"""Pretrained weights from a local directory or the local Hugging Face cache; never over the network."""

from __future__ import annotations

import os
from typing import Any

from accelbench.errors import InputError
from accelbench.models.spec import FamilySpec

# Hyperparameters that decide whether a checkpoint has the architecture of one of the zoo's sizes.
_ARCHITECTURE_KEYS = (
    "hidden_size",
    "d_model",
    "num_hidden_layers",
    "num_layers",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
    "encoder_layers",
    "decoder_layers",
)


def load_pretrained(spec: FamilySpec, model_path: str) -> Any:
    """Load `spec`'s model class from `model_path` (a directory or a model id already in the local HF
    cache). The size reported is the zoo size with the same architecture, else "custom"; the weights
    are "pretrained" only if every parameter came from the checkpoint."""
    from accelbench.models.zoo import check_fits, count_parameters_of_config, finish

    # Belt and braces: local_files_only stops transformers, the variable stops any hub client it calls.
    os.environ["HF_HUB_OFFLINE"] = "1"
    config = _load_config(spec, model_path)
    num_parameters = count_parameters_of_config(spec, config)
    size = infer_size(spec, config, num_parameters)
    check_fits(spec.name, size, num_parameters)
    model, info = spec.model_cls().from_pretrained(
        model_path, config=config, local_files_only=True, output_loading_info=True
    )
    missing = sorted(info.get("missing_keys") or []) + sorted(info.get("mismatched_keys") or [])
    if missing:
        # A model with randomly initialised parts is not "pretrained"; refuse rather than mislabel it.
        raise InputError(
            f"{model_path} lacks weights for {len(missing)} parameters of {spec.model_class} "
            f"(e.g. {', '.join(map(str, missing[:3]))}); they would be random",
            item=f"model {spec.name}",
            field="model_path",
        )
    return finish(
        spec, model, size=size, weights="pretrained", reference=str(model_path), model_path=str(model_path)
    )


def _load_config(spec: FamilySpec, model_path: str) -> Any:
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(model_path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise InputError(
            f"no model at '{model_path}' on this machine (a directory with config.json, or a "
            f"model id already in the local Hugging Face cache; accelbench never downloads): {str(exc).splitlines()[0]}",
            item=f"model {spec.name}",
            field="model_path",
        ) from exc
    if config.model_type not in spec.model_types:
        raise InputError(
            f"'{model_path}' holds a {config.model_type} model, not a {spec.name} model "
            f"(model_type must be one of {', '.join(spec.model_types)})",
            item=f"model {spec.name}",
            field="model_path",
        )
    return config


def infer_size(spec: FamilySpec, config: Any, num_parameters: int) -> str:
    """The zoo size whose architecture `config` has (same parameter count and dimensions), else "custom"."""
    from accelbench.models.zoo import count_parameters_of_config

    for size, size_spec in spec.sizes.items():
        candidate = size_spec.make_config()
        same_dims = all(
            getattr(candidate, key, None) == getattr(config, key, None) for key in _ARCHITECTURE_KEYS
        )
        if same_dims and count_parameters_of_config(spec, candidate) == num_parameters:
            return size
    return "custom"
