"""Minimal inline-SVG bar charts: no JavaScript, no network, readable in any browser or mail client."""

from __future__ import annotations

from html import escape

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]


def bar_chart(items: list[tuple[str, float, str]], *, title: str, unit: str, width_px: int = 760) -> str:
    """Horizontal bars: items are (label, value, series) and the series picks the colour."""
    if not items:
        return ""
    series = sorted({s for _, _, s in items})
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    label_w, bar_h, gap = 300, 18, 4
    plot_w = width_px - label_w - 130
    vmax = max(v for _, v, _ in items) or 1.0
    height = 40 + len(items) * (bar_h + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_px}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="12">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>',
    ]
    for i, (label, value, s) in enumerate(items):
        y = 30 + i * (bar_h + gap)
        w = max(1.0, plot_w * value / vmax)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour[s]}">'
            f"<title>{escape(label)}: {value:.4g} {escape(unit)}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_number(value)} {escape(unit)}</text>')
    ly = 30 + len(items) * (bar_h + gap) + 8
    x = 0
    for s in series:
        parts.append(
            f'<rect x="{x}" y="{ly}" width="10" height="10" fill="{colour[s]}"/>'
            f'<text x="{x + 14}" y="{ly + 9}">{escape(s)}</text>'
        )
        x += 24 + 7 * len(s)
    parts.append("</svg>")
    return "\n".join(parts)


def _number(value: float) -> str:
    """3 significant figures, with thousands separators instead of exponents."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
