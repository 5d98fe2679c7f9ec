from __future__ import annotations

from offergen.evaluation.assertion import EvalContext
from tests.evaluation.outcomes import check, outcome, variant

NAMES = EvalContext(merchant_names=("FreshMart", "GreenBasket", "Hearth & Oak"))


def test_numbers_from_the_terms_are_grounded() -> None:
    # 5 %, $50 min spend, $25 cap, Dec 31 2026 (12/31)
    out = outcome(variant("5% back on $50+, up to $25, until 12/31/2026 at FreshMart."))
    assert check({"type": "grounded"}, out, NAMES).passed


def test_an_invented_number_is_flagged() -> None:
    out = outcome(variant("Get 7% back at FreshMart."))
    result = check({"type": "grounded"}, out, NAMES)
    assert not result.passed and "7 is not in the terms" in result.message
    assert [(s.start, s.end) for s in result.spans] == [(4, 5)]


def test_a_number_the_prompt_showed_is_grounded() -> None:
    out = outcome(variant("Open 24 hours at FreshMart."), prompt="House rules:\n- open 24 hours")
    assert check({"type": "grounded"}, out, NAMES).passed


def test_another_merchant_is_flagged() -> None:
    out = outcome(variant("5% back at greenbasket and FreshMart"))
    result = check({"type": "grounded"}, out, NAMES)
    assert not result.passed and "names another merchant, GreenBasket" in result.message


def test_merge_tags_are_not_facts() -> None:
    out = outcome(variant("{{first_name}}, 5% back at FreshMart."))
    assert check({"type": "grounded"}, out, NAMES).passed
