"""Regression notifications: a webhook (POST JSON) and/or a command, set in accelbench.toml's [notify].

    [notify]
    min_severity = "major"                       # minor | major | critical
    webhook_url = "https://hooks.example.com/${HOOK_TOKEN}"
    webhook_headers = { Authorization = "Bearer ${API_TOKEN}" }
    command = "scripts/page-oncall.sh"            # gets the JSON payload on stdin
    timeout_s = 10

`${VAR}` is read from the environment. Every expanded value is a secret: it is replaced by `***`
in anything this module returns or raises, so it never reaches logs or output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accelbench.analysis.regressions import SEVERITIES, CompareReport
from accelbench.analysis.summaries import summary_line, to_markdown
from accelbench.errors import InputError

DEFAULT_CONFIG = "accelbench.toml"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class NotifyConfig:
    """Where to send regressions; `secrets` are the expanded environment values to redact."""

    min_severity: str = "minor"
    webhook_url: str | None = None
    webhook_headers: dict[str, str] = field(default_factory=dict)
    command: str | None = None
    timeout_s: float = 10.0
    secrets: list[str] = field(default_factory=list)

    def redact(self, text: str) -> str:
        """`text` with every secret (and its URL-encoded form) replaced by ***."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret)}:
                text = text.replace(form, "***")
        return text


def load_notify_config(path: str | Path | None = None) -> NotifyConfig | None:
    """Read [notify] from `path` (default ./accelbench.toml when it exists); None when not configured."""
    import tomllib

    file = Path(path) if path else Path(DEFAULT_CONFIG)
    if not file.exists():
        if path:
            raise InputError("no such config file", file=str(file))
        return None
    try:
        section = tomllib.loads(file.read_text()).get("notify")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(file)) from None
    if not section:
        return None
    cfg = NotifyConfig()
    unknown = set(section) - {"min_severity", "webhook_url", "webhook_headers", "command", "timeout_s"}
    if unknown:
        raise InputError(
            f"unknown keys {sorted(unknown)}", file=str(file), item="[notify]", field=sorted(unknown)[0]
        )
    if section.get("min_severity", "minor") not in SEVERITIES:
        raise InputError(
            f"expected one of {list(SEVERITIES)}", file=str(file), item="[notify]", field="min_severity"
        )
    cfg.min_severity = section.get("min_severity", "minor")
    cfg.timeout_s = float(section.get("timeout_s", 10))
    cfg.webhook_url = _expand(section.get("webhook_url"), cfg, file, "webhook_url")
    cfg.command = _expand(section.get("command"), cfg, file, "command")
    headers = section.get("webhook_headers") or {}
    cfg.webhook_headers = {
        k: _expand(str(v), cfg, file, f"webhook_headers.{k}") or "" for k, v in headers.items()
    }
    return cfg


def _expand(value: str | None, cfg: NotifyConfig, file: Path, field_name: str) -> str | None:
    if value is None:
        return None

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InputError(
                f"environment variable {name} is not set", file=str(file), item="[notify]", field=field_name
            )
        if os.environ[name]:
            cfg.secrets.append(os.environ[name])
        return os.environ[name]

    return _VAR.sub(sub, str(value))


def build_payload(report: CompareReport) -> dict[str, Any]:
    """The JSON body sent to the webhook and the command: summary, regressions, markdown."""
    return {
        "event": "accelbench.regression",
        "summary": summary_line(report),
        "current_run_id": report.current_run_id,
        "baseline": report.baseline,
        "regressions": [
            {
                "benchmark": c.label,
                "severity": c.severity,
                "change": c.change,
                "p_value": c.p_value,
                "status": c.status,
                "current_result_id": c.current_result_id,
            }
            for c in report.regressions
        ],
        "markdown": to_markdown(report),
    }


def notify(cfg: NotifyConfig, report: CompareReport) -> list[str]:
    """Send the regressions at or above cfg.min_severity; returns one redacted line per channel used."""
    if not report.fails(cfg.min_severity):
        return []
    body = json.dumps(build_payload(report), default=str).encode()
    messages = []
    if cfg.webhook_url:
        messages.append(cfg.redact(_post(cfg, body)))
    if cfg.command:
        messages.append(cfg.redact(_run_command(cfg, body)))
    return messages


def _post(cfg: NotifyConfig, body: bytes) -> str:
    assert cfg.webhook_url is not None
    request = urllib.request.Request(
        cfg.webhook_url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **cfg.webhook_headers},
    )
    host = urllib.parse.urlsplit(cfg.webhook_url).hostname
    try:
        with urllib.request.urlopen(request, timeout=cfg.timeout_s) as response:
            return f"notify: webhook {host} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"notify: webhook {host} failed: HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"notify: webhook {host} failed: {exc}"


def _run_command(cfg: NotifyConfig, body: bytes) -> str:
    assert cfg.command is not None
    try:
        done = subprocess.run(
            shlex.split(cfg.command), input=body, capture_output=True, timeout=cfg.timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"notify: command failed: {exc}"
    tail = done.stderr.decode(errors="replace").strip()[-300:]
    return f"notify: command exited {done.returncode}" + (f": {tail}" if done.returncode and tail else "")
