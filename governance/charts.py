"""Charts drawn on the server as SVG (no script, no CDN); every chart comes with a text or
table alternative in its template."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def line_chart(
    points: Sequence[tuple[str, Decimal | float | None]],
    *,
    threshold: float | None = None,
    title: str,
    width: int = 560,
    height: int = 180,
) -> SafeString:
    """A 0–100 line chart with an optional dashed threshold line."""
    pad_left, pad_bottom, pad_top, pad_right = 34, 22, 10, 10
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    values = [(label, float(v)) for label, v in points if v is not None]

    def y(v: float) -> float:
        return pad_top + plot_h * (1 - v / 100)

    def x(i: int) -> float:
        return pad_left + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 50, 100):
        parts.append(f'<line x1="{pad_left}" x2="{width - pad_right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e4e8ec"/>')
        parts.append(f'<text x="{pad_left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>')
    if threshold is not None:
        ty = y(threshold)
        parts.append(
            f'<line x1="{pad_left}" x2="{width - pad_right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#8a5a00" stroke-dasharray="5 4"/>'
            f'<text x="{width - pad_right}" y="{ty - 4:.1f}" text-anchor="end">threshold {threshold:g}</text>'
        )
    if values:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(values))
        parts.append(f'<path d="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
        for i, (label, v) in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#1f5fbf"><title>{escape(label)}: {v:g}</title></circle>')
        parts.append(f'<text x="{pad_left}" y="{height - 4}">{escape(values[0][0])}</text>')
        if len(values) > 1:
            parts.append(f'<text x="{width - pad_right}" y="{height - 4}" text-anchor="end">{escape(values[-1][0])}</text>')
    else:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">No assessments yet</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
