"""Charts drawn on the server as SVG (no script, no CDN); every chart comes with a text or
table alternative in its template."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
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


def _svg(title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]


def bar_chart(bars: Sequence[tuple[str, int]], *, title: str, width: int = 300, bar_height: int = 22, color: str = "#1f5fbf") -> SafeString:
    """Horizontal bars with the label on the left and the value at the end of each bar."""
    label_w, gap = 70, 6
    height = max(1, len(bars)) * (bar_height + gap) + gap
    top = max([v for _, v in bars] or [0]) or 1
    plot_w = width - label_w - 40
    parts = _svg(title, width, height)
    for i, (label, value) in enumerate(bars):
        y = gap + i * (bar_height + gap)
        w = plot_w * value / top
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="3" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def funnel_chart(stages: Sequence[tuple[str, int]], *, title: str, width: int = 560, step_height: int = 34) -> SafeString:
    """A funnel: one centred band per stage, its width proportional to its count."""
    gap = 4
    height = max(1, len(stages)) * (step_height + gap)
    top = max([v for _, v in stages] or [0]) or 1
    min_w, max_w = 200, width - 20
    parts = _svg(title, width, height)
    shades = ["#163f7f", "#1b4a93", "#2056a8", "#2460b8", "#2a68c2"]  # all dark enough for white text
    for i, (label, value) in enumerate(stages):
        w = min_w + (max_w - min_w) * value / top
        x, y = (width - w) / 2, i * (step_height + gap)
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{step_height}" rx="4" fill="{shades[i % len(shades)]}"/>')
        text = f"{escape(label)}: {value}"
        parts.append(f'<text x="{width / 2}" y="{y + step_height * 0.65:.1f}" text-anchor="middle" class="on-dark">{text}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def timeline_strip(
    rows: Sequence[tuple[str, date | None, date | None, date | None, date | None]], *, today: date, title: str, width: int = 720
) -> SafeString:
    """Planned against actual dates per phase: a light bar for the plan, a dark one for what
    happened (open-ended phases run to today), and a line at today."""
    label_w, row_h, pad = 110, 30, 40
    dates = [d for row in rows for d in row[1:] if d] + [today]
    start, end = min(dates), max(dates)
    span = max((end - start).days, 1)
    plot_w = width - label_w - 16
    height = len(rows) * row_h + pad

    def x(d: date) -> float:
        return label_w + plot_w * (d - start).days / span

    parts = _svg(title, width, height)
    for i, (label, planned_start, planned_end, actual_start, actual_end) in enumerate(rows):
        y = i * row_h + 4
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        if planned_start and planned_end:
            parts.append(
                f'<rect x="{x(planned_start):.1f}" y="{y}" width="{max(x(planned_end) - x(planned_start), 2):.1f}" height="10" '
                f'rx="2" fill="#c9d7ee"><title>{escape(label)} planned {planned_start:%d %b} – {planned_end:%d %b %Y}</title></rect>'
            )
        if actual_start:
            finish = actual_end or today
            parts.append(
                f'<rect x="{x(actual_start):.1f}" y="{y + 12}" width="{max(x(finish) - x(actual_start), 2):.1f}" height="10" '
                f'rx="2" fill="#1f5fbf"><title>{escape(label)} actual {actual_start:%d %b} – '
                f"{'now' if actual_end is None else f'{actual_end:%d %b %Y}'}</title></rect>"
            )
    tx = x(today)
    parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="0" y2="{height - pad + 4}" stroke="#8a5a00" stroke-dasharray="4 3"/>')
    anchor = "start" if tx < label_w + 60 else "end" if tx > width - 60 else "middle"
    parts.append(f'<text x="{tx + (4 if anchor == "start" else 0):.1f}" y="{height - pad + 16}" text-anchor="{anchor}">today</text>')
    parts.append(f'<text x="{label_w}" y="{height - 4}">{start:%d %b %Y}</text>')
    parts.append(f'<text x="{width - 16}" y="{height - 4}" text-anchor="end">{end:%d %b %Y}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
