"""Numbers check: each mention format is recognised, and backed only by the matching offer term."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.checks.numbers import NumbersCheck, NumbersParams
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity

CASHBACK: dict[str, Any] = {
    "kind": "cashback",
    "merchant": "FreshMart",
    "value": 10,
    "unit": "percent",
    "min_spend": 50,
    "valid_until": date(2026, 12, 31),
}


def _full_width(ascii_text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in ascii_text)


FW10 = _full_width("10%")
COPY = "Get 10% cashback at FreshMart on $50+ through Dec 31, 2026. Terms apply."


@pytest.fixture(scope="module")
def numbers() -> NumbersCheck:
    return NumbersCheck(NumbersParams(), Severity.block)


def _ctx(**terms: Any) -> CheckContext:
    offer = OfferTerms.model_validate(terms)
    return CheckContext(offer=offer, channel=Channel.sms, jurisdiction=Jurisdiction.US)


def _run(check: NumbersCheck, text: str, **terms: Any) -> list[tuple[str, str]]:
    return [(f.rule_id, text[f.start : f.end]) for f in check.check(text, _ctx(**terms))]


def _mentions(check: NumbersCheck, text: str) -> list[tuple[str, str, object]]:
    out: list[tuple[str, str, object]] = []
    for m in check.mentions(text, "FreshMart"):
        value = None if m.kind == "date" else round(m.value, 9)
        out.append((m.kind, text[m.start : m.end], value))
    return out


# --- extraction: every format is read as the right kind and value ------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "surface", "value"),
    [
        ("Save 10% now", "percent", "10%", 10),
        ("Save 10 % now", "percent", "10 %", 10),
        ("Save 10 percent now", "percent", "10 percent", 10),
        ("Save ten percent now", "percent", "ten percent", 10),
        ("then 19.99% APR", "percent", "19.99%", 19.99),
        ("Save " + FW10 + " now", "percent", FW10, 10),
        ("Get $5 back", "reward_amount", "$5", 5),
        ("Get $5.00 back", "reward_amount", "$5.00", 5),
        ("Spend $1,000 or more", "amount", "$1,000", 1000),
        ("Get USD 5 back", "reward_amount", "USD 5", 5),
        ("Get 5 USD back", "reward_amount", "5 USD", 5),
        ("Get EUR 15 back", "reward_amount", "EUR 15", 15),
        ("Get €15 back", "reward_amount", "€15", 15),
        ("Get 15,50 € back", "reward_amount", "15,50 €", 15.5),
        ("Get £10 back", "reward_amount", "£10", 10),
        ("Get 5 dollars back", "reward_amount", "5 dollars", 5),
        ("Get five dollars back", "reward_amount", "five dollars", 5),
        ("Earn 3x points", "multiplier", "3x", 3),
        ("Earn 3X points", "multiplier", "3X", 3),
        ("Earn 3\u00d7 points", "multiplier", "3\u00d7", 3),
        ("Earn 3 times the points", "multiplier", "3 times", 3),
        ("Earn three times the points", "multiplier", "three times", 3),
        ("Earn 500 points", "points", "500 points", 500),
        ("Earn 1,000 pts", "points", "1,000 pts", 1000),
        ("Earn 500 bonus points", "points", "500 bonus points", 500),
        ("for 12 months", "months", "12 months", 12),
        ("for twelve months", "months", "twelve months", 12),
        ("a 12-month intro", "months", "12-month", 12),
        ("for twenty-four months", "months", "twenty-four months", 24),
        ("in 4 payments", "installments", "4 payments", 4),
        ("in four payments", "installments", "four payments", 4),
        ("in 4 installments", "installments", "4 installments", 4),
        ("in 4 instalments", "installments", "4 instalments", 4),
        ("in 4 interest-free payments", "installments", "4 interest-free payments", 4),
        ("Top 10 picks", "number", "10", 10),
        ("Pay in 4.", "number", "4", 4),
        ("rated 4.5 stars", "number", "4.5", 4.5),
    ],
)
def test_mention_kind_and_value(
    numbers: NumbersCheck, text: str, kind: str, surface: str, value: float
) -> None:
    assert _mentions(numbers, text) == [(kind, surface, value)]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("through Dec 31, 2026.", "Dec 31, 2026"),
        ("through December 31, 2026.", "December 31, 2026"),
        ("through December 31.", "December 31"),
        ("through Dec 31.", "Dec 31"),
        ("through Dec. 31st.", "Dec. 31st"),
        ("through DECEMBER 31.", "DECEMBER 31"),
        ("through 12/31/2026.", "12/31/2026"),
        ("through 12/31/26.", "12/31/26"),
        ("through 31/12/2026.", "31/12/2026"),
        ("through 12/31.", "12/31"),
        ("through 31.12.2026.", "31.12.2026"),
        ("through 2026-12-31.", "2026-12-31"),
        ("through 31 December 2026.", "31 December 2026"),
        ("through the 31st of December.", "31st of December"),
    ],
)
def test_date_formats_are_one_mention(numbers: NumbersCheck, text: str, surface: str) -> None:
    # The day and year of a date are not separate bare numbers.
    assert _mentions(numbers, text) == [("date", surface, None)]


@pytest.mark.parametrize(
    "text",
    [
        "Hi {{first_name}}, enjoy the offer.",
        "Hi {{tier_2}}, enjoy {{bonus_500}}.",
        "No annual fee, ever.",
        "Terms apply. See site for details.",
        "MP3 and A1 codes are letters-first",
    ],
)
def test_text_without_offer_numbers_has_no_mentions(numbers: NumbersCheck, text: str) -> None:
    assert _mentions(numbers, text) == []


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("0% APR 12 months", ["percent", "months"]),  # "APR 12" is the rate, not April 12
        ("24/7 support", ["number", "number"]),  # month 24 is no date
        ("Jan 32", ["number"]),  # no such day: not a date
    ],
)
def test_things_that_are_not_dates(numbers: NumbersCheck, text: str, kinds: list[str]) -> None:
    assert [kind for kind, _, _ in _mentions(numbers, text)] == kinds


# --- reconciliation against the offer terms ---------------------------------------------------


def test_matching_copy_is_clean(numbers: NumbersCheck) -> None:
    assert _run(numbers, COPY, **CASHBACK) == []


def test_copy_with_a_different_rate_is_flagged(numbers: NumbersCheck) -> None:
    (finding,) = numbers.check(COPY, _ctx(**{**CASHBACK, "value": 5}))
    assert finding.rule_id == "numbers.unbacked_reward_percent"
    assert COPY[finding.start : finding.end] == "10%"
    assert finding.severity is Severity.block
    assert finding.explanation == (
        "found '10%' (reward_percent 10); the offer terms back reward percent values: 5 (value)"
    )


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        # percent: value (unit percent) and apr_after_intro
        ("15% back", {}, ["numbers.unbacked_reward_percent"]),
        ("10 percent back", {}, []),
        ("10.0% back", {}, []),
        (
            "0% intro APR for 15 months, then 24.99% variable APR",
            {
                "kind": "intro_apr",
                "value": 0,
                "unit": "percent",
                "intro_months": 15,
                "apr_after_intro": 24.99,
                "min_spend": None,
            },
            [],
        ),
        (
            "0% intro APR for 18 months, then 24.99% variable APR",
            {
                "kind": "intro_apr",
                "value": 0,
                "unit": "percent",
                "intro_months": 15,
                "apr_after_intro": 24.99,
            },
            ["numbers.unbacked_months"],
        ),
        (
            "0% intro APR for 15 months, then 25.99% APR",
            {
                "kind": "intro_apr",
                "value": 0,
                "unit": "percent",
                "intro_months": 15,
                "apr_after_intro": 24.99,
            },
            ["numbers.unbacked_percent"],
        ),
        ("twelve months", {"intro_months": 12}, []),
        ("twelve months", {"intro_months": 6}, ["numbers.unbacked_months"]),
        # amounts: value (unit amount), min_spend, cap, annual_fee; compared numerically
        ("$5 off", {"value": 5, "unit": "amount"}, []),
        ("$5.00 off", {"value": 5, "unit": "amount"}, []),
        ("5 dollars off", {"value": 5, "unit": "amount"}, []),
        ("USD 5 off", {"value": 5, "unit": "amount"}, []),
        ("$6 off", {"value": 5, "unit": "amount"}, ["numbers.unbacked_reward_amount"]),
        ("$5 off", {}, ["numbers.unbacked_reward_amount"]),  # 5 is no amount term of a 10% offer
        # The reward must be backed by the reward terms: a $50 min spend does not back "$50 back".
        ("$50 cash back on $50+", {}, [("numbers.unbacked_reward_amount")]),
        ("10% off", {"kind": "intro_apr", "apr_after_intro": 10}, []),
        ("24.99% off", {"apr_after_intro": 24.99}, ["numbers.unbacked_reward_percent"]),
        ("up to $25 back", {"cap": 25}, []),
        ("up to $25 back", {"cap": 20}, ["numbers.unbacked_cap_amount"]),
        ("up to $50 back on $50+", {"cap": 25}, ["numbers.unbacked_cap_amount"]),
        ("earn up to $25", {"cap": 25}, []),
        ("max $10 off", {"value": 10, "unit": "amount"}, []),
        ("Spend $1,000", {"min_spend": 1000}, []),
        ("$0 annual fee", {"annual_fee": 0}, []),
        ("$0 annual fee", {}, ["numbers.unbacked_amount"]),
        ("$95 annual fee", {"annual_fee": 0}, ["numbers.unbacked_amount"]),
        ("No annual fee", {"annual_fee": 0}, []),
        # currency: an amount in another currency never matches
        (
            "$5 off",
            {"value": 5, "unit": "amount", "currency": "EUR"},
            ["numbers.currency_mismatch"],
        ),
        ("€5 off", {"value": 5, "unit": "amount", "currency": "EUR"}, []),
        ("EUR 5 off", {"value": 5, "unit": "amount", "currency": "EUR"}, []),
        ("5 EUR off", {"value": 5, "unit": "amount"}, ["numbers.currency_mismatch"]),
        ("£5 off", {"value": 5, "unit": "amount"}, ["numbers.currency_mismatch"]),
        ("$5 off", {"value": 5, "unit": "amount", "currency": "CAD"}, []),
        (
            "US$5 off",
            {"value": 5, "unit": "amount", "currency": "CAD"},
            ["numbers.currency_mismatch"],
        ),
        # multiplier and points
        ("3x points", {"kind": "points", "value": 3, "unit": "multiplier"}, []),
        ("3 times the points", {"kind": "points", "value": 3, "unit": "multiplier"}, []),
        (
            "2x points",
            {"kind": "points", "value": 3, "unit": "multiplier"},
            ["numbers.unbacked_multiplier"],
        ),
        ("3x points", {}, ["numbers.unbacked_multiplier"]),
        ("500 points", {"kind": "points", "value": 500, "unit": "points"}, []),
        ("1,000 pts", {"kind": "points", "value": 1000, "unit": "points"}, []),
        (
            "1,000 pts",
            {"kind": "points", "value": 500, "unit": "points"},
            ["numbers.unbacked_points"],
        ),
        (
            "3x points, up to 5,000 points",
            {"kind": "points", "value": 3, "unit": "multiplier", "cap": 5000},
            [],
        ),
        (
            "up to 5,000 points",
            {"cap": 5000},
            ["numbers.unbacked_points"],
        ),  # cap of a % offer is money
        # instalments
        ("Pay in four payments", {"kind": "bnpl", "installments": 4}, []),
        ("Pay in 4 interest-free payments", {"kind": "bnpl", "installments": 4}, []),
        (
            "Pay in four payments",
            {"kind": "bnpl", "installments": 6},
            ["numbers.unbacked_installments"],
        ),
        ("Pay in 4.", {"kind": "bnpl", "installments": 4}, []),  # bare: backed by any term number
        ("Pay in 4.", {"kind": "bnpl", "installments": 6}, ["numbers.unbacked_number"]),
        # dates: valid_from / valid_until; without a year, month and day must match
        ("through Dec 31, 2026", {}, []),
        ("through December 31", {}, []),
        ("through 12/31/2026", {}, []),
        ("through 31/12/2026", {}, []),
        ("through 31.12.2026", {}, []),
        ("through 2026-12-31", {}, []),
        ("through 31 December 2026", {}, []),
        ("through Dec 30, 2026", {}, ["numbers.unbacked_date"]),
        ("through Dec 31, 2027", {}, ["numbers.unbacked_date"]),
        ("through Dec 30", {}, ["numbers.unbacked_date"]),
        ("from Jan 1 through Dec 31", {"valid_from": date(2026, 1, 1)}, []),
        ("from Jan 2 through Dec 31", {"valid_from": date(2026, 1, 1)}, ["numbers.unbacked_date"]),
        ("through Dec 31", {"valid_until": None}, ["numbers.unbacked_date"]),
        # bare numbers: equal to any term number, or a year of the validity dates
        ("Top 50 deals", {}, []),
        ("Top 10 deals", {}, []),
        ("Top 7 deals", {}, ["numbers.unbacked_number"]),
        ("Offer ends in 2026", {}, []),
        ("Offer ends in 2027", {}, ["numbers.unbacked_number"]),
        # merge tags and the merchant's own name are not offer numbers
        ("Hi {{first_name}}, {{bonus_7}} inside", {}, []),
        ("10% back at 7-Eleven", {"merchant": "7-Eleven"}, []),
        ("10% back at 7-Eleven", {}, ["numbers.unbacked_number"]),
    ],
)
def test_reconciliation(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], expected: list[str]
) -> None:
    assert [rule for rule, _ in _run(numbers, text, **{**CASHBACK, **terms})] == expected


def test_every_unbacked_mention_gets_its_own_span(numbers: NumbersCheck) -> None:
    text = "Get 15% back on $40+, plus 2x points, until Jan 5."
    assert _run(numbers, text, **CASHBACK) == [
        ("numbers.unbacked_reward_percent", "15%"),
        ("numbers.unbacked_amount", "$40"),
        ("numbers.unbacked_multiplier", "2x"),
        ("numbers.unbacked_date", "Jan 5"),
    ]


@pytest.mark.parametrize(
    ("text", "terms", "explanation"),
    [
        (
            "15% APR",
            {"kind": "intro_apr", "value": 10, "unit": "percent", "apr_after_intro": 24.99},
            "found '15%' (percent 15); the offer terms back percent values: "
            "10 (value), 24.99 (apr_after_intro)",
        ),
        (
            "$5 off",
            {"value": 5, "unit": "amount", "currency": "EUR"},
            "found '$5' (amount 5 in USD/CAD/AUD/NZD/SGD/HKD/MXN); the offer is in EUR",
        ),
        (
            "through Dec 30",
            {},
            "found 'Dec 30' (date 12-30 (any year)); the offer terms back dates: "
            "2026-12-31 (valid_until)",
        ),
        ("3x points", {}, "found '3x' (multiplier 3); the offer backs no multiplier values"),
        (
            "Top 7",
            {},
            "found '7' (number 7); the offer terms back numbers: 10 (value), 50 (min_spend), "
            "2026 (year of valid_until)",
        ),
    ],
)
def test_explanation_names_the_number_and_the_backing_terms(
    numbers: NumbersCheck, text: str, terms: dict[str, Any], explanation: str
) -> None:
    (finding,) = numbers.check(text, _ctx(**{**CASHBACK, **terms}))
    assert finding.explanation == explanation


def test_finding_fields(numbers: NumbersCheck) -> None:
    (finding,) = numbers.check("Save 15% today", _ctx(**CASHBACK))
    assert finding == Finding(
        check="numbers",
        rule_id="numbers.unbacked_percent",
        severity=Severity.block,
        start=5,
        end=8,
        message="percentage not backed by the offer terms",
        explanation="found '15%' (percent 15); the offer terms back percent values: 10 (value)",
    )


def test_full_width_span_points_into_the_original_text(numbers: NumbersCheck) -> None:
    fw15 = _full_width("15%")
    text = f"Save {fw15} today"
    (finding,) = numbers.check(text, _ctx(**CASHBACK))
    assert (finding.start, finding.end) == (5, 8)
    assert text[finding.start : finding.end] == fw15


# --- params -----------------------------------------------------------------------------------


def test_allow_bare_numbers() -> None:
    check = NumbersCheck(NumbersParams(allow_bare_numbers=[24, 7]), Severity.block)
    assert _run(check, "Support 24/7", **CASHBACK) == []
    assert [r for r, _ in _run(check, "Top 8", **CASHBACK)] == ["numbers.unbacked_number"]


def test_allow_bare_numbers_does_not_back_typed_mentions() -> None:
    check = NumbersCheck(NumbersParams(allow_bare_numbers=[15]), Severity.block)
    assert [r for r, _ in _run(check, "Save 15%", **CASHBACK)] == ["numbers.unbacked_percent"]


def test_allow_years_off_flags_a_bare_year() -> None:
    check = NumbersCheck(NumbersParams(allow_years=False), Severity.warn)
    findings = check.check("Offer ends in 2026", _ctx(**CASHBACK))
    assert [(f.rule_id, f.severity) for f in findings] == [
        ("numbers.unbacked_number", Severity.warn)
    ]


def test_params_reject_unknown_keys() -> None:
    with pytest.raises(ValueError, match="extra"):
        NumbersParams.model_validate({"allow_numbers": [1]})


def test_bad_backing_field_in_data_file_is_a_config_error(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "guardrails" / "data" / "numbers.yaml"
    data = tmp_path / "numbers.yaml"
    data.write_text(
        source.read_text(encoding="utf-8").replace("[intro_months]", "[intro_month]"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        NumbersCheck(NumbersParams(data_file=data), Severity.block)
    assert str(data) in str(err.value)
    assert "'intro_month'" in str(err.value)


def test_data_pattern_without_the_groups_its_kind_needs_is_a_config_error(
    tmp_path: Path,
) -> None:
    source = Path(__file__).resolve().parents[3] / "guardrails" / "data" / "numbers.yaml"
    data = tmp_path / "numbers.yaml"
    text = source.read_text(encoding="utf-8")
    data.write_text(text.replace("'{currency_symbol}[ \\t]?{num}'", "'[$][0-9]+'"), "utf-8")
    with pytest.raises(ConfigError) as err:
        NumbersCheck(NumbersParams(data_file=data), Severity.block)
    assert "mentions[4].patterns[0]: amount patterns need the groups cur+num" in str(err.value)


def test_invisible_characters_do_not_split_a_number(numbers: NumbersCheck) -> None:
    text = "Get 1\u200b5% back"
    assert _run(numbers, text, **CASHBACK) == [("numbers.unbacked_reward_percent", "1\u200b5%")]
    assert _run(numbers, "Get 1\u200b0% back", **CASHBACK) == []
