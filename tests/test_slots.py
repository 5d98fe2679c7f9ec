"""Terms-locked drafting: the slot data file, the terms line with slots, extracting a past offer's
values into slots, and filling slots per currency and locale in formats the guard reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from offergen.config import Settings
from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.packs import Packs
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity
from offergen.slots import (
    SLOTS_FILE,
    SlotProblem,
    extract,
    fill,
    load_slots,
    required_slots,
    slot_terms,
)
from offergen.terms import describe

CASHBACK: dict[str, Any] = {
    "kind": "cashback",
    "merchant": "FreshMart",
    "value": 10,
    "unit": "percent",
    "min_spend": 1500,
    "cap": 7.5,
    "valid_from": date(2026, 10, 11),
    "valid_until": date(2026, 12, 31),
}


def _offer(**terms: Any) -> OfferTerms:
    return OfferTerms.model_validate(terms)


# --- the data file ------------------------------------------------------------------------------


def _shipped() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(SLOTS_FILE.read_text(encoding="utf-8"))
    return raw


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "slots.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_file_has_the_nine_slots() -> None:
    table = load_slots()
    assert table.names == (
        "REWARD",
        "MIN_SPEND",
        "CAP",
        "VALID_FROM",
        "VALID_UNTIL",
        "APR",
        "INTRO_MONTHS",
        "INSTALLMENTS",
        "ANNUAL_FEE",
    )
    assert table.token("apr_after_intro") == "[APR]"


def _set(raw: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        raw = raw[key]
    raw[last] = value


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("slots.CAP.colour", "red", "slots.CAP.colour: Extra inputs are not permitted"),
        ("slots.CAP.field", "price", "unknown offer field 'price'"),
        ("slots.CAP.format", "date", "field cap is written as money"),
        ("slots.CAP.field", "min_spend", "one slot per field: min_spend"),
        ("slots.INSTALLMENTS.followed_by", None, "integer slot needs `followed_by`"),
        ("slots.CAP.before", ["(unclosed"], "invalid regex"),
        ("required", ["PRICE"], "required: unknown slots PRICE"),
        ("locales.en.money", "{sign}{amount}", "money: bad template"),
        ("locales.de.date", "{day}. {month_name} {year}", "date: bad template"),
        ("locales.en.group", ".", "group and decimal separators must differ"),
        ("default_locale", "es", "default_locale 'es' is not in locales"),
        ("reward.points", None, "reward.points"),
    ],
)
def test_invalid_data_is_a_config_error(tmp_path: Path, path: str, value: Any, error: str) -> None:
    raw = _shipped()
    _set(raw, path, value)
    with pytest.raises(ConfigError, match=r"slots file .*slots\.yaml") as exc:
        load_slots(_write(tmp_path, raw))
    assert error in str(exc.value)


def test_a_term_without_a_slot_is_a_config_error(tmp_path: Path) -> None:
    raw = _shipped()
    del raw["slots"]["ANNUAL_FEE"]
    with pytest.raises(ConfigError, match="none for annual_fee"):
        load_slots(_write(tmp_path, raw))


def test_renamed_slot_is_used_everywhere(tmp_path: Path) -> None:
    raw = _shipped()
    raw["slots"]["VALUE"] = raw["slots"].pop("REWARD")
    raw["required"] = ["VALUE"]
    table = load_slots(_write(tmp_path, raw))
    offer = _offer(**CASHBACK)
    assert table.slot_terms(offer).startswith("[VALUE] cashback;")
    assert table.extract("Save 10% now.", offer) == "Save [VALUE] now."
    assert table.fill("Save [VALUE] now.", offer).text == "Save 10% now."


# --- the terms line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (
            CASHBACK,
            "[REWARD] cashback; min spend [MIN_SPEND]; max [CAP]; from [VALID_FROM]; "
            "until [VALID_UNTIL]",
        ),
        ({"kind": "discount", "value": 10, "unit": "amount"}, "[REWARD] off"),
        ({"kind": "points", "value": 3, "unit": "multiplier"}, "[REWARD] points"),
        ({"kind": "points", "value": 2500, "unit": "points"}, "[REWARD] points"),
        (
            {"kind": "bnpl", "installments": 4, "min_spend": 50},
            "pay in installments; [INSTALLMENTS] payments; min spend [MIN_SPEND]",
        ),
        (
            {
                "kind": "intro_apr",
                "value": 0,
                "unit": "percent",
                "intro_months": 15,
                "apr_after_intro": 24.99,
            },
            "[REWARD] intro APR; for [INTRO_MONTHS] months; then [APR] APR",
        ),
        ({"kind": "fee_waiver", "annual_fee": 95}, "fee waived; annual fee [ANNUAL_FEE]"),
        ({"kind": "fee_waiver", "value": 25, "unit": "amount"}, "[REWARD] fee waived"),
        (
            {"kind": "free_shipping", "valid_until": date(2026, 5, 1)},
            "free shipping; until [VALID_UNTIL]",
        ),
    ],
)
def test_slot_terms_mirror_describe(terms: dict[str, Any], expected: str) -> None:
    offer = _offer(**{"merchant": "FreshMart", **terms})
    assert slot_terms(offer) == expected
    assert fill(slot_terms(offer), offer).text == describe(offer)


# --- filling ------------------------------------------------------------------------------------

COPY = "Get [REWARD] back (max [CAP]) on [MIN_SPEND]+ until [VALID_UNTIL]."


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("USD", "en-US", "Get 10% back (max $7.50) on $1,500+ until Dec 31, 2026."),
        ("EUR", "en-US", "Get 10% back (max €7.50) on €1,500+ until Dec 31, 2026."),
        ("EUR", "en-IE", "Get 10% back (max €7.50) on €1,500+ until Dec 31, 2026."),
        ("GBP", "en-GB", "Get 10% back (max £7.50) on £1,500+ until Dec 31, 2026."),
        ("CAD", "en-CA", "Get 10% back (max CAD 7.50) on CAD 1,500+ until Dec 31, 2026."),
        ("EUR", "de-DE", "Get 10 % back (max 7,50 €) on 1500 €+ until 31.12.2026."),
        ("EUR", "de-AT", "Get 10 % back (max 7,50 €) on 1500 €+ until 31.12.2026."),
        ("EUR", "fr-FR", "Get 10 % back (max 7,50 €) on 1500 €+ until 31/12/2026."),
        ("USD", "de-DE", "Get 10 % back (max 7,50 $) on 1500 $+ until 31.12.2026."),
        ("CHF", "de", "Get 10 % back (max 7,50 CHF) on 1500 CHF+ until 31.12.2026."),
        ("EUR", "ja-JP", "Get 10% back (max €7.50) on €1,500+ until Dec 31, 2026."),
    ],
)
def test_fill_per_currency_and_locale(currency: str, locale: str, expected: str) -> None:
    filled = fill(COPY, _offer(**{**CASHBACK, "currency": currency}), locale)
    assert filled.text == expected
    assert filled.problems == ()
    assert filled.ok


@pytest.mark.parametrize(
    ("terms", "copy", "en", "de"),
    [
        ({"value": 10.5, "unit": "percent"}, "[REWARD]", "10.5%", "10,5 %"),
        ({"value": 5, "unit": "amount"}, "[REWARD]", "$5", "5 $"),
        ({"value": 1.5, "unit": "multiplier"}, "[REWARD] points", "1.5x points", "1,5x points"),
        ({"value": 2500, "unit": "points"}, "[REWARD] points", "2,500 points", "2500 points"),
        ({"apr_after_intro": 24.99}, "[APR] APR", "24.99% APR", "24,99 % APR"),
        ({"intro_months": 12}, "[INTRO_MONTHS] months", "12 months", "12 months"),
        ({"installments": 4}, "[INSTALLMENTS] payments", "4 payments", "4 payments"),
        ({"annual_fee": 95}, "[ANNUAL_FEE]", "$95", "95 $"),
        ({"valid_from": date(2026, 6, 8)}, "[VALID_FROM]", "Jun 8, 2026", "08.06.2026"),
    ],
)
def test_each_slot_is_written_in_its_format(
    terms: dict[str, Any], copy: str, en: str, de: str
) -> None:
    offer = _offer(kind="discount", merchant="FreshMart", **terms)
    assert fill(copy, offer).text == en
    assert fill(copy, offer, "de-DE").text == de


def test_lenient_slot_spelling() -> None:
    assert fill("Save [ reward ] now", _offer(**CASHBACK)).text == "Save 10% now"


def _spans(text: str, problems: tuple[SlotProblem, ...]) -> list[tuple[str, str]]:
    return [(p.rule_id, text[p.start : p.end]) for p in problems]


def test_unknown_and_unset_slots_are_reported_where_they_stand_in_the_draft() -> None:
    offer = _offer(kind="discount", merchant="FreshMart", value=10, unit="percent")
    draft = "[REWARD] off [PRICE] items, min [MIN_SPEND]."
    filled = fill(draft, offer)
    assert filled.text == "10% off [PRICE] items, min [MIN_SPEND]."
    assert _spans(draft, filled.problems) == [
        ("slots.unknown", "[PRICE]"),
        ("slots.unset", "[MIN_SPEND]"),
    ]
    assert "not a slot" in filled.problems[0].message
    assert "no min_spend" in filled.problems[1].message
    assert not filled.ok


def test_missing_required_slot_spans_the_draft() -> None:
    offer = _offer(**CASHBACK)
    draft = "Cash back on [MIN_SPEND]+ orders."
    filled = fill(draft, offer)
    assert [(p.rule_id, p.start, p.end) for p in filled.problems] == [
        ("slots.missing", 0, len(draft))
    ]
    assert "[REWARD]" in filled.problems[0].message


@pytest.mark.parametrize(
    ("draft", "locale", "sign_beside"),
    [
        ("Get [REWARD]% back.", "en-US", "[REWARD]"),
        ("Get [REWARD] % back.", "de-DE", "[REWARD]"),
        ("[REWARD] on $[MIN_SPEND] or more.", "en-US", "[MIN_SPEND]"),
        ("[REWARD] on €[MIN_SPEND] or more.", "en-US", "[MIN_SPEND]"),  # another currency's sign
        ("[REWARD] on [MIN_SPEND] € or more.", "de-DE", "[MIN_SPEND]"),
    ],
)
def test_a_sign_written_beside_a_slot_that_writes_one_is_doubled(
    draft: str, locale: str, sign_beside: str
) -> None:
    filled = fill(draft, _offer(**CASHBACK), locale)
    assert _spans(draft, filled.problems) == [("slots.doubled", sign_beside)]
    assert "writes its own sign" in filled.problems[0].message


def test_signs_away_from_money_slots_are_not_doubled() -> None:
    offer = _offer(**{**CASHBACK, "unit": "points", "value": 500})
    assert fill("[REWARD] points on [MIN_SPEND]+, 100% yours.", offer).ok
    assert fill("Earn [REWARD] points ($ value shown in the app)", offer).ok


def test_required_slots_of_an_offer() -> None:
    assert required_slots(_offer(**CASHBACK)) == ["[REWARD]"]
    bnpl = _offer(kind="bnpl", merchant="FreshMart", installments=4, min_spend=150)
    assert required_slots(bnpl) == ["[INSTALLMENTS]"]  # no reward value, so no [REWARD]


def test_problems_as_guard_findings() -> None:
    offer = _offer(kind="discount", merchant="FreshMart", value=10, unit="percent")
    draft = "Save on [PRICE] items."
    findings = fill(draft, offer).findings()
    assert [(f.check, f.rule_id, f.severity, draft[f.start : f.end]) for f in findings] == [
        ("slots", "slots.unknown", Severity.block, "[PRICE]"),
        ("slots", "slots.missing", Severity.block, draft),
    ]
    assert "[PRICE] is not a slot" in findings[0].explanation
    assert fill("Save [REWARD].", offer).findings() == []


def test_reward_is_not_required_without_a_value() -> None:
    offer = _offer(kind="free_shipping", merchant="FreshMart", min_spend=50)
    assert fill("Free shipping on [MIN_SPEND]+.", offer).problems == ()


def test_required_by_kind() -> None:
    offer = _offer(
        kind="intro_apr",
        merchant="Summit Card",
        value=0,
        unit="percent",
        intro_months=15,
        apr_after_intro=24.99,
    )
    filled = fill("[REWARD] intro APR, then [APR] APR.", offer)
    assert [p.rule_id for p in filled.problems] == ["slots.missing"]
    assert "[INTRO_MONTHS]" in filled.problems[0].message


# --- extracting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("copy", "expected"),
    [
        # every format the demo corpus writes, and those of offergen/terms.py
        (
            "Spend $1,500 or more, get 10% cash back (up to $7.50 back) through Dec 31, 2026.",
            "Spend [MIN_SPEND] or more, get [REWARD] cash back (up to [CAP] back) "
            "through [VALID_UNTIL].",
        ),
        (
            "From Oct 11, 2026 until Dec 31, 2026: 10% back on $1500.00+.",
            "From [VALID_FROM] until [VALID_UNTIL]: [REWARD] back on [MIN_SPEND]+.",
        ),
        (
            "{{first_name}}, 10 percent back. Ends December 31st.",
            "{{first_name}}, [REWARD] back. Ends [VALID_UNTIL].",
        ),
        (
            "10% back until 12/31/2026 or 2026-12-31.",
            "[REWARD] back until [VALID_UNTIL] or [VALID_UNTIL].",
        ),
        ("10% back until 31 December 2026.", "[REWARD] back until [VALID_UNTIL]."),
        # a number that is no term, or a term written in a way no slot stands for: left out
        ("10% back, 24/7.", None),
        ("10% back on a 4-pack.", None),
        ("10% back on $1,600+.", None),
        ("10% back until Dec 31, 2027.", None),  # the year is part of the date
        ("Our 2026 sale: 10% back.", None),  # a year on its own is no slot
        ("ten percent back.", None),
        ("10% back on €1,500+.", None),  # another currency
        ("10% back on B2B orders.", None),
        ("Save [PRICE] with 10% back.", None),
    ],
)
def test_extract(copy: str, expected: str | None) -> None:
    assert extract(copy, _offer(**CASHBACK)) == expected


def test_extract_reads_eu_formats() -> None:
    offer = _offer(**{**CASHBACK, "currency": "EUR"})
    copy = "10 % zurück (max. 7,50 €) ab 1.500 € bis 31.12.2026."
    assert extract(copy, offer) == "[REWARD] zurück (max. [CAP]) ab [MIN_SPEND] bis [VALID_UNTIL]."


@pytest.mark.parametrize(
    ("terms", "copy", "expected"),
    [
        (
            {"kind": "points", "value": 2500, "unit": "points"},
            "Earn 2,500 bonus points at Hop 7.",
            "Earn [REWARD] bonus points at Hop 7.",  # digits in the merchant's name are no term
        ),
        (
            {"kind": "points", "value": 3, "unit": "multiplier"},
            "3x the points.",
            "[REWARD] the points.",
        ),
        ({"kind": "points", "value": 2500, "unit": "points"}, "Get 2,500 today.", None),
        (
            {"kind": "bnpl", "installments": 4},
            "Pay in 4 interest-free payments.",
            "Pay in [INSTALLMENTS] interest-free payments.",
        ),
        ({"kind": "bnpl", "installments": 4}, "Pay in four payments.", None),
        ({"kind": "bnpl", "installments": 4}, "Pay in 4.", None),
        (
            {
                "kind": "intro_apr",
                "value": 0,
                "unit": "percent",
                "intro_months": 12,
                "apr_after_intro": 24.99,
            },
            "0% intro APR for 12 months, then a variable 24.99% APR.",
            "[REWARD] intro APR for [INTRO_MONTHS] months, then a variable [APR] APR.",
        ),
        (
            {"kind": "fee_waiver", "annual_fee": 95},
            "Your $95 annual fee is on us for the first year.",
            "Your [ANNUAL_FEE] annual fee is on us for the first year.",
        ),
    ],
)
def test_extract_by_kind(terms: dict[str, Any], copy: str, expected: str | None) -> None:
    assert extract(copy, _offer(merchant="Hop 7", **terms)) == expected


@pytest.mark.parametrize(
    ("copy", "expected"),
    [
        (
            "Save 10% (up to $50 off) on orders of $50 or more.",
            "Save [REWARD] (up to [CAP] off) on orders of [MIN_SPEND] or more.",
        ),
        (
            "Spend $50, save 10%. Max discount $50.",
            "Spend [MIN_SPEND], save [REWARD]. Max discount [CAP].",
        ),
        ("Save 10%: $50 and $50.", None),  # nothing says which is which
    ],
)
def test_equal_terms_are_told_apart_by_their_words(copy: str, expected: str | None) -> None:
    offer = _offer(
        kind="discount", merchant="FreshMart", value=10, unit="percent", min_spend=50, cap=50
    )
    assert extract(copy, offer) == expected


# --- the guard reads what fill writes -----------------------------------------------------------


def _numbers_findings(text: str, offer: OfferTerms, jurisdiction: Jurisdiction) -> list[Finding]:
    guard = Packs(Settings().guardrails_dir).for_copy(jurisdiction)
    ctx = CheckContext(offer=offer, channel=Channel.email, jurisdiction=jurisdiction)
    return [f for f in guard.check(text, ctx).findings if f.check == "numbers"]


LOCKED = (
    "Earn [REWARD] cash back (up to [CAP] back) when you spend [MIN_SPEND] or more at FreshMart. "
    "From [VALID_FROM] until [VALID_UNTIL]. Terms apply."
)


@pytest.mark.parametrize(
    ("currency", "locale", "jurisdiction"),
    [
        ("USD", "en-US", Jurisdiction.US),
        ("EUR", "en-IE", Jurisdiction.EU),
        ("GBP", "en-GB", Jurisdiction.EU),
        ("EUR", "de-DE", Jurisdiction.EU),
        ("EUR", "fr-FR", Jurisdiction.EU),
        ("CHF", "de-CH", Jurisdiction.EU),
    ],
)
def test_filled_copy_passes_the_numbers_check(
    currency: str, locale: str, jurisdiction: Jurisdiction
) -> None:
    offer = _offer(**{**CASHBACK, "value": 10.5, "cap": 1250.5, "currency": currency})
    filled = fill(LOCKED, offer, locale)
    assert filled.ok, filled.problems
    assert _numbers_findings(filled.text, offer, jurisdiction) == []


def test_a_hard_coded_number_still_fails_the_numbers_check() -> None:
    offer = _offer(**CASHBACK)
    filled = fill(LOCKED.replace("[MIN_SPEND]", "$75"), offer)
    findings = _numbers_findings(filled.text, offer, Jurisdiction.US)
    assert [(f.rule_id, filled.text[f.start : f.end]) for f in findings] == [
        ("numbers.unbacked_amount", "$75")
    ]
