"""`ipfs visualize`: one offline HTML file; optionally rendered in Debian's headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from accelbench.cli.main import cli


@pytest.fixture
def stored(db_path, cli_runner):
    out = cli_runner.invoke(
        cli, ["ipfs", "simulate", "--nodes", "150", "--seeds", "2", "--leeches", "15", "--db", str(db_path)]
    )
    assert out.exit_code == 0, out.output
    return db_path


def test_visualize_writes_a_self_contained_file(stored, tmp_path, cli_runner):
    html_path = tmp_path / "network.html"
    out = cli_runner.invoke(
        cli, ["ipfs", "visualize", "--benchmark-id", "1", "--output", str(html_path), "--db", str(stored)]
    )
    assert out.exit_code == 0, out.output
    html = html_path.read_text()
    assert not re.search(r"https?://", html)  # no CDN, no external script, style or font
    assert "<canvas" in html and "(simulated)" in html and '"seed"' in html and '"leech"' in html
    assert html.count('"relay"') > 0


def test_visualize_unknown_benchmark_is_a_user_error(stored, tmp_path, cli_runner):
    out = cli_runner.invoke(
        cli,
        [
            "ipfs",
            "visualize",
            "--benchmark-id",
            "99",
            "--output",
            str(tmp_path / "x.html"),
            "--db",
            str(stored),
        ],
    )
    assert out.exit_code == 2 and "no simulation with benchmark id 99" in out.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.browser
def test_view_renders_in_headless_chromium(stored, tmp_path, cli_runner):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    html_path = tmp_path / "network.html"
    cli_runner.invoke(
        cli, ["ipfs", "visualize", "--benchmark-id", "1", "--output", str(html_path), "--db", str(stored)]
    )
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--virtual-time-budget=2000",
            "--dump-dom",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert 'data-rendered="150"' in dom  # the script ran to its end over all 150 nodes
