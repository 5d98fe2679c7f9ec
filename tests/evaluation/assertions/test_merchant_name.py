from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant


def test_names_the_merchant_any_case_or_possessive() -> None:
    out = outcome(variant("FRESHMART deals"), variant("Freshmart's weekly shop"))
    assert check({"type": "merchant_name"}, out).passed


def test_missing_name_fails() -> None:
    result = check({"type": "merchant_name"}, outcome(variant("5% back on groceries")))
    assert not result.passed and "FreshMart not named" in result.message


def test_part_of_a_word_is_not_the_name() -> None:
    assert not check({"type": "merchant_name"}, outcome(variant("FreshMartian news"))).passed
