"""Merchant rules check: each rule kind as the demo knowledge base writes it, and the fixer."""

from __future__ import annotations

from typing import Any

import pytest

from offergen.demo.generator import generate_demo_kb
from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, Fixer
from offergen.guardrails.checks.merchant_rules import MerchantRulesCheck, MerchantRulesParams
from offergen.guardrails.registry import get_check_class
from offergen.schemas import (
    Channel,
    Finding,
    Jurisdiction,
    MerchantRule,
    OfferTerms,
    RuleKind,
    Severity,
)

STOP = "Reply STOP to opt out."
TERMS = "Terms apply."
OFFER = OfferTerms.model_validate(
    {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
)


def _rule(
    kind: str, params: dict[str, Any], text: str = "rule text", rid: str = "r_1"
) -> MerchantRule:
    return MerchantRule(
        id=rid, merchant_id="m_freshmart", kind=RuleKind(kind), text=text, params=params
    )


BANNED = _rule(
    "banned_phrase", {"phrases": ["cheap", "act now"]}, "Never say 'cheap' or 'act now'."
)
REQUIRED_ALL = _rule(
    "required_phrase", {"phrase": TERMS, "channels": ["sms", "push", "email", "in_app"]}
)
REQUIRED_EMAIL = _rule("required_phrase", {"phrase": TERMS, "channels": ["email", "in_app"]})
MAX_REWARD = _rule(
    "max_reward",
    {
        "max_percent": 10,
        "applies_to": ["cashback", "discount"],
        "max_amount": 25,
        "max_multiplier": 3,
    },
)
QUIET = _rule("brand_voice", {"tone": "premium", "exclamation_marks": False})
LOUD = _rule("brand_voice", {"tone": "playful", "exclamation_marks": True})
SMS_STOP = _rule(
    "channel_rule", {"channel": "sms", "must_end_with": STOP}, f"Every SMS ends with '{STOP}'"
)
SMS_START = _rule("channel_rule", {"channel": "sms", "must_start_with": "FreshMart:"})
PUSH_90 = _rule("channel_rule", {"channel": "push", "max_chars": 90})
SMS_NO_TAGS = _rule("channel_rule", {"channel": "sms", "merge_tags": False})

FIXING = MerchantRulesParams(
    severity_by_rule={"required_phrase": Severity.fix, "channel_rule.must_end_with": Severity.fix}
)


@pytest.fixture(scope="module")
def check() -> MerchantRulesCheck:
    return MerchantRulesCheck(MerchantRulesParams(), Severity.block)


@pytest.fixture(scope="module")
def fixing() -> MerchantRulesCheck:
    return MerchantRulesCheck(FIXING, Severity.block)


def _ctx(*rules: MerchantRule, channel: Channel = Channel.sms, **terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate(OFFER.model_dump() | terms)
    return CheckContext(
        offer=offer, channel=channel, jurisdiction=Jurisdiction.US, merchant_rules=rules
    )


def _run(check: MerchantRulesCheck, text: str, ctx: CheckContext) -> list[tuple[str, str]]:
    return [
        (f.rule_id.removeprefix("merchant_rules."), text[f.start : f.end])
        for f in check.check(text, ctx)
    ]


def test_registered_and_a_fixer() -> None:
    assert get_check_class("merchant_rules") is MerchantRulesCheck
    fixer: Fixer = MerchantRulesCheck(MerchantRulesParams(), Severity.block)  # typed by mypy
    assert callable(fixer.fix)


def test_no_rules_no_findings(check: MerchantRulesCheck) -> None:
    assert check.check("Anything goes! cheap", _ctx()) == []


@pytest.mark.parametrize(
    ("rule", "channel", "text", "expected"),
    [
        # banned phrases: any case, Unicode tricks, every occurrence
        (
            BANNED,
            Channel.sms,
            "Cheap deals. Act now!",
            [("banned_phrase", "Cheap"), ("banned_phrase", "Act now")],
        ),
        (
            BANNED,
            Channel.sms,
            "ch\u0435ap and ch\u200beap",
            [("banned_phrase", "ch\u0435ap"), ("banned_phrase", "ch\u200beap")],
        ),
        (BANNED, Channel.sms, "act-now", [("banned_phrase", "act-now")]),
        (BANNED, Channel.sms, "Cheaper? No: cheapest.", []),
        (BANNED, Channel.sms, "Save now, act later.", []),
        # required phrase, only on its channels
        (REQUIRED_ALL, Channel.sms, "Save 5%.", [("required_phrase", "")]),
        (REQUIRED_ALL, Channel.sms, f"Save 5%. {TERMS}", []),
        (REQUIRED_ALL, Channel.sms, "Save 5%. terms  apply.", []),
        (REQUIRED_EMAIL, Channel.sms, "Save 5%.", []),
        (REQUIRED_EMAIL, Channel.email, "Save 5%.", [("required_phrase", "")]),
        # max reward: percentages, fixed amounts, multipliers above the maximum
        (MAX_REWARD, Channel.sms, "Get 15% cash back.", [("max_reward", "15%")]),
        (MAX_REWARD, Channel.sms, "Get 10% cash back.", []),
        (MAX_REWARD, Channel.sms, "Save 12% at FreshMart.", [("max_reward", "12%")]),
        (MAX_REWARD, Channel.sms, "Then 19.99% APR applies.", []),
        (MAX_REWARD, Channel.sms, "Get $30 back.", [("max_reward", "$30")]),
        (MAX_REWARD, Channel.sms, "Get $25 back on $100+.", []),
        (MAX_REWARD, Channel.sms, "Earn 4x points.", [("max_reward", "4x")]),
        (MAX_REWARD, Channel.sms, "Earn 3x points.", []),
        (MAX_REWARD, Channel.sms, "Get fifteen percent off.", [("max_reward", "fifteen percent")]),
        # brand voice: exclamation marks
        (
            QUIET,
            Channel.sms,
            "Save now! Really\uff01",
            [("brand_voice.exclamation_marks", "!"), ("brand_voice.exclamation_marks", "\uff01")],
        ),
        (QUIET, Channel.sms, "Save now.", []),
        (LOUD, Channel.sms, "Save now!", []),
        # channel rules, only on their channel
        (SMS_STOP, Channel.sms, "Save 5%.", [("channel_rule.must_end_with", "")]),
        (SMS_STOP, Channel.sms, f"Save 5%. {STOP}", []),
        (SMS_STOP, Channel.sms, f"Save 5%. {STOP}  ", []),
        (SMS_STOP, Channel.sms, f"{STOP} Save 5%.", [("channel_rule.must_end_with", "")]),
        (SMS_STOP, Channel.email, "Save 5%.", []),
        (SMS_START, Channel.sms, "FreshMart: save 5%.", []),
        (SMS_START, Channel.sms, "Save 5% at FreshMart:", [("channel_rule.must_start_with", "")]),
        (PUSH_90, Channel.push, "x" * 90, []),
        (PUSH_90, Channel.push, "x" * 95, [("channel_rule.max_chars", "xxxxx")]),
        (PUSH_90, Channel.sms, "x" * 95, []),
        (
            SMS_NO_TAGS,
            Channel.sms,
            "Hi {{first_name}}, save.",
            [("channel_rule.merge_tags", "{{first_name}}")],
        ),
        (SMS_NO_TAGS, Channel.email, "Hi {{first_name}}, save.", []),
    ],
)
def test_rule_kinds(
    check: MerchantRulesCheck,
    rule: MerchantRule,
    channel: Channel,
    text: str,
    expected: list[tuple[str, str]],
) -> None:
    assert _run(check, text, _ctx(rule, channel=channel)) == expected


def test_percent_without_reward_word_counts_only_for_applies_to_kinds(
    check: MerchantRulesCheck,
) -> None:
    ctx = _ctx(MAX_REWARD, kind="points", value=3, unit="multiplier")
    assert _run(check, "Save 12% at FreshMart.", ctx) == []
    assert _run(check, "Get 12% back at FreshMart.", ctx) == [("max_reward", "12%")]


def test_cap_of_a_percentage_reward_is_not_a_fixed_reward(check: MerchantRulesCheck) -> None:
    text = "Get 10% back (up to $40 back)."
    assert _run(check, text, _ctx(MAX_REWARD, cap=40)) == []
    # On a fixed-amount offer "up to $40 back" is the reward itself.
    fixed = _ctx(MAX_REWARD, kind="cashback", value=40, unit="amount")
    assert _run(check, "Get up to $40 back.", fixed) == [("max_reward", "$40")]


def test_explanation_names_the_merchant_rule(check: MerchantRulesCheck) -> None:
    [finding] = check.check("So cheap", _ctx(BANNED))
    assert finding.check == "merchant_rules"
    assert finding.rule_id == "merchant_rules.banned_phrase"
    assert finding.severity is Severity.block
    assert "r_1" in finding.explanation
    assert "Never say 'cheap' or 'act now'." in finding.explanation
    assert "'cheap'" in finding.explanation


def test_invalid_rule_params_fail_closed(check: MerchantRulesCheck) -> None:
    bad = _rule("max_reward", {"max_pct": 10}, rid="r_9")
    [finding] = check.check("Save 5%.", _ctx(bad))
    assert finding.rule_id == "merchant_rules.invalid_rule"
    assert finding.severity is Severity.block
    assert (finding.start, finding.end) == (0, 8)
    assert "r_9" in finding.explanation and "max_pct" in finding.explanation


def test_severity_by_rule(fixing: MerchantRulesCheck) -> None:
    findings = fixing.check("Cheap!", _ctx(BANNED, REQUIRED_ALL, SMS_STOP))
    assert {(f.rule_id, f.severity) for f in findings} == {
        ("merchant_rules.banned_phrase", Severity.block),
        ("merchant_rules.required_phrase", Severity.fix),
        ("merchant_rules.channel_rule.must_end_with", Severity.fix),
    }


def test_unknown_severity_key_names_valid_rules() -> None:
    with pytest.raises(ConfigError, match=r"unknown rule 'stop'.*valid rules: banned_phrase"):
        MerchantRulesCheck(
            MerchantRulesParams(severity_by_rule={"stop": Severity.fix}), Severity.block
        )


# --- fixer --------------------------------------------------------------------------------------


def _fix(check: MerchantRulesCheck, text: str, ctx: CheckContext) -> str:
    return check.fix(text, check.check(text, ctx), ctx)


@pytest.mark.parametrize(
    ("rules", "text", "fixed"),
    [
        ((REQUIRED_ALL,), "Save 5% at FreshMart.", f"Save 5% at FreshMart. {TERMS}"),
        ((REQUIRED_ALL,), "Save 5% at FreshMart", f"Save 5% at FreshMart. {TERMS}"),
        ((REQUIRED_ALL,), "Save 5% at FreshMart!  ", f"Save 5% at FreshMart! {TERMS}"),
        ((SMS_STOP,), "Save 5% at FreshMart.", f"Save 5% at FreshMart. {STOP}"),
        ((REQUIRED_ALL, SMS_STOP), "Save 5%.", f"Save 5%. {TERMS} {STOP}"),
        # The required ending stays last: the required phrase goes in front of it.
        ((REQUIRED_ALL, SMS_STOP), f"Save 5%. {STOP}", f"Save 5%. {TERMS} {STOP}"),
        # Already compliant: unchanged, byte for byte.
        ((REQUIRED_ALL, SMS_STOP), f"Save 5%. {TERMS} {STOP} ", f"Save 5%. {TERMS} {STOP} "),
        # Present but not last: moving it would rewrite the copy, so the fixer leaves it.
        ((SMS_STOP,), f"{STOP} Save 5%.", f"{STOP} Save 5%."),
        # Nothing but fixable findings is touched: the banned word and "!" stay.
        ((BANNED, QUIET, REQUIRED_ALL), "So cheap!", f"So cheap! {TERMS}"),
    ],
)
def test_fix_appends_required_wording(
    fixing: MerchantRulesCheck, rules: tuple[MerchantRule, ...], text: str, fixed: str
) -> None:
    ctx = _ctx(*rules)
    assert _fix(fixing, text, ctx) == fixed
    if fixed.rstrip().endswith(STOP) or SMS_STOP not in rules:
        remaining = [f for f in fixing.check(fixed, ctx) if f.severity is Severity.fix]
        assert remaining == []


def test_fix_ignores_block_findings(check: MerchantRulesCheck) -> None:
    # With the pack's block severity, the findings are not this fixer's to repair.
    ctx = _ctx(REQUIRED_ALL, SMS_STOP)
    assert _fix(check, "Save 5%.", ctx) == "Save 5%."


def test_fix_ignores_other_checks_findings(fixing: MerchantRulesCheck) -> None:
    ctx = _ctx(REQUIRED_ALL)
    other = Finding(
        check="numbers",
        rule_id="merchant_rules.required_phrase",
        severity=Severity.fix,
        start=0,
        end=0,
        message="m",
        explanation="e",
    )
    assert fixing.fix("Save 5%.", [other], ctx) == "Save 5%."


def test_demo_knowledge_base_past_offers_follow_their_rules(check: MerchantRulesCheck) -> None:
    # The demo generator writes every past offer to its merchant's rules: no finding, and every
    # rule's params fit their model.
    kb = generate_demo_kb(offers_per_merchant=4)
    rules: dict[str, list[MerchantRule]] = {}
    for rule in kb.rules:
        rules.setdefault(rule.merchant_id, []).append(rule)
    for past in kb.past_offers:
        ctx = CheckContext(
            offer=past.offer,
            channel=past.channel,
            jurisdiction=Jurisdiction.US,
            merchant_rules=tuple(rules[past.merchant_id]),
        )
        assert check.check(past.text, ctx) == [], past.text
