"""Inline SVG charts for the HTML reports: drawn here, so a report needs no script library and no
network to show them."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 700
LABEL_W = 170
ROW_H = 22
PALETTE = ("#2f6fb0", "#d9822b", "#3a9d5d", "#b04a5a")


def _svg(height: int, body: str, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{body}</svg>'
    )


def _figure(title: str, svg: str, note: str = "") -> str:
    caption = escape(title) + (f' <span class="note">{escape(note)}</span>' if note else "")
    return f'<figure class="chart-box">{svg}<figcaption>{caption}</figcaption></figure>'


def bars(
    title: str,
    rows: Sequence[tuple[str, float | None, str]],
    series: Sequence[str] = (),
    scale: float = 1.0,
    note: str = "",
) -> str:
    """Horizontal bars, one row per (label, value, text shown after the bar); value None draws
    no bar ("n/a"). With `series`, rows come in groups of len(series), one bar each."""
    per = max(1, len(series))
    groups = [rows[i : i + per] for i in range(0, len(rows), per)]
    legend_h = 20 if series else 0
    height = legend_h + len(groups) * (per * 14 + 10) + 24
    plot_w = WIDTH - LABEL_W - 170  # room for the value text after a full bar
    parts: list[str] = []
    for k, name in enumerate(series):
        x = LABEL_W + k * 120
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="14">{escape(name)}</text>'
        )
    y = legend_h + 6
    for group in groups:
        label = group[0][0]
        label_y = y + per * 7 + 4
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{label_y}" text-anchor="end">{escape(label)}</text>'
        )
        for k, (_, value, shown) in enumerate(group):
            color = PALETTE[k % len(PALETTE)]
            w = 0.0 if value is None or scale <= 0 else max(0.0, min(1.0, value / scale)) * plot_w
            parts.append(
                f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="12" '
                f'fill="{color}">'
                f"<title>{escape(label)}: {escape(shown)}</title></rect>"
                f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 10}" class="value">{escape(shown)}</text>'
            )
            y += 14
        y += 10
    parts.append(
        f'<line x1="{LABEL_W}" y1="{legend_h}" x2="{LABEL_W}" y2="{y}" stroke="#888"/>'
        f'<line x1="{LABEL_W + plot_w}" y1="{legend_h}" x2="{LABEL_W + plot_w}" y2="{y}" '
        'stroke="#ccc" stroke-dasharray="3 3"/>'
    )
    return _figure(title, _svg(height, "".join(parts), title), note)


def columns(title: str, bins: Sequence[tuple[str, int]], note: str = "") -> str:
    """Vertical bars of counts (a histogram), the count above each bar."""
    height, top, bottom = 200, 16, 36
    plot_h = height - top - bottom
    n = max(1, len(bins))
    slot = (WIDTH - 40) / n
    peak = max((c for _, c in bins), default=0) or 1
    base = height - bottom
    parts = [f'<line x1="20" y1="{base}" x2="{WIDTH - 20}" y2="{base}" stroke="#888"/>']
    for i, (label, count) in enumerate(bins):
        h = plot_h * count / peak
        x = 20 + i * slot + slot * 0.15
        w = slot * 0.7
        y, mid = base - h, x + w / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {count}</title></rect>"
            f'<text x="{mid:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="value">{count}</text>'
            f'<text x="{mid:.1f}" y="{base + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    return _figure(title, _svg(height, "".join(parts), title), note)


def histogram(values: Sequence[float], bins: int = 8) -> list[tuple[str, int]]:
    """Equal-width bins over the values' range, labelled by their lower edge."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / width))] += 1
    return [(f"{low + i * width:,.0f}", c) for i, c in enumerate(counts)]
