"""Artifact cache: reuse, content keys, LRU eviction by size, atomic writes."""

from __future__ import annotations

import time

import pytest

from accelbench.backends import ArtifactCache, artifact_key, get_backend

KIB = 1024


def _writer(n_bytes, calls):
    def build(directory):
        calls.append(directory)
        (directory / "blob.bin").write_bytes(b"x" * n_bytes)

    return build


def test_second_prepare_reuses_the_export(tiny_bert, bert_inputs, tmp_path):
    first = get_backend("onnxruntime").prepare(tiny_bert, "fp32", "cpu", bert_inputs, cache_dir=tmp_path)
    model_file = tmp_path / first.details["artifact_key"] / "model.onnx"
    mtime = model_file.stat().st_mtime_ns
    second = get_backend("onnxruntime").prepare(tiny_bert, "fp32", "cpu", bert_inputs, cache_dir=tmp_path)
    assert (first.details["artifact_cache"], second.details["artifact_cache"]) == ("miss", "hit")
    assert model_file.stat().st_mtime_ns == mtime
    assert ArtifactCache(tmp_path).keys() == [first.details["artifact_key"]]


def test_precisions_share_one_ir_but_batch_sizes_do_not(tiny_bert, model_factory, tmp_path):
    _, inputs_for = model_factory
    backend = get_backend("openvino")
    fp32 = backend.prepare(tiny_bert, "fp32", "cpu", inputs_for(tiny_bert, 1), cache_dir=tmp_path)
    bf16 = backend.prepare(tiny_bert, "bf16", "cpu", inputs_for(tiny_bert, 1), cache_dir=tmp_path)
    other = backend.prepare(tiny_bert, "fp32", "cpu", inputs_for(tiny_bert, 4), cache_dir=tmp_path)
    assert bf16.details["artifact_cache"] == "hit"  # the precision is chosen at compile time
    assert bf16.details["artifact_key"] == fp32.details["artifact_key"]
    assert other.details["artifact_cache"] == "miss"  # shapes are part of the key (see keys.py)


def test_different_weights_get_different_keys(model_factory, tmp_path):
    build_tiny, inputs_for = model_factory
    a, b = build_tiny("bert", seed=0), build_tiny("bert", seed=1)
    backend = get_backend("onnxruntime")
    pa = backend.prepare(a, "fp32", "cpu", inputs_for(a, 1), cache_dir=tmp_path)
    pb = backend.prepare(b, "fp32", "cpu", inputs_for(b, 1), cache_dir=tmp_path)
    assert pb.details["artifact_cache"] == "miss"
    assert pa.details["artifact_key"] != pb.details["artifact_key"]


def test_key_ignores_dict_order():
    assert artifact_key({"a": 1, "b": [1, 2]}) == artifact_key({"b": [1, 2], "a": 1})
    assert artifact_key({"a": 1}) != artifact_key({"a": 2})


def test_hit_does_not_rebuild(tmp_path):
    cache, calls = ArtifactCache(tmp_path), []
    p1 = cache.get_or_create({"m": 1}, _writer(10, calls))
    p2 = cache.get_or_create({"m": 1}, _writer(10, calls))
    assert p1 == p2 and len(calls) == 1 and (cache.builds, cache.hits) == (1, 1)
    assert (p1 / "blob.bin").read_bytes() == b"x" * 10


def test_evicts_least_recently_used_past_the_bound(tmp_path):
    # Bound of 250 KiB, entries of 100 KiB (+ a few bytes of key/used files each).
    cache, calls = ArtifactCache(tmp_path, max_size_gb=250 * KIB / 2**30), []
    a = cache.get_or_create({"m": "a"}, _writer(100 * KIB, calls))
    time.sleep(0.01)
    b = cache.get_or_create({"m": "b"}, _writer(100 * KIB, calls))
    time.sleep(0.01)
    cache.get_or_create({"m": "a"}, _writer(100 * KIB, calls))  # a is now more recent than b
    time.sleep(0.01)
    c = cache.get_or_create({"m": "c"}, _writer(100 * KIB, calls))
    assert set(cache.keys()) == {a.name, c.name}
    assert not b.exists()
    assert cache.size_bytes() <= 250 * KIB
    assert [e["m"] for e in cache.entries()] == ["c", "a"]


def test_entry_larger_than_the_bound_is_kept_for_its_caller(tmp_path):
    cache = ArtifactCache(tmp_path, max_size_gb=1 * KIB / 2**30)
    path = cache.get_or_create({"m": "big"}, _writer(10 * KIB, []))
    assert path.exists()


def test_failed_build_leaves_nothing(tmp_path):
    cache = ArtifactCache(tmp_path)

    def broken(directory):
        (directory / "half.bin").write_bytes(b"x")
        raise RuntimeError("exporter crashed")

    with pytest.raises(RuntimeError, match="exporter crashed"):
        cache.get_or_create({"m": 1}, broken)
    assert list(tmp_path.iterdir()) == [] and cache.keys() == []


def test_default_dir_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCELBENCH_CACHE_DIR", str(tmp_path / "c"))
    assert ArtifactCache().root == tmp_path / "c"


def test_cache_bound_comes_from_the_environment_set_by_run(tmp_path, monkeypatch):
    from accelbench.backends.cache import ArtifactCache

    monkeypatch.setenv("ACCELBENCH_CACHE_SIZE_GB", "0.5")
    assert ArtifactCache(tmp_path).max_size_bytes == 2**29
    assert ArtifactCache(tmp_path, max_size_gb=1).max_size_bytes == 2**30
