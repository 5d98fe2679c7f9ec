"""A line chart for time series, in the style of the eval reports' SVG charts
(offergen/evaluation/svg.py: no script, no inline style, labels escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from offergen.evaluation.svg import PALETTE, WIDTH


def line(title: str, points: Sequence[tuple[str, float]], unit: str = "", series: str = "") -> str:
    """One series over labelled x positions (e.g. hours), the value at each point."""
    height, left, top, bottom = 220, 56, 16, 40
    plot_w, plot_h = WIDTH - left - 20, height - top - bottom
    peak = max((v for _, v in points), default=0.0) or 1.0
    step = plot_w / max(1, len(points) - 1)
    xy = [
        (left + i * step if len(points) > 1 else left + plot_w / 2, top + plot_h * (1 - v / peak))
        for i, (_, v) in enumerate(points)
    ]
    base = top + plot_h
    parts = [
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:,.0f}{escape(unit)}</text>',
        f'<text x="{left - 6}" y="{base}" text-anchor="end">0</text>',
    ]
    if len(xy) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        )
    every = max(1, len(points) // 8)  # at most about 8 x labels
    for i, ((label, value), (x, y)) in enumerate(zip(points, xy, strict=True)):
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {value:,.0f}{escape(unit)}</title></circle>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{base + 14}" text-anchor="middle">{escape(label)}</text>'
            )
    label = escape(title)
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{label}">{"".join(parts)}</svg>'
    )
    note = f' <span class="note">{escape(series)}</span>' if series else ""
    return f'<figure class="chart-box">{svg}<figcaption>{label}{note}</figcaption></figure>'
