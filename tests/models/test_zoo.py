"""Every family builds offline in every tiny size, runs, and gives seeded, correctly shaped inputs."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

torch = pytest.importorskip("torch")

from accelbench.errors import InputError  # noqa: E402
from accelbench.models import build_model, make_inputs  # noqa: E402
from accelbench.models.catalog import FAMILIES  # noqa: E402
from accelbench.models.zoo import SPECS  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def warm_imports():
    # The first build pays for importing transformers (seconds); the < 1 s goal is for the build itself.
    build_model("bert", "tiny")


def test_catalog_matches_zoo():
    assert {f: (s.modality, tuple(s.sizes)) for f, s in SPECS.items()} == FAMILIES
    assert list(SPECS) == list(FAMILIES)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_tiny_builds_fast_and_runs_batches_1_and_2(family):
    start = time.perf_counter()
    built = build_model(family, "tiny")
    build_s = time.perf_counter() - start
    print(f"{family} tiny build: {build_s * 1000:.0f} ms")
    assert build_s < 3.0  # goal < 1 s; generous because the test machine is shared
    assert not built.module.training and built.weights == "random" and built.size == "tiny"
    for batch_size in (1, 2):
        inputs = make_inputs(built, batch_size, 8)
        assert len(inputs) == len(built.input_names)
        with torch.no_grad():
            output = built.module(*inputs)
        assert isinstance(output, torch.Tensor)
        assert output.shape[0] == batch_size
        assert torch.isfinite(output).all()


@pytest.mark.parametrize("family", ["bert", "llava_next"])
def test_seed_fixes_weights_inputs_and_output(family):
    a, b, c = (
        build_model(family, "tiny", seed=1),
        build_model(family, "tiny", seed=1),
        build_model(family, "tiny", seed=2),
    )
    inputs_a, inputs_b = make_inputs(a, 2, 8, seed=5), make_inputs(b, 2, 8, seed=5)
    assert all(torch.equal(x, y) for x, y in zip(inputs_a, inputs_b, strict=True))
    assert not all(torch.equal(x, y) for x, y in zip(inputs_a, make_inputs(a, 2, 8, seed=6), strict=True))
    with torch.no_grad():
        out_a, out_b, out_c = a.module(*inputs_a), b.module(*inputs_b), c.module(*inputs_a)
    assert torch.equal(out_a, out_b)
    assert not torch.equal(out_a, out_c)


def test_building_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    build_model("llama", "tiny", seed=7)
    assert torch.equal(torch.rand(3), expected)


def test_text_shapes_follow_batch_and_sequence_length():
    built = build_model("bert", "tiny")
    ids, mask, types = make_inputs(built, 3, 24)
    assert ids.shape == mask.shape == types.shape == (3, 24)
    assert ids.dtype == torch.long and ids.min() >= 4 and ids.max() < built.config.vocab_size


def test_wav2vec2_waveform_gives_exactly_the_requested_frames():
    built = build_model("wav2vec2", "tiny")
    for frames in (1, 7, 50):
        with torch.no_grad():
            assert built.module(*make_inputs(built, 1, frames)).shape[1] == frames


def test_base_wav2vec2_waveform_is_the_shortest_that_gives_the_frames():
    from accelbench.models.audio import wav2vec2_inputs
    from accelbench.models.zoo import get_config

    (waveform,) = wav2vec2_inputs(get_config("wav2vec2", "base"), 1, 49, torch.Generator()).values()
    assert waveform.shape == (1, 15760)  # (49 - 1) * 320-sample stride + 400-sample receptive field


def test_whisper_base_inputs_are_30_seconds_of_log_mel():
    from accelbench.models.audio import whisper_inputs
    from accelbench.models.zoo import get_config

    inputs = whisper_inputs(get_config("whisper", "base"), 2, 1000, torch.Generator())
    assert inputs["input_features"].shape == (2, 80, 3000)
    assert inputs["decoder_input_ids"].shape == (2, 448)  # capped at max_target_positions
    assert (inputs["decoder_input_ids"][:, 0] == 50258).all()


@pytest.mark.parametrize("family", ["llava", "llava_next"])
def test_image_placeholders_match_the_image_features(family):
    built = build_model(family, "tiny")
    ids = make_inputs(built, 2, 5)[0]
    image_tokens = (ids == built.config.image_token_index).sum(dim=1)
    assert image_tokens.tolist() == [ids.shape[1] - 5] * 2
    with torch.no_grad():  # transformers raises if placeholders and features disagree
        assert built.module(*make_inputs(built, 2, 5)).shape[:2] == ids.shape


def test_llava_next_base_image_token_count_is_the_processors():
    from accelbench.models.multimodal import llava_next_image_tokens
    from accelbench.models.zoo import get_config

    # 336x336 -> best grid 336x672: 576 base + 24x24 unpadded + 24 newlines, as LlavaNextProcessor counts
    assert llava_next_image_tokens(get_config("llava_next", "base"), 336, 336) == 576 + 576 + 24


@pytest.mark.parametrize(
    ("family", "size", "side"),
    [("resnet", "base", 224), ("resnet", "tiny", 64), ("convnext", "base", 224), ("convnext", "tiny", 64)],
)
def test_image_classifiers_take_their_image_size(family, size, side):
    from accelbench.models.zoo import get_config, get_spec

    config = get_config(family, size)
    (pixels,) = get_spec(family).make_inputs(config, 2, 999, torch.Generator()).values()
    assert pixels.shape == (2, 3, side, side)


def test_bart_inputs_are_capped_at_its_learned_positions_and_start_the_decoder():
    from accelbench.models.text import bart_inputs
    from accelbench.models.zoo import get_config

    inputs = bart_inputs(get_config("bart", "base"), 1, 5000, torch.Generator())
    assert {tuple(t.shape) for t in inputs.values()} == {(1, 1024)}
    assert inputs["decoder_input_ids"][0, 0] == 2  # decoder_start_token_id of facebook/bart-base


@pytest.mark.parametrize(("family", "size", "field"), [("gpt9", "tiny", "model"), ("bert", "huge", "size")])
def test_unknown_family_or_size_is_an_input_error(family, size, field):
    with pytest.raises(InputError) as info:
        build_model(family, size)
    assert info.value.field == field


@pytest.mark.parametrize(("batch_size", "sequence_length"), [(0, 8), (1, 0), (-2, 8)])
def test_non_positive_shapes_are_input_errors(batch_size, sequence_length):
    built = build_model("vit", "tiny")
    with pytest.raises(InputError):
        make_inputs(built, batch_size, sequence_length)


def test_importing_the_zoo_does_not_import_torch():
    code = (
        "import sys, accelbench.models, accelbench.models.zoo, accelbench.models.features, "
        "accelbench.models.support; "
        "print([m for m in ('torch', 'transformers', 'psutil') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
