"""Gather a run's results and render them as a self-contained HTML page or as markdown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from accelbench.reporting.svg import bar_chart

_TABLE_COLUMNS = [
    ("model_name", "model"),
    ("model_size", "size"),
    ("hardware_type", "hardware"),
    ("backend", "backend"),
    ("precision", "precision"),
    ("batch_size", "batch"),
    ("attempt", "attempt"),
    ("status", "status"),
    ("latency_median_ms", "median ms"),
    ("latency_p95_ms", "p95 ms"),
    ("latency_p99_ms", "p99 ms"),
    ("throughput_items_per_second", "items/s"),
    ("memory_peak_mb", "peak MB"),
    ("max_abs_error", "max abs err"),
    ("iterations", "iterations"),
    ("ci_half_width_percent", "±CI %"),
    ("verdict", "verdict"),
]


@dataclass
class ReportData:
    """Everything a report shows: the run(s), environment, and result rows."""

    run_ids: list[int]
    rows: list[dict[str, Any]]
    environment: dict[str, Any] = field(default_factory=dict)
    generated_at: str = ""

    @property
    def ok_rows(self) -> list[dict[str, Any]]:
        """Rows with figures (status success)."""
        return [
            r for r in self.rows if r.get("status") == "success" and r.get("latency_median_ms") is not None
        ]

    @property
    def latest_ok_rows(self) -> list[dict[str, Any]]:
        """Rows with figures, only the last attempt of each (task, precision, batch size): for charts."""
        latest: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in self.ok_rows:
            key = (r.get("task_name"), r["precision"], r["batch_size"])
            if key not in latest or (r.get("attempt") or 1) > (latest[key].get("attempt") or 1):
                latest[key] = r
        return list(latest.values())

    @property
    def problem_rows(self) -> list[dict[str, Any]]:
        """Rows without figures, with their reasons."""
        return [r for r in self.rows if r.get("status") != "success"]

    @property
    def simulated(self) -> bool:
        """True when any row is simulated."""
        return any(r.get("is_simulated") for r in self.rows)


def build_report_data(store: Any, run_id: int | None = None) -> ReportData:
    """Rows of `run_id` (default: the latest run) with verdicts, plus that run's environment."""
    from accelbench.storage.queries import fetch_results, latest_run_id, run_info

    rid = run_id if run_id is not None else latest_run_id(store)
    rows = fetch_results(store, run=rid) if rid is not None else []
    info = run_info(store, rid) if rid is not None else None
    env = {}
    if info and info.get("metadata"):
        env = json.loads(info["metadata"]).get("environment", {})
    return ReportData(
        run_ids=[rid] if rid is not None else [],
        rows=rows,
        environment=env,
        generated_at=datetime.now().isoformat(timespec="seconds"),
    )


def _label(r: dict[str, Any]) -> str:
    return f"{r['model_name']}-{r['model_size']} {r['backend']} {r['precision']} bs{r['batch_size']}"


def _fmt(v: Any) -> str:
    from accelbench.cli.render import fmt

    return fmt(v)


def render_html(data: ReportData) -> str:
    """A self-contained HTML page: no scripts, no external resources."""
    ok = sorted(
        data.latest_ok_rows,
        key=lambda r: (r["model_name"], r["hardware_type"], r["backend"], r["precision"], r["batch_size"]),
    )
    latency = bar_chart(
        [(_label(r), r["latency_median_ms"], r["hardware_type"]) for r in ok],
        title="Median latency per inference (lower is better)",
        unit="ms",
    )
    throughput = bar_chart(
        [(_label(r), r["throughput_items_per_second"], r["precision"]) for r in ok],
        title="Throughput (higher is better)",
        unit="items/s",
    )
    env = data.environment
    env_rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
        for k, v in [
            ("CPU", env.get("cpu_model")),
            ("cores", env.get("cores_logical")),
            ("memory GB", env.get("memory_gb")),
            ("OS", f"{env.get('os')} {env.get('os_version')}"),
            ("Python", env.get("python")),
            ("versions", ", ".join(f"{k} {v}" for k, v in (env.get("versions") or {}).items() if v)),
            ("git", f"{env.get('git_branch')} {env.get('git_commit')}"),
        ]
        if v
    )
    head = "".join(f"<th>{escape(h)}</th>" for _, h in _TABLE_COLUMNS)
    body = "".join(
        "<tr class='{}'>{}</tr>".format(
            escape(str(r.get("status"))),
            "".join(f"<td>{escape(_fmt(r.get(k)))}</td>" for k, _ in _TABLE_COLUMNS),
        )
        for r in data.rows
    )
    problems = "".join(
        f"<li><b>{escape(_label(r))}</b> on {escape(str(r['hardware_type']))}: "
        f"{escape(str(r['status']))}: {escape(str(r.get('error_message') or ''))}</li>"
        for r in data.problem_rows
    )
    banner = (
        "<p class='sim'>Some figures are <b>simulated</b> (is_simulated = true); see simulation_reason.</p>"
        if data.simulated
        else "<p class='ok'>Every figure on this page was measured.</p>"
    )
    return _PAGE.format(
        title=f"accelbench report: run {', '.join(map(str, data.run_ids)) or '-'}",
        generated=escape(data.generated_at),
        banner=banner,
        env_rows=env_rows,
        n=len(data.rows),
        n_ok=len(ok),
        latency=latency,
        throughput=throughput,
        head=head,
        body=body,
        problems=f"<h2>Without figures</h2><ul>{problems}</ul>" if problems else "",
    )


def render_markdown(data: ReportData) -> str:
    """The same report as a markdown document (tables only)."""
    env = data.environment
    lines = [
        f"# accelbench report: run {', '.join(map(str, data.run_ids)) or '-'}",
        "",
        f"Generated {data.generated_at} on {env.get('cpu_model', '?')} ({env.get('cores_logical', '?')} cores),"
        f" git {env.get('git_commit') or '-'}.",
        "",
        "**Some figures are simulated.**" if data.simulated else "Every figure here was measured.",
        "",
        "| " + " | ".join(h for _, h in _TABLE_COLUMNS) + " |",
        "|" + "---|" * len(_TABLE_COLUMNS),
    ]
    for r in data.rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)) for k, _ in _TABLE_COLUMNS) + " |")
    if data.problem_rows:
        lines += ["", "## Without figures", ""]
        lines += [
            f"- {_label(r)} on {r['hardware_type']}: {r['status']}: {r.get('error_message') or ''}"
            for r in data.problem_rows
        ]
    return "\n".join(lines) + "\n"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; }} th, td {{ border: 1px solid #ddd; padding: 3px 6px; }}
th {{ background: #f3f3f3; text-align: left; }} td {{ text-align: right; }}
tr.failed td, tr.crashed td, tr.timeout td, tr.oom td {{ background: #fde2e2; }}
tr.unsupported td {{ background: #fff6d6; }}
.sim {{ background: #fff3cd; padding: .6em; border: 1px solid #e0c36b; }}
.ok {{ color: #2e6b30; }}
</style></head><body>
<h1>{title}</h1>
<p>Generated {generated}. {n} results; {n_ok} configurations with figures (charts show the last
attempt of each, the table every attempt, re-tests included).</p>
{banner}
<h2>Environment</h2><table>{env_rows}</table>
<h2>Latency</h2>{latency}
<h2>Throughput</h2>{throughput}
<h2>All results</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
{problems}
</body></html>
"""
