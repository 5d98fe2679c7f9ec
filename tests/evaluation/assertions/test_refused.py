from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant


def test_refused_request() -> None:
    refused = outcome(refused="personal data is not accepted in request text: merchant_id")
    result = check({"type": "refused"}, refused)
    assert result.passed and "merchant_id" in result.message
    assert not check({"type": "refused", "value": False}, refused).passed


def test_generated_request_is_not_refused() -> None:
    generated = outcome(variant("5% back at FreshMart."))
    assert not check({"type": "refused"}, generated).passed
    assert check({"type": "refused", "value": False}, generated).passed
