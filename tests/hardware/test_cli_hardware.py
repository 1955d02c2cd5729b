"""`accelbench hardware` through the real CLI group."""

from __future__ import annotations

import json

from click.testing import CliRunner

from accelbench.cli.main import cli
from accelbench.hardware import PLATFORMS


def test_hardware_json_parses_with_every_platform():
    result = CliRunner().invoke(cli, ["hardware", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == list(PLATFORMS)
    assert data["cpu"]["available"] is True
    assert all(info["available"] or info["reason"] for info in data.values())


def test_hardware_json_with_specs_includes_the_cpu_formula():
    result = CliRunner().invoke(cli, ["hardware", "--json", "--specs"])
    assert result.exit_code == 0, result.output
    spec = json.loads(result.output)["cpu"]["spec"]
    assert spec["sources"]["memory_bandwidth_gbps"].startswith("unknown")


def test_hardware_table_names_each_platform_and_reason():
    result = CliRunner().invoke(cli, ["hardware"])
    assert result.exit_code == 0, result.output
    for name in PLATFORMS:
        assert name in result.output
    assert "unavailable:" in result.output
