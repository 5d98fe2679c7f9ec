from __future__ import annotations

import pytest
from pydantic import ValidationError

from offergen.evaluation.thresholds import Threshold, judge, validate_metric


@pytest.mark.parametrize(
    "name",
    [
        "pass_rate",
        "errors",
        "latency_ms.p95",
        "assertion.released",
        "assertion.check:numbers",
        "channel.sms",
        "jurisdiction.EU",
        "precision.pii",
        "recall.fairness",
    ],
)
def test_valid_metric_names(name: str) -> None:
    assert validate_metric(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("pass", "unknown metric"),
        ("assertion.relesed", "unknown assertion type"),
        ("assertion.check:numbrs", "unknown check"),
        ("recall.nope", "unknown check"),
        ("channel.fax", "unknown metric"),
    ],
)
def test_invalid_metric_names(name: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        validate_metric(name)


def test_a_bound_is_required() -> None:
    with pytest.raises(ValidationError, match="give `min` and/or `max`"):
        Threshold(metric="pass_rate")


def test_judge_min_max_and_missing() -> None:
    thresholds = [
        Threshold(metric="pass_rate", min=0.9),
        Threshold(metric="errors", max=0),
        Threshold(metric="recall.pii", min=0.5),
        Threshold(metric="assertion.released", min=0.5, max=1),
    ]
    results = judge(thresholds, {"pass_rate": 0.8, "errors": 1, "assertion.released": 0.75})
    assert [r.passed for r in results] == [False, False, False, True]
    assert "below the minimum 0.9" in results[0].message
    assert "above the maximum 0" in results[1].message
    assert results[2].message == "not measured in this run" and results[2].value is None


def test_owasp_and_critical_metric_names() -> None:
    from offergen.evaluation.thresholds import validate_metric

    assert validate_metric("owasp.LLM01") == "owasp.LLM01"
    assert validate_metric("critical_failures") == "critical_failures"
    for bad in ("owasp.LLM11", "owasp.llm01", "owasp.LLM00"):
        with pytest.raises(ValueError, match="unknown metric"):
            validate_metric(bad)
