"""Offer pre-flight: what the merchant's rules and the packs decide from the terms alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from offergen.config import Settings
from offergen.guardrails.preflight import Preflight
from offergen.schemas import GenerateRequest, MerchantRule, RuleKind

TODAY = date(2026, 12, 4)


@pytest.fixture(scope="module")
def preflight() -> Preflight:
    return Preflight(Settings().guardrails_dir)


def _rule(rule_id: str, kind: RuleKind, **params: Any) -> MerchantRule:
    return MerchantRule(
        id=rule_id, merchant_id="m_x", kind=kind, text=f"{kind} rule", params=params
    )


def _request(channel: str = "sms", jurisdiction: str = "US", **offer: Any) -> GenerateRequest:
    terms = {"kind": "cashback", "merchant": "X", "value": 5, "unit": "percent"} | offer
    return GenerateRequest.model_validate(
        {"merchant_id": "m_x", "offer": terms, "channel": channel, "jurisdiction": jurisdiction}
    )


CAP = _rule(
    "r_cap",
    RuleKind.max_reward,
    max_percent=3,
    applies_to=["cashback", "discount"],
    max_amount=8,
    max_multiplier=2,
)


@pytest.mark.parametrize(
    ("offer", "field", "limit"),
    [
        ({"value": 10}, "offer.value", 3),
        ({"kind": "discount", "value": 3.5}, "offer.value", 3),
        ({"value": 9, "unit": "amount"}, "offer.value", 8),
        ({"kind": "points", "value": 3, "unit": "multiplier"}, "offer.value", 2),
    ],
)
def test_a_reward_above_the_merchants_maximum_is_refused_with_the_rule_and_limit(
    preflight: Preflight, offer: dict[str, Any], field: str, limit: float
) -> None:
    [finding] = preflight.check(_request(**offer), [CAP], TODAY)
    assert (finding.rule_id, finding.field, finding.limit) == ("r_cap", field, limit)
    assert "above the merchant's maximum" in finding.message


@pytest.mark.parametrize(
    "offer",
    [
        {"value": 3},  # at the limit
        {"value": 8, "unit": "amount"},
        {"kind": "points", "value": 2, "unit": "multiplier"},
        # an intro APR is a rate, not a reward the rule bounds
        {"kind": "intro_apr", "value": 0, "apr_after_intro": 24.99, "intro_months": 12},
        {"kind": "free_shipping", "value": None, "unit": None},
    ],
)
def test_terms_within_the_rules_pass(preflight: Preflight, offer: dict[str, Any]) -> None:
    assert preflight.check(_request(**offer), [CAP], TODAY) == []


def test_the_rules_named_kinds_bound_percent_rewards(preflight: Preflight) -> None:
    only_discounts = _rule("r_d", RuleKind.max_reward, max_percent=3, applies_to=["discount"])
    assert preflight.check(_request(value=10), [only_discounts], TODAY) == []
    assert preflight.check(_request(kind="discount", value=10), [only_discounts], TODAY)


def test_a_rule_that_does_not_parse_is_left_to_the_copy_check(preflight: Preflight) -> None:
    broken = _rule("r_bad", RuleKind.max_reward, max_percent="lots")
    assert preflight.check(_request(value=90), [broken], TODAY) == []


def test_a_channel_limit_smaller_than_the_merchants_own_wording_is_refused(
    preflight: Preflight,
) -> None:
    rules = [
        _rule("r_start", RuleKind.channel_rule, channel="push", must_start_with="Brand Name:"),
        _rule("r_terms", RuleKind.required_phrase, phrase="Terms and conditions apply."),
        _rule("r_len", RuleKind.channel_rule, channel="push", max_chars=30),
    ]
    [finding] = preflight.check(_request(channel="push"), rules, TODAY)
    assert (finding.rule_id, finding.field, finding.limit) == ("r_len", "channel", 30)
    assert "39 characters" in finding.message  # 11 + 1 + 27
    assert preflight.check(_request(channel="sms"), rules, TODAY) == []  # not this channel


def test_an_offer_that_has_ended_is_refused(preflight: Preflight) -> None:
    [finding] = preflight.check(_request(valid_until="2026-12-03"), [], TODAY)
    assert (finding.rule_id, finding.field) == ("terms.valid_until.past", "offer.valid_until")
    assert preflight.check(_request(valid_until="2026-12-04"), [], TODAY) == []  # the last day


@pytest.mark.parametrize("jurisdiction", ["US", "EU"])
def test_credit_offers_need_the_terms_their_disclosures_state(
    preflight: Preflight, jurisdiction: str
) -> None:
    intro = _request(jurisdiction=jurisdiction, kind="intro_apr", value=0)
    assert {f.field for f in preflight.check(intro, [], TODAY)} == {
        "offer.apr_after_intro",
        "offer.intro_months",
    }
    bnpl = _request(jurisdiction=jurisdiction, kind="bnpl", value=None, unit=None)
    [finding] = preflight.check(bnpl, [], TODAY)
    assert finding.rule_id == "terms.bnpl.installments" and "1026.24" in (finding.source or "")
    full = _request(kind="bnpl", value=None, unit=None, installments=4)
    assert preflight.check(full, [], TODAY) == []


def test_a_reward_offer_needs_its_reward(preflight: Preflight) -> None:
    [finding] = preflight.check(_request(value=None, unit=None), [], TODAY)
    assert finding.field == "offer.value"


def test_every_violated_rule_is_listed(preflight: Preflight) -> None:
    request = _request(value=10, valid_until="2025-01-01")
    assert {f.rule_id for f in preflight.check(request, [CAP], TODAY)} == {
        "r_cap",
        "terms.valid_until.past",
    }
