from __future__ import annotations

import pytest

from offergen.evaluation.thresholds import Threshold
from offergen.schemas import Channel, Jurisdiction, Severity
from tests.evaluation.outcomes import finding, outcome, variant
from tests.evaluation.runs import case, run_result


def test_pass_rates_by_assertion_channel_and_jurisdiction() -> None:
    c1 = case("a", [{"type": "released"}, {"type": "check:numbers"}])
    c2 = case("b", [{"type": "released"}, {"type": "check:numbers"}], channel="sms")
    o1 = outcome(variant("5% back", attempts=1), variant("5% again", attempts=2), latency_ms=100)
    held = variant("Get 9% back", released=False, attempts=3, findings=[finding("numbers")])
    o2 = outcome(
        held,
        drafts=[held, variant("9% again", released=False, findings=[finding("numbers")])],
        channel=Channel.sms,
        jurisdiction=Jurisdiction.EU,
        latency_ms=300,
    )
    s = run_result([(c1, o1), (c2, o2)]).summary
    assert (s.cases, s.passed, s.pass_rate) == (2, 1, 0.5)
    assert s.assertions["check:numbers"].rate == 0.5
    assert s.channels["push"].rate == 1.0 and s.channels["sms"].rate == 0.0
    assert s.jurisdictions["EU"].rate == 0.0
    assert s.findings == {"numbers": 2}  # both drafts, one of them not returned
    assert (s.drafts, s.drafts_held, s.hold_rate) == (2, 2, 1.0)
    assert (s.variants, s.released) == (3, 2)
    assert s.release_rate == pytest.approx(2 / 3) and s.first_try_rate == pytest.approx(1 / 3)
    assert s.attempts == {"1": 1, "2": 1, "3": 1}
    assert s.latency_ms["p50"] == 200 and s.latency_ms["max"] == 300
    assert s.metrics["assertion.check:numbers"] == 0.5 and s.metrics["channel.sms"] == 0.0


def test_refused_and_errored_cases() -> None:
    refused = case("r", [{"type": "refused"}])
    broken = case("e", [{"type": "released"}])
    s = run_result(
        [(refused, outcome(refused="pii in customer.segment")), (broken, outcome(error="boom"))]
    ).summary
    assert (s.refused, s.errors, s.passed) == (1, 1, 1)
    assert s.latency_ms == {}  # neither made a generation call
    assert "latency_ms.p50" not in s.metrics


def test_precision_and_recall_from_fires_assertions() -> None:
    spec = [{"type": "fires", "value": ["numbers"]}]
    hit = outcome(variant("x", released=False, findings=[finding("numbers")]), kind="guard")
    miss = outcome(variant("x", released=True), kind="guard")
    noisy = outcome(
        variant("x", released=False, findings=[finding("claims"), finding("numbers")]),
        kind="guard",
    )
    pairs = [(case("h", spec), hit), (case("m", spec), miss), (case("n", spec), noisy)]
    s = run_result(pairs).summary
    assert (s.guard["numbers"].tp, s.guard["numbers"].fn) == (2, 1)
    assert s.guard["claims"].fp == 1
    assert s.metrics["recall.numbers"] == pytest.approx(2 / 3)
    assert s.metrics["precision.claims"] == 0.0


def test_thresholds_decide_the_run() -> None:
    c = case("a", [{"type": "released"}])
    passing = run_result(
        [(c, outcome(variant("x")))], thresholds=[Threshold(metric="pass_rate", min=1)]
    )
    failing = run_result(
        [(c, outcome(variant("x", released=False)))],
        thresholds=[Threshold(metric="pass_rate", min=1)],
    )
    assert passing.passed and not failing.passed


def test_warnings_are_not_findings_the_guard_caught() -> None:
    c = case("a", [{"type": "released"}])
    v = variant("x", findings=[finding("claims", severity=Severity.warn)])
    assert run_result([(c, outcome(v, drafts=[v]))]).summary.findings == {}
