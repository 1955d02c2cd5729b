"""Notifications: a real webhook on 127.0.0.1, a command, and secrets that never reach the output."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from accelbench.analysis.notify import load_notify_config
from accelbench.cli.main import cli

SECRET = "s3cr3t-T0KEN"


@pytest.fixture
def webhook():
    """A real HTTP server on loopback that records each POST (path, headers, JSON body)."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def write_config(tmp_path, url, extra=""):
    path = tmp_path / "accelbench.toml"
    path.write_text(
        "[notify]\nmin_severity = 'major'\n"
        f"webhook_url = '{url}/hook/${{HOOK_TOKEN}}'\n"
        "webhook_headers = { Authorization = 'Bearer ${HOOK_TOKEN}' }\n" + extra
    )
    return path


def test_webhook_gets_regressions_and_secret_is_redacted(
    two_runs, store, db_path, tmp_path, webhook, cli_runner, monkeypatch
):
    url, received = webhook
    monkeypatch.setenv("HOOK_TOKEN", SECRET)
    config = write_config(tmp_path, url)
    store.close()
    result = cli_runner.invoke(
        cli,
        ["compare", "--db", str(db_path), "--baseline", "1", "--include-simulated", "--config", str(config)],
    )
    assert result.exit_code == 1
    (post,) = received
    assert post["path"] == f"/hook/{SECRET}" and post["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert post["body"]["regressions"][0]["benchmark"].startswith("bert-tiny") and post["body"]["markdown"]
    assert "notify: webhook 127.0.0.1 answered 204" in result.output
    assert SECRET not in result.output


def test_failing_webhook_error_is_redacted(two_runs, store, tmp_path, monkeypatch):
    from accelbench.analysis.baselines import Baseline
    from accelbench.analysis.notify import notify
    from accelbench.analysis.regressions import compare_runs

    monkeypatch.setenv("HOOK_TOKEN", SECRET)
    # Port 9 on loopback: nothing listens, so the error text would carry the URL if not redacted.
    cfg = load_notify_config(write_config(tmp_path, "http://127.0.0.1:9"))
    report = compare_runs(
        store, two_runs[1], Baseline("run", "run 1", run_id=two_runs[0]), include_simulated=True
    )
    (line,) = notify(cfg, report)
    assert "failed" in line and SECRET not in line


def test_command_gets_the_payload_on_stdin(two_runs, store, tmp_path, monkeypatch):
    from accelbench.analysis.baselines import Baseline
    from accelbench.analysis.notify import notify
    from accelbench.analysis.regressions import compare_runs

    out_file = tmp_path / "payload.json"
    script = f"import sys, pathlib; pathlib.Path({str(out_file)!r}).write_bytes(sys.stdin.buffer.read())"
    path = tmp_path / "accelbench.toml"
    path.write_text(f"[notify]\ncommand = '''{sys.executable} -c \"{script}\"'''\n")
    cfg = load_notify_config(path)
    report = compare_runs(
        store, two_runs[1], Baseline("run", "run 1", run_id=two_runs[0]), include_simulated=True
    )
    assert notify(cfg, report) == ["notify: command exited 0"]
    assert json.loads(out_file.read_text())["event"] == "accelbench.regression"


def test_missing_environment_variable_names_the_field(tmp_path, monkeypatch):
    from accelbench.errors import InputError

    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    with pytest.raises(InputError, match="webhook_url.*HOOK_TOKEN is not set"):
        load_notify_config(write_config(tmp_path, "http://127.0.0.1:1"))


def test_no_config_means_no_notification(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_notify_config() is None
