"""report.html of `offergen eval run`: one self-contained page per suite run, with the charts
(pass rate per check and per channel, attempts, latency, guard precision/recall), results by
OWASP LLM Top 10 id where cases are tagged, the failures with their offending spans highlighted,
and the exact prompt of each failing case."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from offergen.evaluation import svg
from offergen.evaluation.assertion import Span
from offergen.evaluation.html_page import highlight, page, pct, verdict
from offergen.evaluation.outcome import VariantOutcome
from offergen.evaluation.results import CaseResult, RunResult, SuiteResults, Summary

# OWASP Top 10 for LLM Applications (2025), the ids cases are tagged with.
OWASP_LLM_2025 = {
    "LLM01": "Prompt Injection",
    "LLM02": "Sensitive Information Disclosure",
    "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning",
    "LLM05": "Improper Output Handling",
    "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage",
    "LLM08": "Vector and Embedding Weaknesses",
    "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
}


def render(results: SuiteResults) -> str:
    head = (
        f"<h1>Eval suite <code>{escape(results.suite)}</code> {verdict(results.passed)}</h1>"
        f"<p>{escape(results.description)}</p>"
        f'<p class="muted">{escape(results.suite_file)} · '
        f"offergen {escape(results.offergen_version)} · {len(results.runs)} run(s)</p>"
    )
    body = head + "".join(_run(i, run) for i, run in enumerate(results.runs, 1))
    return page(f"eval {results.suite}", body)


def _run(i: int, run: RunResult) -> str:
    c = run.config
    templates = ", ".join(f"{escape(t)} ({escape(v)})" for t, v in run.templates.items()) or "n/a"
    config = _table(
        [
            ("template", templates),
            ("profile", escape(c.profile)),
            ("model", f"{escape(run.model_id or 'n/a')} on {escape(run.backend or 'n/a')}"),
            ("seeds", ", ".join(map(str, c.seeds))),
            ("max attempts", str(c.max_attempts)),
            ("variants", "as each case asks" if c.variants is None else str(c.variants)),
            ("started", f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC, {run.duration_s:.1f} s"),
        ]
    )
    return (
        f"<h2>Run {i}: {escape(run_label(run))} {verdict(run.passed)}</h2>{config}"
        f"<h3>Thresholds</h3>{_thresholds(run)}"
        f"<h3>Figures</h3>{_figures(run.summary)}{_owasp(run)}"
        f'<div class="charts">{_charts(run.summary)}{_latency_chart(run.cases)}</div>'
        f"{_failures(run.cases)}{_passed(run.cases)}"
    )


def run_label(run: RunResult) -> str:
    """What a run ran on, in a few words."""
    if run.model_id is None:
        return "guard cases only, no model"
    return f"{run.config.template or 'profile template'} · {run.config.profile}"


def _table(rows: Sequence[Sequence[str]], head: tuple[str, ...] = ()) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{f'<tr>{th}</tr>' if th else ''}{trs}</table>"


def _thresholds(run: RunResult) -> str:
    if not run.thresholds:
        return '<p class="muted">The suite sets no thresholds.</p>'
    return _table(
        [
            (
                f"<code>{escape(t.metric)}</code>",
                "" if t.min is None else f"{t.min:g}",
                "" if t.max is None else f"{t.max:g}",
                "n/a" if t.value is None else f"{t.value:.4g}",
                verdict(t.passed),
                escape(t.message),
            )
            for t in run.thresholds
        ],
        ("metric", "min", "max", "value", "", "why"),
    )


def _figures(s: Summary) -> str:
    lat = s.latency_ms
    rows = [
        ("cases", f"{s.cases} ({s.passed} passed, {pct(s.pass_rate)})"),
        ("errors / refused", f"{s.errors} / {s.refused}"),
        (
            "variants released",
            f"{s.released} of {s.variants} ({pct(s.release_rate)}); "
            f"first try {pct(s.first_try_rate)}",
        ),
    ]
    if lat:
        rows.append(
            ("latency per request", f"p50 {lat['p50']:,.0f} ms, p95 {lat['p95']:,.0f} ms, "
             f"max {lat['max']:,.0f} ms")
        )  # fmt: skip
    if s.drafts:
        rows.append(
            ("drafts the guard judged", f"{s.drafts}, {s.drafts_held} held ({pct(s.hold_rate)})")
        )
    return _table([(escape(k), v) for k, v in rows])


def _owasp(run: RunResult) -> str:
    """Cases by OWASP LLM Top 10 (2025) id: passed of total, and which failed."""
    s = run.summary
    if not s.owasp:
        return ""
    rows = []
    for tag, rate in s.owasp.items():
        failed = [c for c in run.cases if tag in c.owasp and not c.passed]
        names = ", ".join(
            f"<code>{escape(c.id)}</code>{' (critical)' if c.critical else ''}" for c in failed
        )
        rows.append(
            (
                f"<b>{escape(tag)}</b> {escape(OWASP_LLM_2025.get(tag, ''))}",
                f"{rate.passed} of {rate.total} ({pct(rate.rate)})",
                verdict(not failed),
                names or "none",
            )
        )
    crit = s.critical
    note = (
        f'<p class="muted">critical cases: {crit.passed} of {crit.total} passed, '
        f"{crit.total - crit.passed} failed</p>"
        if crit.total
        else ""
    )
    table = _table(rows, ("OWASP LLM Top 10 (2025)", "cases passed", "", "failed"))
    return f"<h3>By OWASP LLM Top 10 (2025)</h3>{table}{note}"


def _charts(s: Summary) -> str:
    charts: list[str] = []
    checks = {k.split(":", 1)[1]: r for k, r in s.assertions.items() if k.startswith("check:")}
    if checks:
        charts.append(
            svg.bars(
                "Pass rate per check",
                [(k, r.rate, f"{pct(r.rate)} of {r.total}") for k, r in checks.items()],
                note="assertions check:<name>: no finding of that check",
            )
        )
    if s.findings:
        charts.append(
            svg.bars(
                "What the guard caught",
                [(k, n / s.drafts, f"{n} of {s.drafts} drafts") for k, n in s.findings.items()],
                note="drafts with a block or fix finding of each check, held drafts included",
            )
        )
    other = {k: r for k, r in s.assertions.items() if not k.startswith("check:")}
    if other:
        charts.append(
            svg.bars(
                "Pass rate per assertion",
                [(k, r.rate, f"{pct(r.rate)} of {r.total}") for k, r in other.items()],
            )
        )
    charts.append(
        svg.bars(
            "Pass rate per channel",
            [(k, r.rate, f"{pct(r.rate)} of {r.total}") for k, r in s.channels.items()],
            note="cases passing every assertion",
        )
    )
    if s.guard:
        rows = [
            row
            for name, c in s.guard.items()
            for row in (
                (name, c.precision, pct(c.precision)),
                (name, c.recall, f"{pct(c.recall)} (tp {c.tp}, fp {c.fp}, fn {c.fn})"),
            )
        ]
        charts.append(
            svg.bars("Guard precision and recall per check", rows, series=("precision", "recall"))
        )
    if s.attempts:
        charts.append(
            svg.columns(
                "Attempts distribution",
                [(f"round {k}", n) for k, n in s.attempts.items()],
                note="variants by the generation round that produced them",
            )
        )
    return "".join(charts)


def _latency_chart(cases: list[CaseResult]) -> str:
    values = [c.outcome.latency_ms for c in cases if c.kind == "generate" and c.outcome.variants]
    if not values:
        return ""
    return svg.columns("Latency per request (ms)", svg.histogram(values), note="lower bin edge")


def _failures(cases: list[CaseResult]) -> str:
    failed = [c for c in cases if not c.passed]
    if not failed:
        return "<h3>Failures</h3><p>None: every case passed.</p>"
    items = "".join(_case(c) for c in failed)
    return (
        f"<h3>Failures ({len(failed)})</h3>"
        '<p><input id="filter" type="search" placeholder="filter failures (id, check, text)">'
        f"</p>{items}"
    )


def _case(c: CaseResult) -> str:
    o = c.outcome
    failed = [a for a in c.assertions if not a.passed]
    head = (
        f"<summary><b>{escape(c.id)}</b> · {escape(o.kind)} · {escape(o.channel.value)} · "
        f"{escape(o.jurisdiction.value)} · seed {c.seed} · failed: "
        f"{escape(', '.join(dict.fromkeys(a.type for a in failed)) or 'error')}</summary>"
    )
    parts = [head]
    if o.error:
        parts.append(f'<p class="fail">error: {escape(o.error)}</p>')
    if o.refused:
        parts.append(f"<p>refused: {escape(o.refused)}</p>")
    parts.append(
        "<ul>"
        + "".join(
            f"<li>{verdict(a.passed)} <code>{escape(a.type)}</code>: {escape(a.message)}</li>"
            for a in c.assertions
        )
        + "</ul>"
    )
    for i, v in enumerate(o.variants):
        state = "released" if v.released else "held"
        parts.append(
            f"<div>variant {i} · {state} · attempt {v.attempts}</div>"
            + _copy(
                v, state, [s for a in failed for s in a.spans if not s.draft and s.variant == i]
            )
        )
    shown = {v.text for v in o.variants}
    for i, d in enumerate(o.drafts):
        spans = [s for a in failed for s in a.spans if s.draft and s.variant == i]
        if d.text in shown or (d.released and not spans):
            continue
        state = "released" if d.released else "held"
        note = "released, not needed" if d.released else "held by the guard"
        parts.append(f"<div>draft {i} · {note}, not returned</div>" + _copy(d, state, spans))
    case_json = json.dumps({"vars": c.vars, "metadata": c.metadata}, indent=2)
    parts.append(
        "<details><summary>case vars and metadata</summary>"
        f'<pre class="prompt">{escape(case_json)}</pre></details>'
    )
    if o.prompt:
        parts.append(
            f"<details><summary>exact prompt ({escape(o.template or '')} "
            f"{escape(o.template_version or '')}; first round)</summary>"
            f'<pre class="prompt">{escape(o.prompt)}</pre></details>'
        )
    return f'<details class="case">{"".join(parts)}</details>'


def _copy(v: VariantOutcome, state: str, extra: list[Span]) -> str:
    """The text with its findings' spans and the failed assertions' spans marked."""
    spans = [(f.start, f.end, f"{f.rule_id}: {f.message}") for f in [*v.findings, *v.fixes]]
    spans += [(s.start, s.end, s.label) for s in extra]
    return f'<div class="copy {state}">{highlight(v.text, spans)}</div>'


def _passed(cases: list[CaseResult]) -> str:
    ok = [c for c in cases if c.passed]
    if not ok:
        return ""
    rows = [
        (
            escape(c.id),
            escape(c.outcome.channel.value),
            escape(c.outcome.kind),
            f"{sum(v.released for v in c.outcome.variants)}/{len(c.outcome.variants)}",
            escape(c.outcome.variants[0].text if c.outcome.variants else c.outcome.refused or ""),
        )
        for c in ok
    ]
    table = _table(rows, ("case", "channel", "kind", "released", "first variant / refusal"))
    return f"<details><summary>Passed cases ({len(ok)})</summary>{table}</details>"
