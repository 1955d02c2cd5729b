"""`accelbench models` lists every family and size with counts, fit and expected support."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytest.importorskip("torch")

from accelbench.cli.main import cli, main  # noqa: E402
from accelbench.models import parameter_count  # noqa: E402
from accelbench.models.catalog import FAMILIES  # noqa: E402


def test_json_lists_every_family_and_size_with_meta_counts():
    result = CliRunner().invoke(cli, ["models", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output[result.output.index("[") :])
    assert [(r["family"], r["size"]) for r in rows] == [
        (f, s) for f, (_, sizes) in FAMILIES.items() for s in sizes
    ]
    by_key = {(r["family"], r["size"]): r for r in rows}
    for (family, size), row in by_key.items():
        assert row["parameters"] == parameter_count(family, size)
        assert set(row["backends"]) == {"pytorch", "onnxruntime", "openvino"}
    assert by_key[("bert", "base")]["reference_checkpoint"] == "bert-base-uncased"
    assert by_key[("llava_next", "base")]["fits_in_memory"] is False  # 139 GB of fp32 weights
    assert by_key[("llava_next", "tiny")]["backends"]["onnxruntime"]["precisions"] == []
    assert "int8" in by_key[("bert", "tiny")]["backends"]["onnxruntime"]["precisions"]


def test_table_shows_counts_references_and_notes():
    result = CliRunner().invoke(cli, ["models", "--family", "bert", "--family", "llava_next"])
    assert result.exit_code == 0, result.output
    assert "bert-base-uncased" in result.output and "109.48M" in result.output and "34.75B" in result.output
    assert "note: llava_next on onnxruntime" in result.output
    assert "t5-small" not in result.output


def test_unknown_family_exits_2_with_one_message(capsys):
    with pytest.raises(SystemExit) as info:
        main(["models", "--family", "gpt9"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown model family 'gpt9'" in err and "Traceback" not in err


def test_expected_support_never_lists_a_precision_a_backend_refuses():
    from accelbench.backends import onnxruntime, openvino, pytorch
    from accelbench.models import expected_precisions

    refused = {
        "pytorch": set(pytorch.UNSUPPORTED_PRECISIONS),
        "onnxruntime": set(onnxruntime._UNSUPPORTED),
        "openvino": set(openvino._UNSUPPORTED),
    }
    for family in FAMILIES:
        for backend, precisions in refused.items():
            assert not precisions & set(expected_precisions(family, backend)), (family, backend)
