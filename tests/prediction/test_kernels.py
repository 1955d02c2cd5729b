"""Kernel profiles: tracing a forward pass, measuring and pricing kernels, the kernel-time baseline."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from accelbench.errors import InputError
from accelbench.prediction.encoding import Baseline
from accelbench.prediction.kernels.profile import KernelProfile, load_profile

torch = pytest.importorskip("torch")

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def small_profile():
    """A profile of this CPU on the test grid (about a second)."""
    from accelbench.prediction.kernels.measure import SMALL_AXES, measure_profile

    return measure_profile("cpu", 1, SMALL_AXES)


def test_trace_counts_every_operator_and_scales_token_matmuls_with_batch():
    from accelbench.models.structure import model_structure
    from accelbench.models.zoo import get_config
    from accelbench.prediction.kernels.calls import kernel_calls

    one = kernel_calls("bert", "tiny", 1, 32)
    assert one.total == model_structure("bert", "tiny")["operator_calls"]
    two, four = kernel_calls("bert", "tiny", 2, 32), kernel_calls("bert", "tiny", 4, 32)
    assert [2 * m for _, m, _, _ in two.matmuls] == [m for _, m, _, _ in four.matmuls]
    config = get_config("bert", "tiny")
    heads, hidden = config.num_attention_heads, config.hidden_size
    assert two.attention == ((2 * heads, 32, 32, hidden // heads),) * config.num_hidden_layers
    assert not two.convolutions


def test_a_convolutional_network_is_traced_as_convolutions_without_attention():
    from accelbench.prediction.kernels.calls import kernel_calls

    calls = kernel_calls("resnet", "tiny", 2, 32)
    assert len(calls.convolutions) > 5 and not calls.attention
    assert all(out[0] == 2 for _, _, _, out in calls.convolutions)  # every output keeps the batch


def test_a_measured_shape_is_priced_at_its_measured_time(small_profile):
    from accelbench.prediction.kernels.pricing import Pricer

    pricer = Pricer(small_profile)
    for m, k, n, seconds in small_profile.tables["mm"]:
        assert pricer._at(pricer.mm, [(m, k, n)]) == pytest.approx(seconds, rel=1e-6)
    assert small_profile.device == "cpu" and small_profile.threads == 1


def test_more_work_costs_more_and_the_pricing_survives_a_json_round_trip(small_profile, tmp_path):
    from accelbench.prediction.kernels.calls import kernel_calls

    small = small_profile.estimate_ms(kernel_calls("bert", "tiny", 1, 32))
    large = small_profile.estimate_ms(kernel_calls("bert", "tiny", 16, 128))
    assert 0 < small < large
    path = tmp_path / "kernels-test.json"
    small_profile.save(path)
    again = KernelProfile.from_dict(json.loads(path.read_text()), str(path))
    assert again.profile_id == small_profile.profile_id
    assert again.estimate_ms(kernel_calls("bert", "tiny", 16, 128)) == pytest.approx(large, rel=1e-12)


def test_a_profile_serves_the_cpu_and_openvino_rows_of_its_cpu_only(small_profile):
    name = small_profile.device_name
    assert small_profile.matches({"hardware_type": "cpu", "device_name": name})
    assert small_profile.matches({"hardware_type": "openvino", "device_name": name})
    assert not small_profile.matches({"hardware_type": "cuda", "device_name": "NVIDIA H100"})
    assert not small_profile.matches({"hardware_type": "cpu", "device_name": "Another CPU 9000"})


def test_a_broken_profile_file_is_named_with_the_field_at_fault(tmp_path, small_profile):
    bad = tmp_path / "kernels-bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="kernels-bad.json.*not JSON"):
        load_profile(bad)
    data = small_profile.to_dict()
    data["tables"].pop("conv2d")
    partial = tmp_path / "kernels-partial.json"
    partial.write_text(json.dumps(data))
    with pytest.raises(InputError, match="kernels-partial.json.*'tables'.*conv2d"):
        load_profile(partial)


def _row(family: str, batch: int, kernel_ms: float | None, latency: float) -> dict:
    return {
        "model_name": family,
        "hardware_type": "cpu",
        "batch_size": batch,
        "flops_per_inference": 1e9 * batch,
        "kernel_estimate_ms": kernel_ms,
        "latency_median_ms": latency,
    }


def test_the_kernel_baseline_scales_with_the_estimate_and_falls_back_to_flops_without_one():
    rows = [_row("a", 1, 2.0, 3.0), _row("a", 4, 4.0, 6.0), _row("b", 2, 1.0, 1.5)]
    base = Baseline.fit(rows, "latency_ms", "kernels")
    assert base.predict(rows) == pytest.approx([3.0, 6.0, 1.5])  # latency = 1.5 x kernel time
    # a row without an estimate (a device no profile measured) is priced from FLOPs
    no_estimate = _row("c", 2, None, 9.0)
    fallback = Baseline.fit([*rows, no_estimate], "latency_ms", "kernels")
    assert fallback.predict([no_estimate]) == pytest.approx([9.0])
    again = Baseline.from_dict(json.loads(json.dumps(fallback.to_dict())), "latency_ms")
    assert again.predict([*rows, no_estimate]) == pytest.approx(fallback.predict([*rows, no_estimate]))
    # the evaluation's baseline stays proportional to FLOPs
    assert Baseline.fit(rows, "latency_ms").driver == "flops"


@pytest.mark.skipif(not list(REFERENCE.glob("kernels-*.json")), reason="no reference kernel profile")
def test_reference_rows_are_priced_and_a_model_trained_on_them_says_so(monkeypatch):
    from accelbench.prediction.bundle import train_bundle
    from accelbench.prediction.predictor import Predictor
    from accelbench.prediction.query import Query
    from accelbench.prediction.service import training_rows

    files = sorted(REFERENCE.glob("cpu-*-pytorch.parquet"))[:1]  # the pytorch rows of suites/reference.yaml
    rows = training_rows(None, files)
    (profile,) = [load_profile(p) for p in REFERENCE.glob("kernels-*.json")]
    assert all(r["kernel_profile_id"] == profile.profile_id for r in rows)
    assert all(r["kernel_estimate_ms"] > 0 for r in rows)
    bundle = train_bundle(
        rows,
        targets=("latency_ms",),
        hyper={"num_leaves": 7, "min_data_in_leaf": 3, "num_boost_round": 50, "learning_rate": 0.1},
    )
    assert [p.profile_id for p in bundle.kernel_profiles] == [profile.profile_id]
    model = bundle.models["latency_ms"]
    assert model.baseline.driver == "kernels" and "kernel-time baseline" in model.method(False)
    # a configuration never measured (an unmeasured batch size of a family) is priced for the query
    answer = Predictor(bundle).predict(Query("bert", batch_size=5, sequence_length=64))
    assert answer.predicted_value > 0 and math.isfinite(answer.predicted_value)

    # A stored model carries its training shapes' estimates: loaded by a fresh server (empty
    # cache), it answers a trained shape without tracing it again; only new shapes are traced.
    import accelbench.prediction.kernels.calls as calls
    from accelbench.prediction.bundle import ModelBundle
    from accelbench.prediction.kernels import columns

    shapes = {(r["model_name"], r["model_size"], r["batch_size"], r["sequence_length"]) for r in rows}
    assert len(bundle.kernel_estimates) == len(shapes)
    monkeypatch.setattr(columns, "_ESTIMATES", {})
    loaded = Predictor(ModelBundle.from_blobs({1: bundle.blob("latency_ms")}))
    r = rows[0]
    trained = Query(
        r["model_name"], r["model_size"], "cpu", r["batch_size"], r["sequence_length"], r["precision"]
    )

    def no_trace(*args: object) -> None:
        raise RuntimeError("traced")

    with monkeypatch.context() as m:
        m.setattr(calls, "kernel_calls", no_trace)
        assert loaded.predict(trained).predicted_value == pytest.approx(
            Predictor(bundle).predict(trained).predicted_value
        )
        with pytest.raises(RuntimeError, match="traced"):
            loaded.predict(Query("bert", batch_size=7, sequence_length=64))
    # warming up answers a measured shape, a new batch size (a trace) and the trees before serving
    assert loaded.warm_up() > 0
    assert loaded.bundle.models["latency_ms"]._booster is not None
    assert len(columns._ESTIMATES) > len(shapes)


def test_profile_kernels_command_writes_a_loadable_profile_and_refuses_zero_threads(tmp_path):
    from click.testing import CliRunner

    from accelbench.cli.main import cli

    out = tmp_path / "kernels-quick.json"
    bad = CliRunner().invoke(cli, ["predict", "profile-kernels", "--output", str(out), "--threads", "0"])
    assert bad.exit_code == 2 and "threads" in bad.output and not out.exists()
    ok = CliRunner().invoke(cli, ["predict", "profile-kernels", "--output", str(out), "--quick"])
    assert ok.exit_code == 0, ok.output
    profile = load_profile(out)
    assert profile.command.endswith("--quick") and profile.tables["mm"]


def test_threads_tracing_at_once_get_the_same_calls_as_one_at_a_time():
    # the API answers queries from a thread pool; fake-tensor passes must not interleave
    from concurrent.futures import ThreadPoolExecutor

    from accelbench.models.structure import fake_model
    from accelbench.models.zoo import get_config
    from accelbench.prediction.kernels.calls import kernel_calls, record_calls

    kernel_calls.cache_clear()
    sizes = [(b, s) for b in (1, 2, 3, 5, 7, 9) for s in (16, 48)]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda bs: kernel_calls("gpt2", "tiny", *bs), sizes))
    config = get_config("gpt2", "tiny")
    model = fake_model("gpt2", config)
    assert together == [record_calls("gpt2", model, config, b, s) for b, s in sizes]
