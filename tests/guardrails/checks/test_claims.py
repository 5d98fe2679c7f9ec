"""Claims check: prohibited wording is found through Unicode tricks, and allowed only when the
offer terms substantiate it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offergen.demo.generator import generate_demo_kb
from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.claims import ClaimsCheck, ClaimsParams
from offergen.guardrails.registry import get_check_class
from offergen.schemas import Channel, Jurisdiction, OfferTerms, Severity

CASHBACK: dict[str, Any] = {
    "kind": "cashback",
    "merchant": "FreshMart",
    "value": 5,
    "unit": "percent",
}
CLEAN = (
    "Hi {{first_name}}, get 5% cash back at FreshMart through Dec 31, 2026. Terms apply. "
    "Reply STOP to opt out."
)


@pytest.fixture(scope="module")
def claims() -> ClaimsCheck:
    return ClaimsCheck(ClaimsParams(), Severity.block)


def _ctx(**terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate(CASHBACK | terms)
    return CheckContext(offer=offer, channel=Channel.sms, jurisdiction=Jurisdiction.US)


def _run(check: ClaimsCheck, text: str, **terms: Any) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check.check(text, _ctx(**terms))]


def test_registered() -> None:
    assert get_check_class("claims") is ClaimsCheck


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        "Earn 3x points on dining at Bistro 9 this weekend.",
        "Pay in 4 payments at Voltix. Terms apply.",
        "Call our toll-free line or shop hands-free with your wallet.",
        "Feel free to browse the new gluten-free range.",
        "Enjoy freedom to shop, carefree.",
        "{{free_gift_name}} is waiting in your cart.",
        "A guard against fraud: we never ask for your PIN.",
        "Save at the best-loved local stores.",
        "",
    ],
)
def test_clean_copy_has_no_findings(claims: ClaimsCheck, text: str) -> None:
    assert claims.check(text, _ctx()) == []


@pytest.mark.parametrize(
    ("text", "rule", "surface"),
    [
        ("Guaranteed approval in minutes", "guarantee", "Guaranteed approval"),
        ("Savings guaranteed.", "guarantee", "guaranteed"),
        ("Our guarantee: you save.", "guarantee", "guarantee"),
        ("Totally risk-free.", "risk_free", "risk-free"),
        ("Totally risk free.", "risk_free", "risk free"),
        ("No credit check needed.", "no_credit_check", "No credit check"),
        ("Get instant approval today.", "instant_approval", "instant approval"),
        ("It's free money!", "free_money", "free money"),
        ("No strings attached.", "no_strings", "No strings attached"),
        ("No catch, just savings.", "no_strings", "No catch"),
        ("No terms, no fuss.", "no_strings", "No terms"),
        ("You're pre-approved!", "pre_approved", "pre-approved"),
        ("You are preapproved.", "pre_approved", "preapproved"),
        ("Good news: you've been approved.", "pre_approved", "you've been approved"),
        ("You were selected for approval.", "pre_approved", "selected for approval"),
        ("Free shipping on all orders at Voltix", "free", "Free"),
        ("Get a coffee for free.", "free", "for free"),
        ("Enjoy no annual fee.", "no_annual_fee", "no annual fee"),
        ("Enjoy a $0 annual fee.", "no_annual_fee", "$0 annual fee"),
        ("Pay it off interest-free.", "interest_free", "interest-free"),
        ("Pay with no interest.", "interest_free", "no interest"),
        ("Enjoy 0% interest.", "interest_free", "0% interest"),
        (
            "Boost your credit score with every swipe.",
            "credit_improvement",
            "Boost your credit score",
        ),
        ("It improves your finances.", "credit_improvement", "improves your finances"),
        ("The lowest price ever.", "superlative_price", "lowest price ever"),
        ("Our best rate yet.", "superlative_price", "best rate"),
        ("Earn unlimited cash back.", "unlimited_rewards", "unlimited cash back"),
        ("Hurry, it won't last!", "urgency", "won't last"),
        ("Last chance to save.", "urgency", "Last chance"),
    ],
)
def test_prohibited_wording_is_flagged(
    claims: ClaimsCheck, text: str, rule: str, surface: str
) -> None:
    # cap set, so "unlimited" is not substantiated either.
    found = _run(claims, text, cap=25)
    assert (f"claims.{rule}", surface) in found


# Unicode tricks: each must still be found, with the span covering the original characters.
@pytest.mark.parametrize(
    ("text", "rule", "surface"),
    [
        ("guar\u200banteed approval", "guarantee", "guar\u200banteed approval"),
        ("gu\u0430ranteed", "guarantee", "gu\u0430ranteed"),  # Cyrillic a
        ("GU\u0410RANTEED", "guarantee", "GU\u0410RANTEED"),  # Cyrillic A
        ("\u0440re-approved", "pre_approved", "\u0440re-approved"),  # Cyrillic er
        ("\uff52\uff49\uff53\uff4b\uff0d\uff46\uff52\uff45\uff45", "risk_free", None),  # full width
        ("risk - free", "risk_free", "risk - free"),
        ("risk\u2014free", "risk_free", "risk\u2014free"),  # em dash
        ("pre approved", "pre_approved", "pre approved"),
        ("g u a r a n t e e d", "guarantee", "g u a r a n t e e d"),
        ("f.r.e.e money", "free_money", "f.r.e.e money"),
        ("fre\u0301e", "free", "fre\u0301e"),  # combining accent
        ("\U0001d41f\U0001d42b\U0001d41e\U0001d41e", "free", None),  # maths bold
        ("r\u00adisk-free", "risk_free", "r\u00adisk-free"),  # soft hyphen
        ("no\u00a0credit\u2003check", "no_credit_check", "no\u00a0credit\u2003check"),
        ("won\u2019t last", "urgency", "won\u2019t last"),
    ],
)
def test_unicode_tricks_are_seen_through(
    claims: ClaimsCheck, text: str, rule: str, surface: str | None
) -> None:
    assert _run(claims, f"Hi. {text}. Terms apply.") == [
        (f"claims.{rule}", surface if surface is not None else text)
    ]


@pytest.mark.parametrize(
    ("text", "terms", "flagged"),
    [
        # pre-approved: only a firm offer of credit
        ("You're pre-approved.", {}, True),
        ("You're pre-approved.", {"firm_offer": True}, False),
        # free: free_shipping / fee_waiver kinds or a $0 annual fee
        ("Free shipping on all orders at Voltix", {}, True),
        (
            "Free shipping on all orders at Voltix",
            {"kind": "free_shipping", "value": None, "unit": None},
            False,
        ),
        ("Your first year is free.", {"kind": "fee_waiver", "value": None, "unit": None}, False),
        ("A free card.", {"annual_fee": 0}, False),
        ("A free card.", {"annual_fee": 95}, True),
        # no annual fee: annual_fee == 0 or fee_waiver
        ("No annual fee.", {}, True),
        ("No annual fee.", {"annual_fee": 0}, False),
        ("No annual fee.", {"annual_fee": 0.0}, False),
        ("No annual fee.", {"annual_fee": 95}, True),
        ("No annual fee.", {"kind": "fee_waiver", "value": None, "unit": None}, False),
        # interest-free: bnpl, or intro_apr at 0 %
        ("Pay in 4 interest-free payments.", {"kind": "bnpl", "value": None, "unit": None}, False),
        ("0% APR for 12 months.", {"kind": "intro_apr", "value": 0, "unit": "percent"}, False),
        ("0% APR for 12 months.", {"kind": "intro_apr", "value": 1.99, "unit": "percent"}, True),
        ("No interest for 12 months.", {}, True),
        # unlimited: only without a cap
        ("Unlimited cash back.", {}, False),
        ("Unlimited cash back.", {"cap": 50}, True),
        # guarantee has no condition: never allowed
        ("Guaranteed savings.", {"firm_offer": True, "annual_fee": 0}, True),
    ],
)
def test_allowed_if_conditions(
    claims: ClaimsCheck, text: str, terms: dict[str, Any], flagged: bool
) -> None:
    assert bool(claims.check(text, _ctx(**terms))) is flagged


def test_allowed_compound_claims_its_word(claims: ClaimsCheck) -> None:
    # On a BNPL offer "interest-free" is substantiated, and its "free" is not judged on its own.
    bnpl = {"kind": "bnpl", "value": None, "unit": None}
    assert _run(claims, "Split it into 4 interest-free payments.", **bnpl) == []
    # On a cash-back offer it is one finding for the compound, not two.
    assert _run(claims, "Split it interest-free.") == [("claims.interest_free", "interest-free")]


def test_the_merchant_name_is_not_a_claim(claims: ClaimsCheck) -> None:
    text = "Free shipping at Free People, and guaranteed fit at FREE  PEOPLE."
    assert _run(claims, text, merchant="Free People") == [
        ("claims.free", "Free"),
        ("claims.guarantee", "guaranteed"),
    ]
    assert _run(claims, "Shop Guaranteed Rate today.", merchant="Guaranteed Rate") == []


def test_every_occurrence_gets_its_own_span(claims: ClaimsCheck) -> None:
    text = "Risk-free and guaranteed. Free, free, free!"
    assert _run(claims, text) == [
        ("claims.risk_free", "Risk-free"),
        ("claims.guarantee", "guaranteed"),
        ("claims.free", "Free"),
        ("claims.free", "free"),
        ("claims.free", "free"),
    ]


def test_urgency_is_capped_at_warn(claims: ClaimsCheck) -> None:
    [finding] = claims.check("Last chance!", _ctx())
    assert finding.severity is Severity.warn
    [finding] = ClaimsCheck(ClaimsParams(), Severity.warn).check("Guaranteed.", _ctx())
    assert finding.severity is Severity.warn
    [finding] = claims.check("Guaranteed.", _ctx())
    assert finding.severity is Severity.block


def test_finding_explains_rule_source_and_terms(claims: ClaimsCheck) -> None:
    [finding] = claims.check("Free shipping today", _ctx())
    assert finding.check == "claims"
    assert finding.rule_id == "claims.free"
    assert (finding.start, finding.end) == (0, 4)
    assert "'Free'" in finding.explanation
    assert "16 CFR 251" in finding.explanation
    assert "kind is one of free_shipping, fee_waiver" in finding.explanation
    assert "kind=cashback" in finding.explanation


def test_rules_param_selects_rules() -> None:
    only = ClaimsCheck(ClaimsParams(rules=["risk_free"]), Severity.block)
    assert [f.rule_id for f in only.check("Guaranteed and risk-free", _ctx())] == [
        "claims.risk_free"
    ]


def test_unknown_rule_param_names_valid_rules() -> None:
    with pytest.raises(ConfigError, match=r"unknown rule 'nope'.*valid rules: guarantee"):
        ClaimsCheck(ClaimsParams(rules=["nope"]), Severity.block)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text("merge_tag: '\\{\\{[a-z_]+\\}\\}'\n" + body, encoding="utf-8")
    return path


def test_custom_data_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "rules:\n"
        "  - id: cheap\n    message: m\n    source: s\n    phrases: [dirt cheap]\n"
        "    allowed_if: {kind: discount, min_spend: null}\n",
    )
    check = ClaimsCheck(ClaimsParams(data_file=path), Severity.block)
    assert [f.rule_id for f in check.check("Dirt-cheap!", _ctx())] == ["claims.cheap"]
    assert check.check("Dirt-cheap!", _ctx(kind="discount")) == []
    assert check.check("Dirt-cheap!", _ctx(kind="discount", min_spend=20)) != []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            "rules:\n  - {id: a, message: m, source: s, phrases: [x], allowed_if: {colour: red}}\n",
            r"unknown offer field 'colour'; valid fields: kind",
        ),
        (
            "rules:\n  - {id: a, message: m, source: s, phrases: [x], allowed_if: {kind: loan}}\n",
            r"allowed_if\[0\]\.kind: 'loan' is not a valid value",
        ),
        ("rules:\n  - {id: a, message: m, source: s}\n", r"rules\.a: needs phrases or patterns"),
        ("rules:\n  - {id: a, message: m, source: s, patterns: ['(']}\n", r"invalid regex"),
        (
            "rules:\n  - {id: a, message: m, source: s, phrases: [x]}\n"
            "  - {id: a, message: m, source: s, phrases: [y]}\n",
            r"duplicate id a",
        ),
        ("rules:\n  - {id: a, message: m, source: s, phrases: [x], extra: 1}\n", r"extra"),
    ],
)
def test_bad_data_file_is_a_config_error(tmp_path: Path, body: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        ClaimsCheck(ClaimsParams(data_file=_write(tmp_path, body)), Severity.block)


def test_demo_knowledge_base_past_offers_hold_no_blocking_claim(claims: ClaimsCheck) -> None:
    kb = generate_demo_kb(offers_per_merchant=4)
    for past in kb.past_offers:
        ctx = CheckContext(offer=past.offer, channel=past.channel, jurisdiction=Jurisdiction.US)
        findings = claims.check(past.text, ctx)
        assert [f.rule_id for f in findings if f.severity is not Severity.warn] == [], past.text
