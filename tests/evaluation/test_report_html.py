"""The run report: charts, failures with highlighted spans, the exact prompt; nothing external."""

from __future__ import annotations

import re

from offergen.evaluation import report_html
from offergen.evaluation.thresholds import Threshold
from tests.evaluation.outcomes import finding, outcome, variant
from tests.evaluation.runs import case, run_result, suite_results

PROMPT = "FreshMart (grocery) marketing archive.\nTerms: 5% cashback\nCopy:"


def _results() -> str:
    bad = case("bad-1", [{"type": "check:numbers"}, {"type": "not_contains", "value": "CANARY"}])
    good = case("good-1", [{"type": "released"}], channel="sms")
    held = variant(
        "Get 25% back <b>now</b> CANARY",
        released=False,
        attempts=3,
        findings=[finding("numbers", 4, 7)],
    )
    run = run_result(
        [
            (
                bad,
                outcome(
                    held,
                    prompt=PROMPT,
                    template="offer_copy",
                    template_version="v1abc",
                    latency_ms=1200,
                ),
            ),
            (good, outcome(variant("5% back. Shop now."), prompt=PROMPT, latency_ms=800)),
        ],
        thresholds=[Threshold(metric="pass_rate", min=1.0)],
    )
    return report_html.render(suite_results(run))


def test_report_has_the_charts() -> None:
    html = _results()
    for title in (
        "Pass rate per check",
        "Pass rate per channel",
        "Attempts distribution",
        "Latency per request (ms)",
        "Pass rate per assertion",
    ):
        assert f"<figcaption>{title}" in html
    assert html.count('<svg class="chart"') == 5


def test_failures_show_highlighted_spans_and_the_prompt() -> None:
    html = _results()
    assert "Failures (1)" in html and "<b>bad-1</b>" in html
    assert '<mark title="numbers.rule: numbers fired">25%</mark>' in html
    assert '<mark title="contains &#x27;CANARY&#x27;">CANARY</mark>' in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # copy is shown as text, never as markup
    assert "exact prompt (offer_copy v1abc; first round)" in html
    assert "FreshMart (grocery) marketing archive.\nTerms: 5% cashback\nCopy:" in html


def test_passing_cases_keep_no_prompt_and_thresholds_show() -> None:
    html = _results()
    assert html.count("marketing archive") == 1  # only the failing case's prompt
    assert "Passed cases (1)" in html and "<code>pass_rate</code>" in html
    assert "below the minimum 1" in html


def test_no_external_resources() -> None:
    html = _results()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html


def test_held_drafts_and_what_the_guard_caught() -> None:
    c = case("d-1", [{"type": "check:numbers", "scope": "drafts"}])
    held = variant("Get 25% back", released=False, findings=[finding("numbers", 4, 7)])
    kept = variant("Get 5% back")
    run = run_result([(c, outcome(kept, drafts=[held, kept], prompt=PROMPT))])
    html = report_html.render(suite_results(run))
    assert "<figcaption>What the guard caught" in html and "1 of 2 drafts" in html
    assert "draft 0 · held by the guard, not returned" in html
    assert '<mark title="numbers.rule: numbers fired">25%</mark>' in html
    assert "drafts the guard judged</td><td>2, 1 held (50.0%)" in html
