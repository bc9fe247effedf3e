"""Horizontal bar charts as inline SVG, shared by the dashboards. Presentation
attributes only (the Content-Security-Policy forbids inline styles); each chart
is described by the data table beside it. Text is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape

WIDTH = 640
LABEL_W = 150
VALUE_W = 70
ROW_H = 28
BAR_H = 16
FILL = "#005eb8"
MARK = "#d5281b"


def bar_svg(
    title: str,
    bars: Sequence[tuple[str, float]],
    *,
    label_id: str,
    marks: Sequence[float] | None = None,
    unit: str = "",
) -> str:
    """Pure: one bar per (label, value); `marks`, if given, draws a reference
    tick per bar (e.g. an expected value) on the same scale."""
    if not bars:
        return ""
    top = max([1.0, *(v for _, v in bars), *(marks or ())])
    plot_w = WIDTH - LABEL_W - VALUE_W
    height = ROW_H * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}; the data table gives '
        f'every value" aria-describedby="{escape(label_id)}" class="ju-bar-chart" '
        'font-family="Arial, sans-serif" font-size="12">'
    ]
    for i, (label, value) in enumerate(bars):
        y = 4 + i * ROW_H
        w = plot_w * value / top
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 3}" text-anchor="end" '
            f'fill="#212b32">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
            f'fill="{FILL}"/>'
            f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 3}" '
            f'fill="#212b32">{value:g}{escape(unit)}</text>'
        )
        if marks is not None:
            mx = LABEL_W + plot_w * marks[i] / top
            parts.append(
                f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{y - 2}" y2="{y + BAR_H + 2}" '
                f'stroke="{MARK}" stroke-width="2" data-line="expected"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
