"""Real sizes copy their reference checkpoints, and sizes that cannot fit are refused before building."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("torch")

from accelbench.errors import InputError  # noqa: E402
from accelbench.models import build_model, check_fits, parameter_count  # noqa: E402
from accelbench.models.zoo import SPECS  # noqa: E402

# The published counts of the reference checkpoints (model cards / safetensors metadata).
PUBLISHED = [
    (f, size, s.published_parameters)
    for f, spec in SPECS.items()
    for size, s in spec.sizes.items()
    if s.published_parameters
]


def test_the_brief_s_reference_counts_are_the_ones_checked():
    published = {(f, size): n for f, size, n in PUBLISHED}
    assert published[("bert", "base")] == 109_482_240  # bert-base-uncased 109.48M
    assert published[("vit", "base")] == 86_389_248  # vit-base-patch16-224 86.39M
    assert published[("whisper", "base")] == 37_760_640  # whisper-tiny 37.76M
    assert published[("t5", "base")] == 60_506_624  # t5-small 60.5M
    assert published[("wav2vec2", "base")] == 94_395_552  # wav2vec2-base 94.4M
    assert published[("clip", "base")] == 151_277_313  # clip-vit-base-patch32 151.28M
    assert published[("gpt2", "base")] == 124_439_808  # openai-community/gpt2 124M
    assert published[("bart", "base")] == 139_420_416  # facebook/bart-base 139M
    assert published[("resnet", "base")] == 25_557_032  # microsoft/resnet-50 25.6M
    assert published[("convnext", "base")] == 28_589_128  # facebook/convnext-tiny-224 28.6M


@pytest.mark.parametrize(("family", "size", "published"), PUBLISHED)
def test_parameter_count_matches_the_reference_checkpoint(family, size, published):
    counted = parameter_count(family, size)
    print(f"{family} {size}: {counted:,} vs published {published:,}")
    assert abs(counted - published) / published < 0.02


def test_every_size_has_a_parameter_count_ordered_by_size():
    for family, spec in SPECS.items():
        counts = [parameter_count(family, size) for size in spec.sizes]
        assert counts == sorted(counts) and counts[0] < 200_000, family


def test_a_size_that_cannot_fit_is_refused_before_anything_is_allocated():
    import psutil

    rss_before = psutil.Process().memory_info().rss
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        build_model("llava_next", "base")  # 34.75B parameters: 139 GB in fp32
    assert time.perf_counter() - start < 5.0
    assert psutil.Process().memory_info().rss - rss_before < 500e6
    message = str(info.value)
    assert (
        info.value.field == "size" and "34.75B parameters" in message and "try size tiny or small" in message
    )


def test_fit_check_compares_fp32_weights_with_headroom_to_free_memory():
    params = parameter_count("qwen2", "base")  # 7.62B -> 30.5 GB of fp32 weights, 45.7 GB with headroom
    with pytest.raises(InputError, match="qwen2 base has 7.62B parameters and needs about 45.7 GB"):
        check_fits("qwen2", "base", params, available_bytes=24 * 10**9)
    check_fits("qwen2", "base", params, available_bytes=46 * 10**9)
    check_fits("qwen2", "small", parameter_count("qwen2", "small"), available_bytes=24 * 10**9)
