"""A small standalone SVG of an experiment: per arm, the posterior redemption rate (mean and a
95 % interval) and the probability of being best. Drawn server-side: no script, no network."""

from __future__ import annotations

import math
from html import escape

from offergen.experiments.schemas import ExperimentView

__all__ = ["experiment_svg"]

_W, _LABEL, _ROW, _TOP = 640, 90, 30, 34
_RATE_W, _GAP = 300, 40
_PBEST_X = _LABEL + _RATE_W + _GAP
_PBEST_W = _W - _PBEST_X - 60
_COLOR, _WIN = "#2f6fb0", "#3a9d5d"


def _interval(alpha: float, beta: float) -> tuple[float, float]:
    # Normal approximation of the Beta: enough for a picture, the figures are in the JSON.
    n = alpha + beta
    mean = alpha / n
    sd = math.sqrt(alpha * beta / (n * n * (n + 1)))
    return max(0.0, mean - 1.96 * sd), min(1.0, mean + 1.96 * sd)


def experiment_svg(view: ExperimentView) -> str:
    rows = [(a, _interval(a.alpha, a.beta)) for a in view.arms]
    top = max((hi for _, (_, hi) in rows), default=0.0) or 1.0
    height = _TOP + _ROW * len(rows) + 30
    title = f"experiment {view.id}: {view.verdict.reason}"
    parts = [
        f'<text x="{_LABEL}" y="16" font-weight="bold">redemption rate (95 % interval)</text>',
        f'<text x="{_PBEST_X}" y="16" font-weight="bold">P(best)</text>',
    ]
    for k, (arm, (lo, hi)) in enumerate(rows):
        y = _TOP + k * _ROW
        color = _WIN if view.verdict.winner == arm.variant else _COLOR

        def x(rate: float) -> float:
            return _LABEL + _RATE_W * rate / top

        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 4}" text-anchor="end">variant {arm.variant}</text>'
            f'<line x1="{x(lo):.1f}" y1="{y}" x2="{x(hi):.1f}" y2="{y}" stroke="{color}" '
            f'stroke-width="3"/>'
            f'<circle cx="{x(arm.mean):.1f}" cy="{y}" r="4" fill="{color}">'
            f"<title>variant {arm.variant}: {arm.redemptions}/{arm.sends} redeemed, "
            f"posterior mean {arm.mean:.4%}</title></circle>"
            f'<rect x="{_PBEST_X}" y="{y - 6}" width="{_PBEST_W * arm.p_best:.1f}" height="12" '
            f'fill="{color}"/>'
            f'<text x="{_PBEST_X + _PBEST_W * arm.p_best + 4:.1f}" y="{y + 4}">'
            f"{arm.p_best:.2f}</text>"
        )
    axis_y = _TOP + _ROW * len(rows) - 10
    parts.append(
        f'<line x1="{_LABEL}" y1="{axis_y}" x2="{_LABEL + _RATE_W}" y2="{axis_y}" stroke="#888"/>'
        f'<text x="{_LABEL}" y="{axis_y + 14}">0</text>'
        f'<text x="{_LABEL + _RATE_W}" y="{axis_y + 14}" text-anchor="end">{top:.2%}</text>'
        f'<text x="{_LABEL}" y="{height - 4}" font-size="11">{escape(view.verdict.reason)}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" width="{_W}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif" font-size="12">{"".join(parts)}</svg>'
    )
