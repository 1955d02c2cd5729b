"""Text forms of a CompareReport: markdown for a pull-request comment, rows for a terminal table."""

from __future__ import annotations

from typing import Any

from accelbench.analysis.regressions import CompareReport, Comparison

_ICON = {
    "regression": "🔴",
    "failed": "❌",
    "improvement": "🟢",
    "unchanged": "⚪",
    "insufficient_data": "❔",
}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def comparison_row(c: Comparison) -> dict[str, str]:
    """One comparison as display strings (medians in ms, change in %)."""
    return {
        "benchmark": c.label,
        "baseline ms": _ms(c.baseline_median_ms),
        "current ms": _ms(c.current_median_ms),
        "change": _pct(c.change),
        "p-value": _p(c.p_value),
        "status": c.status + (f" ({c.severity})" if c.severity else ""),
        "samples": f"{c.baseline_samples}/{c.current_samples}",
        "notes": "; ".join(c.notes),
    }


def summary_line(report: CompareReport) -> str:
    """'2 regressions (1 critical), 1 improvement, 10 unchanged of 13 matched'."""
    regs = report.regressions
    worst = {s: sum(1 for c in regs if c.severity == s) for s in ("critical", "major", "minor")}
    detail = ", ".join(f"{n} {s}" for s, n in worst.items() if n)
    unchanged = sum(1 for c in report.comparisons if c.status == "unchanged")
    return (
        f"{len(regs)} regression{'s' if len(regs) != 1 else ''}{f' ({detail})' if detail else ''},"
        f" {len(report.improvements)} improvement{'s' if len(report.improvements) != 1 else ''},"
        f" {unchanged} unchanged of {len(report.comparisons)} matched"
        f" ({len(report.unmatched_result_ids)} without a baseline)"
    )


def to_markdown(report: CompareReport, *, max_rows: int = 50) -> str:
    """GitHub-flavoured markdown: a headline, the regressions and improvements, the rest folded."""
    lines = [
        f"### accelbench: run {report.current_run_id} vs {report.baseline}",
        "",
        f"**{summary_line(report)}** — threshold {report.threshold:.0%} on the median,"
        f" Mann-Whitney U at α = {report.alpha:g}.",
        "",
    ]
    notable = [c for c in report.comparisons if c.status in ("regression", "failed", "improvement")]
    rest = [c for c in report.comparisons if c not in notable]
    if notable:
        lines += _md_table(notable[:max_rows])
        if len(notable) > max_rows:
            lines.append(f"... and {len(notable) - max_rows} more")
    else:
        lines.append("No significant change.")
    if rest:
        lines += ["", f"<details><summary>{len(rest)} without a significant change</summary>", ""]
        lines += _md_table(rest[:max_rows])
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _md_table(comparisons: list[Comparison]) -> list[str]:
    cols = ["benchmark", "baseline ms", "current ms", "change", "p-value", "status", "samples"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for c in comparisons:
        row = comparison_row(c)
        row["status"] = f"{_ICON.get(c.status, '')} {row['status']}"
        out.append("| " + " | ".join(row[k].replace("|", "\\|") for k in cols) + " |")
    return out


def print_table(report: CompareReport) -> None:
    """Print the comparison as a rich table to the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Run {report.current_run_id} vs {report.baseline}", header_style="bold")
    rows: list[dict[str, Any]] = [comparison_row(c) for c in report.comparisons]
    for col in rows[0] if rows else ["benchmark", "status"]:
        table.add_column(col, overflow="fold")
    styles = {"regression": "red", "failed": "red", "improvement": "green"}
    for c, row in zip(report.comparisons, rows, strict=True):
        table.add_row(*row.values(), style=styles.get(c.status))
    console.print(table)
    console.print(summary_line(report))
