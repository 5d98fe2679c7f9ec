from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant


def test_every_variant_released_by_default() -> None:
    both = outcome(variant("a"), variant("b"))
    one = outcome(variant("a"), variant("b", released=False))
    assert check({"type": "released"}, both).passed
    result = check({"type": "released"}, one)
    assert not result.passed and "1 of 2" in result.message


def test_need_any_passes_with_one_released() -> None:
    one = outcome(variant("a", released=False), variant("b"))
    assert check({"type": "released", "need": "any"}, one).passed
    none = outcome(variant("a", released=False))
    assert not check({"type": "released", "need": "any"}, none).passed


def test_value_false_wants_nothing_released() -> None:
    held = outcome(variant("a", released=False))
    assert check({"type": "released", "value": False}, held).passed
    assert not check({"type": "released", "value": False}, outcome(variant("a"))).passed


def test_a_refused_request_released_nothing() -> None:
    refused = outcome(refused="personal data is not accepted in request text: customer.segment")
    assert check({"type": "released", "value": False}, refused).passed
    result = check({"type": "released"}, refused)
    assert not result.passed and "refused" in result.message
