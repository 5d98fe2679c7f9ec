"""compare.html of `offergen eval compare`: A and B side by side, the significance of the
pass-rate difference, the figures and every case that differs."""

from __future__ import annotations

from html import escape

from offergen.evaluation import svg
from offergen.evaluation.compare import CaseDiff, Comparison, Side
from offergen.evaluation.html_page import page, pct
from offergen.evaluation.results import Rate


def render(c: Comparison) -> str:
    boot = c.pass_rate
    body = (
        f"<h1>Compare on <code>{escape(c.suite)}</code></h1>"
        f'<p class="muted">{escape(c.suite_file)} · seeds {", ".join(map(str, c.seeds))} · '
        f"{boot.n} cases</p>"
        f'<p class="{"pass" if c.beyond_noise else "muted"}">{escape(c.verdict)}</p>'
        f"{_sides(c.a, c.b)}"
        f'<div class="charts">{_charts(c)}</div>'
        f"<h2>Figures</h2>{_metrics(c)}"
        f"{_cases(c.cases)}"
    )
    return page(f"compare {c.suite}", body)


def _sides(a: Side, b: Side) -> str:
    def cell(s: Side) -> str:
        r = s.run
        templates = ", ".join(f"{escape(t)} ({escape(v)})" for t, v in r.templates.items())
        return (
            f"<b>{escape(s.label)}</b><br>template {templates or 'n/a'}<br>"
            f"profile {escape(r.config.profile)}, model {escape(r.model_id or 'n/a')} on "
            f"{escape(r.backend or 'n/a')}<br>pass rate {pct(r.summary.pass_rate)}; per seed "
            f"{', '.join(pct(x) for x in s.seed_pass_rates)}"
        )

    return (
        f"<table><tr><th>A</th><th>B</th></tr><tr><td>{cell(a)}</td><td>{cell(b)}</td></tr></table>"
    )


def _charts(c: Comparison) -> str:
    sa, sb = c.a.run.summary, c.b.run.summary
    series = (f"A: {c.a.label}", f"B: {c.b.label}")
    return svg.bars(
        "Pass rate per assertion", _paired(sa.assertions, sb.assertions), series=series
    ) + svg.bars("Pass rate per channel", _paired(sa.channels, sb.channels), series=series)


def _paired(a: dict[str, Rate], b: dict[str, Rate]) -> list[tuple[str, float | None, str]]:
    """Rows for a two-series bar chart: each key's rate on A, then on B."""
    rows: list[tuple[str, float | None, str]] = []
    for key in sorted(set(a) | set(b)):
        for side in (a, b):
            rate = side[key].rate if key in side else None
            rows.append((key, rate, pct(rate)))
    return rows


def _metrics(c: Comparison) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(m.metric)}</code></td><td>{_num(m.a)}</td><td>{_num(m.b)}</td>"
        f"<td>{_num(m.delta, signed=True)}</td></tr>"
        for m in c.metrics
    )
    return f"<table><tr><th>metric</th><th>A</th><th>B</th><th>B - A</th></tr>{rows}</table>"


def _num(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.4g}" if signed else f"{x:.4g}"


def _cases(cases: list[CaseDiff]) -> str:
    changed = [d for d in cases if d.changed]
    rows = "".join(
        f"<tr><td>{escape(d.id)}</td><td>{pct(d.a_pass_rate)}</td><td>{pct(d.b_pass_rate)}</td>"
        f"<td>{escape(', '.join(d.a_failed))}</td><td>{escape(', '.join(d.b_failed))}</td>"
        f'<td><div class="copy">{escape(d.a_text or "")}</div></td>'
        f'<td><div class="copy">{escape(d.b_text or "")}</div></td></tr>'
        for d in changed
    )
    head = (
        "<tr><th>case</th><th>A pass</th><th>B pass</th><th>A failed</th><th>B failed</th>"
        "<th>A copy</th><th>B copy</th></tr>"
    )
    same = len(cases) - len(changed)
    return f"<h2>Cases that differ ({len(changed)}; {same} alike)</h2>" + (
        f"<table>{head}{rows}</table>" if changed else "<p>None.</p>"
    )
