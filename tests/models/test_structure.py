"""Operator and module counts: they grow with depth, match a real forward pass, are cached, stay lazy."""

from __future__ import annotations

import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from accelbench.models import build_model  # noqa: E402
from accelbench.models.structure import (  # noqa: E402
    count_operator_calls,
    model_structure,
    structure_of_config,
)
from accelbench.models.zoo import get_config  # noqa: E402


def _bert(layers: int) -> dict:
    config = get_config("bert", "tiny")
    config.num_hidden_layers = layers
    return structure_of_config("bert", config)


def test_every_layer_adds_the_same_operators_and_modules():
    two, three, five = _bert(2), _bert(3), _bert(5)
    per_layer = three["operator_calls"] - two["operator_calls"]
    assert per_layer > 10  # attention + MLP + norms: dozens of operator calls
    assert five["operator_calls"] - two["operator_calls"] == 3 * per_layer
    assert five["leaf_modules"] - two["leaf_modules"] == 3 * (three["leaf_modules"] - two["leaf_modules"]) > 0


def test_meta_count_equals_the_count_of_a_real_forward_pass():
    built = build_model("bert", "tiny")
    real = count_operator_calls("bert", built.module.model, built.config)
    assert model_structure("bert", "tiny")["operator_calls"] == real


def test_larger_size_of_a_family_has_more_operator_calls():
    assert model_structure("t5", "base")["operator_calls"] > model_structure("t5", "tiny")["operator_calls"]


def test_counts_are_cached_per_family_and_size():
    model_structure.cache_clear()
    first = model_structure("vit", "tiny")
    assert model_structure("vit", "tiny") is first
    assert model_structure.cache_info().hits == 1


def test_importing_the_feature_code_does_not_import_torch():
    code = (
        "import sys, accelbench, accelbench.models.structure, accelbench.prediction.features, "
        "accelbench.prediction.dataset; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_conv_flop_share_says_what_an_image_model_is_made_of():
    # a CNN spends its FLOPs in convolutions, a text transformer none, a ViT only in its patch embedding
    assert model_structure("resnet", "tiny")["conv_flop_share"] > 0.99
    assert model_structure("bert", "tiny")["conv_flop_share"] == 0.0
    vit = model_structure("vit", "tiny")["conv_flop_share"]
    assert 0.0 < vit < 0.5
    # the wider ViT's matrix products outgrow its patch embedding
    assert model_structure("vit", "base")["conv_flop_share"] < vit


def test_reference_data_carries_the_conv_share_the_zoo_computes():
    import glob
    from pathlib import Path

    pq = pytest.importorskip("pyarrow.parquet")
    files = sorted(glob.glob(str(Path(__file__).parents[2] / "data" / "reference" / "*.parquet")))
    assert files
    for f in files:
        table = pq.read_table(f, columns=["model_name", "model_size", "conv_flop_share"]).to_pylist()
        for name, size, share in {(r["model_name"], r["model_size"], r["conv_flop_share"]) for r in table}:
            expected = model_structure(name, size)["conv_flop_share"]
            assert share == pytest.approx(expected), (f, name, size)
