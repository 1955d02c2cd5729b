"""Reports of stored results: a self-contained HTML page (inline SVG charts) and markdown."""

from accelbench.reporting.build import build_report_data, render_html, render_markdown

__all__ = ["build_report_data", "render_html", "render_markdown"]
